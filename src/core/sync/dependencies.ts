/**
 * Which collections a changed table affects. A collection is built from its own table, the junction tables folded
 * into it as arrays and the child tables embedded in it (at any depth); a collection over a view may read any table.
 */
import type { CollectionPlan, MappingPlan } from '../plan/types';
import { sameName } from './digest';

interface EmbedLike {
  table: string;
  embeds?: EmbedLike[];
}

function embeddedTables(embeds: EmbedLike[] | undefined, out: string[]): void {
  for (const e of embeds ?? []) {
    out.push(e.table);
    embeddedTables(e.embeds, out);
  }
}

/** The tables whose rows end up in this collection's documents. */
export function tablesOf(c: CollectionPlan): string[] {
  // A junction array of sub-documents also reads the referenced table (tags.name inside posts.tags).
  const out = [
    c.table,
    ...c.arrays.flatMap((a) => [a.junctionTable, ...(a.valueDocument ? [a.valueDocument.table] : [])]),
  ];
  embeddedTables(c.embeds, out);
  return out.filter((t, i) => out.findIndex((x) => sameName(x, t)) === i);
}

/** Every table or view the plan reads. */
export function planTables(plan: MappingPlan): string[] {
  const out: string[] = [];
  for (const c of plan.collections) for (const t of tablesOf(c)) if (!out.some((x) => sameName(x, t))) out.push(t);
  return out;
}

/**
 * The collections to compare after `changed` tables changed. `views` lists the view names of the database: a view
 * can read any table, so a collection over one (or with a row filter) is affected by every change.
 */
export function affectedCollections(plan: MappingPlan, changed: string[], views: string[]): CollectionPlan[] {
  if (changed.length === 0) return [];
  return plan.collections.filter(
    (c) =>
      views.some((v) => sameName(v, c.table)) ||
      // A row filter is SQL and may read other tables (a subquery): any change may change which rows pass it.
      !!c.filter ||
      tablesOf(c).some((t) => changed.some((x) => sameName(x, t))),
  );
}

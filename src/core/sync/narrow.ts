/**
 * Narrows a collection's compare to the documents whose rows may have changed: the key ranges of its own table's
 * changed pages, plus the owners of its junction and embedded child rows that changed. A child row that was deleted
 * is gone from the file, so its owner is found through an index whose first column is the owner column (the index
 * entry is deleted with the row, so the index's changed ranges hold the old owner); the owners of child rows that
 * are still there are read from them. Where that is not possible (no such index, a row filter, a view, keys that are
 * not integers…) the collection is compared whole, as before.
 */
import type { CollectionPlan, EmbedPlan } from '../plan/types';
import { iterateQuery, quoteIdent, rowidAlias, type SqliteSource } from '../sqlite';
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import type { PageSource } from './btree';
import { sameName, type SchemaEntry } from './digest';
import { coarsen, dirtyRanges, mergeRanges, pointRanges, rangesSql, type KeyRange } from './ranges';

/**
 * The most `_id` ranges a narrowed collection keeps (neighbours joined beyond, see coarsen): each is two SQL
 * parameters when its rows are read; the server is asked for fewer, wider ones (applyNarrowed).
 */
const MAX_RANGES = 512;

export interface NarrowContext {
  pages: PageSource;
  entries: SchemaEntry[];
  schema: SchemaInfo;
  source: SqliteSource;
  /** Pages written since the state the target matches. */
  changed: ReadonlySet<number>;
}

/** The single INTEGER PRIMARY KEY column (the rowid itself), if the table has one. */
function integerKey(t: TableInfo): string | undefined {
  if (t.withoutRowid || t.view || t.primaryKey.length !== 1) return undefined;
  const col = t.columns.find((c) => sameName(c.name, t.primaryKey[0]));
  return col && col.declaredType.toUpperCase() === 'INTEGER' ? col.name : undefined;
}

function table(ctx: NarrowContext, name: string): TableInfo | undefined {
  return ctx.schema.tables.find((t) => sameName(t.name, name) && !t.view);
}

function root(ctx: NarrowContext, type: 'table' | 'index', name: string): number | undefined {
  const e = ctx.entries.find((x) => x.type === type && sameName(x.name, name));
  return e && e.rootPage > 0 ? e.rootPage : undefined;
}

function asNumber(v: unknown): number | undefined {
  if (typeof v === 'bigint') return Math.abs(Number(v)) <= Number.MAX_SAFE_INTEGER ? Number(v) : undefined;
  return typeof v === 'number' && Number.isSafeInteger(v) ? v : undefined;
}

/**
 * Owner key ranges of a child table's changed rows (`ownerColumn` holds the owner's key), or undefined when they
 * cannot be told apart from the pages.
 */
function ownerRanges(ctx: NarrowContext, childName: string, ownerColumn: string): KeyRange[] | undefined {
  const child = table(ctx, childName);
  if (!child) return undefined;
  const childRoot = root(ctx, 'table', child.name);
  if (childRoot === undefined) return undefined;
  // The child's own key is the owner (a one-to-one child): its table b-tree is ordered by owner.
  const key = integerKey(child);
  if (key && sameName(key, ownerColumn)) return dirtyRanges(ctx.pages, childRoot, ctx.changed, 'table');
  if (child.withoutRowid) {
    if (!sameName(child.primaryKey[0] ?? '', ownerColumn)) return undefined;
    return dirtyRanges(ctx.pages, childRoot, ctx.changed, 'index');
  }
  const index = child.indexes.find((i) => !i.partial && i.columns[0] && sameName(i.columns[0], ownerColumn));
  const indexRoot = index && root(ctx, 'index', index.name);
  if (indexRoot === undefined) return undefined;
  const out = dirtyRanges(ctx.pages, indexRoot, ctx.changed, 'index');
  const rows = dirtyRanges(ctx.pages, childRoot, ctx.changed, 'table');
  if (rows.length === 0) return out;
  // Rows updated in place (the index entry unchanged): their owners, read from the rows as they are now.
  const { where, params } = rangesSql(rowidAlias(child) ?? 'rowid', rows);
  const owners = new Set<number>();
  for (const [owner] of iterateQuery(
    ctx.source,
    `SELECT DISTINCT ${quoteIdent(ownerColumn)} FROM ${quoteIdent(child.name)} WHERE ${where}`,
    params,
  )) {
    if (owner === null) continue;
    const n = asNumber(owner);
    if (n === undefined) return undefined;
    owners.add(n);
  }
  return mergeRanges([...out, ...pointRanges(owners)]);
}

/** Nested embeds are compared whole: their owners are not parents of this collection's table. */
function nested(e: EmbedPlan): boolean {
  return (e.embeds?.length ?? 0) > 0;
}

/**
 * The `_id` ranges of `plan`'s documents that may differ from the target (an empty list: none), or undefined when
 * the collection must be compared whole. Narrowed collections have an integer key that is also their `_id`.
 */
export function collectionRanges(ctx: NarrowContext, plan: CollectionPlan): KeyRange[] | undefined {
  if (plan.filter) return undefined;
  const t = table(ctx, plan.table);
  const key = t && integerKey(t);
  if (!t || !key || plan.id.kind !== 'column' || !sameName(plan.id.column, key)) return undefined;
  const tableRoot = root(ctx, 'table', t.name);
  if (tableRoot === undefined) return undefined;
  const parts: KeyRange[][] = [dirtyRanges(ctx.pages, tableRoot, ctx.changed, 'table')];
  for (const a of plan.arrays) {
    if (!sameName(a.ownerKeyColumn, key)) return undefined;
    const r = ownerRanges(ctx, a.junctionTable, a.ownerColumn);
    if (!r) return undefined;
    parts.push(r);
  }
  for (const e of plan.embeds ?? []) {
    if (nested(e) || e.parentColumns.length !== 1 || !sameName(e.parentColumns[0], key)) return undefined;
    const r = ownerRanges(ctx, e.table, e.childColumns[0]);
    if (!r) return undefined;
    parts.push(r);
  }
  return coarsen(parts.flat(), MAX_RANGES);
}

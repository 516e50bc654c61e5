import { MigrationError } from '../errors';
import type { SchemaInfo } from '../sqlite/types';
import { assignFieldNames } from './fieldNames';
import type { CollectionPlan, EmbedPlan, FieldPlan, MappingPlan } from './types';

/** A foreign key seen from both ends: `child.columns` reference `parent.refColumns`. */
export interface Relationship {
  child: string;
  columns: string[];
  parent: string;
  refColumns: string[];
}

/** `child(col,…)->parent`: the id the designer uses for a relationship, declared or read from a foreign key. */
export const relationshipId = (r: Pick<Relationship, 'child' | 'columns' | 'parent'>) =>
  `${r.child}(${r.columns.join(',')})->${r.parent}`;

export const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The parent's array of child rows that embeds relationship `r`. */
export function isArrayEmbedOf(e: EmbedPlan, r: Relationship): boolean {
  return e.kind === 'array' && e.table === r.child && sameColumns(e.childColumns, r.columns);
}
/** The child's looked-up parent document that embeds relationship `r`. */
export function isDocumentEmbedOf(e: EmbedPlan, r: Relationship): boolean {
  return e.kind === 'document' && e.table === r.parent && sameColumns(e.parentColumns, r.columns);
}

export function listRelationships(schema: SchemaInfo): Relationship[] {
  return schema.tables.flatMap((t) =>
    t.foreignKeys.map((fk) => ({ child: t.name, columns: fk.columns, parent: fk.refTable, refColumns: fk.refColumns })),
  );
}

export interface EmbedRequest {
  /** The collection that receives the embedded data. */
  into: string;
  /** The table embedded. */
  table: string;
  /** 'array': `table` rows referencing `into` (one-to-many); 'document': the `table` row `into` references (lookup). */
  kind: 'array' | 'document';
  field?: string;
  merge?: boolean;
  /** Keep `table` as its own collection as well (default: only when embedded as a looked-up document). */
  keepCollection?: boolean;
  onTooLarge?: 'fail' | 'reference';
}

/**
 * Returns a new plan with a relationship embedded: the sub-document's fields take the types the table's own
 * collection plan gives them (or 'auto'), and the join columns are left out of embedded array items.
 */
export function applyEmbed(plan: MappingPlan, schema: SchemaInfo, req: EmbedRequest): MappingPlan {
  const next: MappingPlan = JSON.parse(JSON.stringify(plan));
  const target = next.collections.find((c) => c.collection === req.into);
  if (!target) throw new MigrationError('PLAN_INVALID', `No collection ${req.into} in the plan.`);
  const child = schema.tables.find((t) => t.name === req.table);
  if (!child) throw new MigrationError('PLAN_INVALID', `No table ${req.table} in the database.`);
  const rel = listRelationships(schema).find((r) =>
    req.kind === 'array'
      ? r.child === req.table && r.parent === target.table
      : r.child === target.table && r.parent === req.table,
  );
  if (!rel)
    throw new MigrationError('PLAN_INVALID', `No foreign key relates ${target.table} and ${req.table} that way.`);
  const own: CollectionPlan | undefined = next.collections.find((c) => c.table === req.table);
  const joinColumns = req.kind === 'array' ? rel.columns : [];
  const columns = child.columns.map((c) => c.name).filter((c) => !joinColumns.includes(c));
  const names = assignFieldNames(columns, []);
  const fields: FieldPlan[] = columns.map((column, i) => ({
    column,
    field: names[i],
    type: own?.fields.find((f) => f.column === column)?.type ?? 'auto',
  }));
  const embed: EmbedPlan = {
    field: req.field ?? (req.kind === 'array' ? child.name : child.name.replace(/s$/i, '')),
    kind: req.kind,
    table: req.table,
    parentColumns: req.kind === 'array' ? rel.refColumns : rel.columns,
    childColumns: req.kind === 'array' ? rel.columns : rel.refColumns,
    fields,
    ...(req.merge ? { merge: true, mergePrefix: `${child.name}_` } : {}),
    ...(req.kind === 'array' ? { onTooLarge: req.onTooLarge ?? 'fail' } : {}),
  };
  target.embeds = [...(target.embeds ?? []).filter((e) => e.field !== embed.field), embed];
  const keep = req.keepCollection ?? req.kind === 'document';
  if (!keep && own) {
    next.collections = next.collections.filter((c) => c !== own);
    next.skipped = [...next.skipped, { table: req.table, reason: `embedded into ${req.into}.${embed.field}` }];
  }
  return next;
}

/** Designer edits of tables and their columns: include or leave out a table, rename its collection, edit a column. */
import { MigrationError } from '../errors';
import type { SchemaInfo } from '../sqlite/types';
import type { CollectionPlan, FieldPlan, MappingPlan } from './types';
import type { PlanEdit } from './edits';

/** A deep copy of a plan (plans are JSON: what JSON leaves out, a plan never holds). */
export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

export function collectionOf(plan: MappingPlan, table: string): CollectionPlan {
  const c = plan.collections.find((x) => x.table === table);
  if (!c) throw new MigrationError('PLAN_INVALID', `Table ${table} is not migrated as a collection: include it first.`);
  return c;
}

export /** Puts a table's collection back (its default mapping, in schema order) and drops its "skipped" entry. */
function restoreCollection(plan: MappingPlan, schema: SchemaInfo, defaults: MappingPlan, table: string): void {
  if (plan.collections.some((c) => c.table === table)) return;
  const table_ = schema.tables.find((t) => t.name === table);
  if (!table_) throw new MigrationError('PLAN_INVALID', `No table ${table} in the database.`);
  const fromDefaults = defaults.collections.find((c) => c.table === table);
  const restored: CollectionPlan = fromDefaults
    ? clone(fromDefaults)
    : {
        // A junction table (no collection in the default plan): its key columns are the whole row.
        collection: table,
        table,
        id:
          table_.primaryKey.length > 1
            ? { kind: 'composite', columns: [...table_.primaryKey] }
            : table_.primaryKey.length === 1
              ? { kind: 'column', column: table_.primaryKey[0] }
              : { kind: 'rowid', rowidField: '_rowid' },
        fields: table_.columns
          .filter((c) => !table_.primaryKey.includes(c.name))
          .map((c) => ({ column: c.name, field: c.name, type: 'auto' as const })),
        arrays: [],
        indexes: [],
      };
  if (plan.collections.some((c) => c.collection === restored.collection))
    restored.collection = `${restored.collection}_${table}`;
  const order = (t: string) => schema.tables.findIndex((x) => x.name === t);
  plan.collections = [...plan.collections, restored].sort((a, b) => order(a.table) - order(b.table));
  plan.skipped = plan.skipped.filter((s) => s.table !== table);
}

export function editColumn(
  plan: MappingPlan,
  defaults: MappingPlan,
  edit: Extract<PlanEdit, { kind: 'column' }>,
): MappingPlan {
  const next = clone(plan);
  const c = collectionOf(next, edit.table);
  let f = c.fields.find((x) => x.column === edit.column);
  if (edit.include === false) {
    c.fields = c.fields.filter((x) => x.column !== edit.column);
    return next;
  }
  if (!f) {
    const d = defaults.collections.find((x) => x.table === edit.table);
    const fromDefault = d?.fields.find((x) => x.column === edit.column);
    if (!fromDefault)
      throw new MigrationError(
        'PLAN_INVALID',
        `Column ${edit.column} of ${edit.table} cannot be a field (it is part of _id).`,
      );
    f = clone(fromDefault);
    const order = (col: string) => d!.fields.findIndex((x) => x.column === col);
    c.fields = [...c.fields, f].sort((a, b) => order(a.column) - order(b.column));
  }
  if (edit.field !== undefined && edit.field !== f.field) {
    const old = f.field;
    f.field = edit.field;
    for (const ix of c.indexes) ix.keys = ix.keys.map(([k, d]) => [k === old ? edit.field! : k, d]);
  }
  if (edit.type !== undefined) f.type = edit.type;
  if (edit.nulls === 'default') delete f.nulls;
  else if (edit.nulls !== undefined) (f as FieldPlan).nulls = edit.nulls;
  if (edit.epoch === 'none') delete f.epoch;
  else if (edit.epoch !== undefined) f.epoch = edit.epoch;
  return next;
}

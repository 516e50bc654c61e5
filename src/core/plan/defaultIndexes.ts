/** The default plan's indexes of a collection: its table's SQLite indexes, the derived ones, and one per foreign key. */
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { derivedIndexes } from './derivedIndexes';
import { compositeIdNames } from './fieldNames';
import type { CollectionPlan, IndexPlan } from './types';

/** Field path of a source column in the target document ('_id', '_id.col' or the mapped field). */
function fieldPathFor(col: string, plan: CollectionPlan): string | null {
  if (plan.id.kind === 'column' && plan.id.column === col) return '_id';
  if (plan.id.kind === 'composite' && plan.id.columns.includes(col))
    return `_id.${compositeIdNames(plan.id)[plan.id.columns.indexOf(col)]}`;
  if (plan.id.kind === 'rowid' && col === 'rowid') return plan.id.rowidField;
  return plan.fields.find((f) => f.column === col)?.field ?? null;
}

export function planIndexes(
  table: TableInfo,
  schema: SchemaInfo,
  plan: CollectionPlan,
  warnings: string[],
): IndexPlan[] {
  const indexes: IndexPlan[] = [];
  const seen = new Set<string>(['_id']);
  const add = (index: IndexPlan) => {
    const signature = index.keys.map(([f, d]) => `${f}:${d}`).join(',');
    if (seen.has(signature)) return;
    seen.add(signature);
    indexes.push(index);
  };
  // The primary key becomes `_id`, which MongoDB always indexes uniquely.
  seen.add(
    plan.id.kind === 'composite'
      ? compositeIdNames(plan.id)
          .map((c) => `_id.${c}:1`)
          .join(',')
      : '_id:1',
  );
  for (const ix of table.indexes) {
    if (ix.origin === 'pk') continue;
    if (ix.partial || ix.columns.some((c) => c === null)) {
      warnings.push(
        `Index ${ix.name} on ${table.name} is ${ix.partial ? 'partial' : 'on an expression'}; it is not created in MongoDB.`,
      );
      continue;
    }
    const keys: Array<[string, 1 | -1]> = [];
    for (let i = 0; i < ix.columns.length; i++) {
      const path = fieldPathFor(ix.columns[i] as string, plan);
      if (!path) break;
      keys.push([path, ix.descending[i] ? -1 : 1]);
    }
    if (keys.length !== ix.columns.length) continue;
    add({ name: ix.name, keys, unique: ix.unique, origin: 'sqlite' });
  }
  for (const derived of derivedIndexes(plan, schema)) add(derived);
  for (const fk of table.foreignKeys) {
    const paths = fk.columns.map((c) => fieldPathFor(c, plan));
    if (paths.some((p) => !p)) continue;
    const keys = paths.map((p) => [p as string, 1] as [string, 1]);
    // A SQLite index already covering these fields as a prefix serves the same lookups.
    const covered = indexes.some((ix) => keys.every(([f], i) => ix.keys[i]?.[0] === f));
    if (covered || (keys.length === 1 && keys[0][0] === '_id')) continue;
    add({ name: `${paths.join('_')}_fk`, keys, unique: false, origin: 'foreign-key' });
  }
  return indexes;
}

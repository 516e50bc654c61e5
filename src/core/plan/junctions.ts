/** Junction tables (two foreign keys making the whole primary key): found in a schema, and their arrays named. */
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import type { ArrayFieldPlan } from './types';

export interface JunctionInfo {
  junction: TableInfo;
  owner: TableInfo;
  array: ArrayFieldPlan;
}

/**
 * A pure junction table has exactly two columns, both in its primary key, each a single-column foreign key to a
 * table with a single-column primary key. The table referenced by the first key column owns the array.
 */
export function detectJunction(table: TableInfo, schema: SchemaInfo): JunctionInfo | null {
  if (table.columns.length !== 2 || table.primaryKey.length !== 2) return null;
  const refs = table.primaryKey.map((col) => {
    const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === col);
    if (!fk) return null;
    const target = schema.tables.find((t) => t.name === fk.refTable);
    if (!target || target.primaryKey.length !== 1 || fk.refColumns[0] !== target.primaryKey[0]) return null;
    return { col, target, refColumn: fk.refColumns[0] };
  });
  if (!refs[0] || !refs[1]) return null;
  const [owner, value] = refs as [NonNullable<(typeof refs)[0]>, NonNullable<(typeof refs)[0]>];
  return {
    junction: table,
    owner: owner.target,
    array: {
      field: junctionArrayName(table.name, owner.target.name, value.target.name),
      junctionTable: table.name,
      ownerColumn: owner.col,
      valueColumn: value.col,
      ownerKeyColumn: owner.refColumn,
    },
  };
}

/**
 * Names the array after the junction table with the owner's name taken off the front:
 * resource_dependencies on resources → dependencies; PlaylistTrack on Playlist → Tracks.
 * Falls back to the referenced table's name. A trailing "s" is added when missing (it holds many ids).
 */
export function junctionArrayName(junctionName: string, ownerName: string, valueTableName: string): string {
  const stems = [ownerName, ownerName.replace(/s$/i, '')].filter((s) => s.length > 0);
  let rest = junctionName;
  for (const stem of stems) {
    if (rest.toLowerCase().startsWith(stem.toLowerCase()) && rest.length > stem.length) {
      rest = rest.slice(stem.length).replace(/^[_\s-]+/, '');
      break;
    }
  }
  if (rest === junctionName || rest === '') rest = valueTableName;
  return /s$/i.test(rest) ? rest : `${rest}s`;
}

/** Junction tables (skipped as collections in the default plan) are designed through their own modes. */
export function junctionTables(schema: SchemaInfo): Set<string> {
  return new Set(schema.tables.filter((t) => detectJunction(t, schema)).map((t) => t.name));
}

/** A junction table's array on each side: its owner's (as the default plan folds it) and the other table's. */
export function junctionSides(table: TableInfo, schema: SchemaInfo) {
  const j = detectJunction(table, schema);
  if (!j) return null;
  const owner = j.array;
  const otherFk = table.foreignKeys.find((f) => f.columns[0] === owner.valueColumn)!;
  const ownerFk = table.foreignKeys.find((f) => f.columns[0] === owner.ownerColumn)!;
  const otherName = junctionArrayName(table.name, otherFk.refTable, ownerFk.refTable);
  const other: ArrayFieldPlan = {
    field: otherFk.refTable === ownerFk.refTable || otherName === owner.field ? `${owner.field}_of` : otherName,
    junctionTable: table.name,
    ownerColumn: owner.valueColumn,
    valueColumn: owner.ownerColumn,
    ownerKeyColumn: otherFk.refColumns[0],
  };
  return { owner: { table: ownerFk.refTable, array: owner }, other: { table: otherFk.refTable, array: other } };
}

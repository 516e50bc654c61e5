/** Plan check for the rules beyond fields and relationships: row filters, computed fields, declared relationships. */
import { CompiledExpression } from '../expr/evaluate';
import { referencedColumns } from '../expr/parse';
import { findRelation } from '../sqlite/schema';
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { filterProblem } from './filter';
import type { CollectionPlan, MappingPlan } from './types';

/** Problems of a collection's filter and computed fields; `fieldNames` holds the names already used. */
export function ruleProblems(c: CollectionPlan, table: TableInfo, fieldNames: Set<string>, at: string): string[] {
  const problems: string[] = [];
  if (c.filter !== undefined) {
    const p = filterProblem(c.filter);
    if (p) problems.push(`${at}: ${p}`);
  }
  if (c.computed === undefined) return problems;
  if (!Array.isArray(c.computed)) return [...problems, `${at}: computed must be an array`];
  for (const f of c.computed) {
    const where = `${at}: computed field ${JSON.stringify(f?.field)}`;
    if (typeof f?.field !== 'string' || !f.field || f.field.includes('.') || f.field.startsWith('$'))
      problems.push(`${where}: name must be non-empty, without "." and not start with "$"`);
    else if (fieldNames.has(f.field)) problems.push(`${where}: clashes with another field`);
    fieldNames.add(f?.field);
    if (typeof f?.expression !== 'string') {
      problems.push(`${where}: expression must be text`);
      continue;
    }
    try {
      const expr = new CompiledExpression(f.expression);
      for (const col of referencedColumns(expr.tree))
        if (!table.columns.some((x) => x.name === col))
          problems.push(`${where}: column ${JSON.stringify(col)} not in ${table.name}`);
    } catch (e) {
      problems.push(`${where}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}

/** Problems of the relationships the plan declares (each must name existing tables and columns, paired). */
export function declaredRelationshipProblems(plan: MappingPlan, schema: SchemaInfo): string[] {
  if (plan.relationships === undefined) return [];
  if (!Array.isArray(plan.relationships)) return ['relationships must be an array'];
  const problems: string[] = [];
  plan.relationships.forEach((r, i) => {
    const at = `relationships[${i}]`;
    const child = findRelation(schema, r?.table);
    const parent = findRelation(schema, r?.refTable);
    if (!child || !parent)
      return void problems.push(`${at}: table ${JSON.stringify(child ? r.refTable : r?.table)} is not in the database`);
    if (
      !Array.isArray(r.columns) ||
      !Array.isArray(r.refColumns) ||
      r.columns.length === 0 ||
      r.columns.length !== r.refColumns.length
    ) {
      return void problems.push(`${at}: columns and refColumns must pair up`);
    }
    for (const col of r.columns)
      if (!child.columns.some((x) => x.name === col))
        problems.push(`${at}: column ${JSON.stringify(col)} not in ${child.name}`);
    for (const col of r.refColumns)
      if (!parent.columns.some((x) => x.name === col))
        problems.push(`${at}: column ${JSON.stringify(col)} not in ${parent.name}`);
  });
  return problems;
}

/**
 * Problems of a collection's shard key: top-level fields with one value per document (not arrays), each 1 or
 * "hashed", at most one hashed; a unique index must start with the shard key's fields (a cluster enforces
 * uniqueness per shard only).
 */
export function shardKeyProblems(c: CollectionPlan, at: string): string[] {
  if (c.shardKey === undefined) return [];
  if (!c.shardKey || typeof c.shardKey !== 'object' || Array.isArray(c.shardKey))
    return [`${at}: shardKey must be an object such as { "_id": "hashed" }`];
  const problems: string[] = [];
  const single = new Set(['_id', ...(c.fields ?? []).map((f) => f.field), ...(c.computed ?? []).map((f) => f.field)]);
  if (c.id?.kind === 'rowid') single.add(c.id.rowidField);
  for (const e of c.embeds ?? []) if (e.merge) for (const f of e.fields) single.add(`${e.mergePrefix ?? ''}${f.field}`);
  const entries = Object.entries(c.shardKey);
  if (entries.length === 0) problems.push(`${at}: shardKey names no field`);
  for (const [field, kind] of entries) {
    if (!single.has(field))
      problems.push(
        `${at}: shard key field ${JSON.stringify(field)} is not a field with one value per document (arrays and sub-documents cannot be shard keys)`,
      );
    if (kind !== 1 && kind !== 'hashed') problems.push(`${at}: shard key field ${field} must be 1 or "hashed"`);
  }
  if (entries.filter(([, kind]) => kind === 'hashed').length > 1)
    problems.push(`${at}: a shard key has at most one hashed field`);
  const keyFields = entries.map(([field]) => field);
  for (const ix of c.indexes ?? []) {
    if (ix.unique && !keyFields.every((field, i) => ix.keys[i]?.[0] === field))
      problems.push(
        `${at}: unique index ${ix.name} does not start with the shard key (${keyFields.join(', ')}), which a sharded collection requires; make it non-unique or remove it`,
      );
  }
  return problems;
}

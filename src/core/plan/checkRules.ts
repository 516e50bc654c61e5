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

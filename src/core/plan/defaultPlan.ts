/** The default plan for an open source: built from its schema, with date detection sampling real values. */
import path from 'node:path';
import { introspect, iterateQuery, listSkippedTables, quoteIdent, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import { buildDefaultPlan } from './defaults';
import type { PlanOptions } from './types';

/** Samples a column's first non-null values (date detection for the default plan). */
export function columnSampler(source: SqliteSource) {
  return (table: string, column: string, limit: number) => {
    const values = [];
    for (const row of iterateQuery(
      source,
      `SELECT ${quoteIdent(column)} FROM ${quoteIdent(table)} WHERE ${quoteIdent(column)} IS NOT NULL LIMIT ${limit}`,
    ))
      values.push(row[0]);
    return values;
  };
}

/** The default plan for a source, with review notes; `options` overrides plan-wide settings (nulls, dates). */
export function defaultPlanFor(
  source: SqliteSource,
  schema: SchemaInfo = introspect(source),
  options?: Partial<PlanOptions>,
  build: { includeViews?: boolean } = {},
) {
  const count = (sql: string) => Number([...iterateQuery(source, sql)][0]?.[0] ?? 0);
  const built = buildDefaultPlan(schema, {
    sampler: columnSampler(source),
    count,
    sourceFile: path.basename(source.path),
    options,
    includeViews: build.includeViews,
  });
  // Virtual tables (FTS, R-Tree…) and their shadow tables are not read: say so in the plan rather than silently.
  for (const t of listSkippedTables(source))
    built.plan.skipped.push({ table: t.name, reason: `${t.reason} table (${t.detail}); not migrated` });
  return built;
}

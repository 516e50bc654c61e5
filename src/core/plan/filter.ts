/**
 * Row filters: a SQL WHERE expression per table, evaluated by SQLite (e.g. `deleted_at IS NULL`). The text is put
 * inside `WHERE (…)` of our own SELECT, so it must be one expression: no statement separator and no parenthesis
 * that closes ours. The source is a private read-only copy, so a filter can only choose rows, never change a file.
 */
import { quoteIdent, rowidAlias } from '../sqlite';
import type { TableInfo } from '../sqlite/types';
export function filterProblem(filter: unknown): string | null {
  if (typeof filter !== 'string' || filter.trim() === '')
    return 'filter must be a non-empty SQL expression, e.g. "deleted_at IS NULL"';
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < filter.length; i++) {
    const c = filter[i];
    if (quote) {
      if (c === quote) quote = null;
      continue;
    }
    if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')' && --depth < 0) return 'filter closes a parenthesis it did not open';
    else if (c === ';') return 'filter must be one SQL expression (no ";")';
    else if (c === '-' && filter[i + 1] === '-') return 'filter must not contain a -- comment';
    else if (c === '/' && filter[i + 1] === '*') return 'filter must not contain a /* comment */';
  }
  if (quote) return 'filter has an unterminated quote';
  if (depth !== 0) return 'filter has an unclosed parenthesis';
  return null;
}

/** The WHERE clause text of a filter and an optional extra condition (e.g. the incremental watermark). */
export function whereClause(...conditions: Array<string | undefined>): string | undefined {
  const parts = conditions.filter((c): c is string => !!c && c.trim() !== '');
  return parts.length === 0 ? undefined : parts.map((c) => `(${c})`).join(' AND ');
}

/**
 * The FROM term of a planned table under alias `alias`: the table itself, or with a filter, a subquery of its rows
 * that pass (SQLite flattens it, so the key order still comes from the table's own b-tree). Names in the filter
 * then mean the table's columns even in queries that join other tables. The rowid is carried under its alias.
 */
export function filteredFrom(table: TableInfo, filter: string | undefined, alias: string): string {
  if (!filter) return `${quoteIdent(table.name)} AS ${alias}`;
  const rowid = table.view ? undefined : rowidAlias(table);
  return `(SELECT ${rowid ? `${rowid} AS ${rowid}, ` : ''}* FROM ${quoteIdent(table.name)} WHERE (${filter})) AS ${alias}`;
}

/**
 * Streaming row readers. One prepared statement is stepped row by row, so a table of any size never has to fit
 * in memory as a whole; the statement is always freed, also when the consumer stops early (generator return()).
 */
import { MigrationError } from '../errors';
import type { Statement } from './database';
import { SourceChangedError } from './image';
import type { SqliteSource } from './source';
import { asciiLower, errorMessage, isCorruptionMessage, missingFeatureHint, quoteIdent, shellQuote } from './sql';
import type { SqlValue, TableInfo } from './types';

const ROWID_ALIASES = ['rowid', '_rowid_', 'oid'];

/**
 * The name that reaches a rowid table's rowid: the first of rowid, _rowid_, oid not shadowed by a real column
 * (SQLite compares names ASCII-case-insensitively). Undefined for WITHOUT ROWID tables, or when all three are
 * column names.
 */
export function rowidAlias(table: TableInfo): string | undefined {
  if (table.withoutRowid) return undefined;
  const taken = new Set(table.columns.map((c) => asciiLower(c.name)));
  return ROWID_ALIASES.find((a) => !taken.has(a));
}

/** The columns rows are ordered by: the primary key, or the rowid alias when the table has no primary key. */
export function keyOrderColumns(table: TableInfo): string[] {
  if (table.primaryKey.length > 0) return [...table.primaryKey];
  const alias = rowidAlias(table);
  if (!alias) {
    throw new MigrationError(
      'SOURCE_UNREADABLE',
      `Table ${table.name} has no primary key and its columns named rowid, _rowid_ and oid hide the row ids, so its rows cannot be read in a stable order.`,
      'Rename one of those columns (or add a primary key) in a copy of the database, then migrate the copy.',
    );
  }
  return [alias];
}

export interface IterateRowsOptions {
  /** Columns to read, in this order; default all columns of the table (generated columns included). */
  columns?: string[];
  /** Prepend the rowid as the first value of every row (rowid tables only). */
  withRowid?: boolean;
  /** An SQL condition (without the WHERE keyword); use `?` placeholders and `params` for values. */
  where?: string;
  params?: SqlValue[];
}

/**
 * Yields the rows of `table` in key order, each an array of values in `columns` order (after the rowid when
 * `withRowid`). INTEGER values are bigints (exact over the whole int64 range), REAL numbers, TEXT strings,
 * BLOB Uint8Arrays, NULL null.
 */
export function* iterateRows(
  source: SqliteSource,
  table: TableInfo,
  opts: IterateRowsOptions = {},
): Generator<SqlValue[]> {
  const alias = rowidAlias(table);
  // The rowid alias is written bare: a quoted "rowid" that matches no column could be taken for a string literal.
  const ident = (name: string) => (name === alias ? name : quoteIdent(name));
  const select: string[] = [];
  if (opts.withRowid) {
    if (!alias)
      throw new MigrationError(
        'INTERNAL',
        `Table ${table.name} has no rowid to read (it is WITHOUT ROWID or its columns hide the rowid).`,
      );
    select.push(alias);
  }
  const columns = opts.columns ?? table.columns.map((c) => c.name);
  select.push(...columns.map(quoteIdent));
  if (select.length === 0) select.push('NULL'); // a table always has columns; guard against columns: []

  const order = keyOrderColumns(table).map(ident);
  // A non-INTEGER primary key of a rowid table may hold several NULLs (a legacy SQLite quirk): break such ties
  // by rowid so the order is total and repeatable.
  if (table.primaryKey.length > 0 && alias) order.push(alias);

  const sql = `SELECT ${select.join(', ')} FROM ${quoteIdent(table.name)}${opts.where ? ` WHERE (${opts.where})` : ''} ORDER BY ${order.join(', ')}`;
  yield* stepAll(source, sql, opts.params, `table ${table.name}`);
}

/** SQLite's SQLITE_MAX_COLUMN: the most columns a table, and a result row, may have. */
export const MAX_RESULT_COLUMNS = 2000;

/**
 * Yields the rows of `SELECT <terms> <rest>`, where `rest` (FROM … ORDER BY …) orders the rows by the first `nOrder`
 * terms, totally. A table may have 2,000 columns and a result row may not hold more, so over that the terms are read
 * by several statements with the same order, stepped together; each row comes back whole, in `terms` order.
 */
export function iterateWideQuery(
  source: SqliteSource,
  terms: string[],
  nOrder: number,
  rest: string,
  params?: SqlValue[],
): Generator<SqlValue[]> {
  // The usual case is one statement, returned as is: a generator delegating to another costs a resume per row.
  if (terms.length <= MAX_RESULT_COLUMNS) return iterateQuery(source, `SELECT ${terms.join(', ')} ${rest}`, params);
  return steppedTogether(source, terms, nOrder, rest, params);
}

function* steppedTogether(
  source: SqliteSource,
  terms: string[],
  nOrder: number,
  rest: string,
  params?: SqlValue[],
): Generator<SqlValue[]> {
  const order = terms.slice(0, nOrder);
  const width = MAX_RESULT_COLUMNS - nOrder;
  const parts: Array<Generator<SqlValue[]>> = [];
  for (let i = nOrder; i < terms.length; i += width)
    parts.push(iterateQuery(source, `SELECT ${[...order, ...terms.slice(i, i + width)].join(', ')} ${rest}`, params));
  try {
    for (;;) {
      const got = parts.map((p) => p.next());
      if (got.some((g) => g.done)) return;
      yield [
        ...(got[0].value as SqlValue[]).slice(0, nOrder),
        ...got.flatMap((g) => (g.value as SqlValue[]).slice(nOrder)),
      ];
    }
  } finally {
    for (const p of parts) p.return(undefined);
  }
}

/** Yields the rows of an arbitrary query (same value mapping as iterateRows); the SQL must set its own order. */
export function iterateQuery(source: SqliteSource, sql: string, params?: SqlValue[]): Generator<SqlValue[]> {
  return stepAll(source, sql, params, 'a query');
}

function* stepAll(
  source: SqliteSource,
  sql: string,
  params: SqlValue[] | undefined,
  what: string,
): Generator<SqlValue[]> {
  let stmt: Statement;
  try {
    stmt = source.db.prepare(sql);
  } catch (e) {
    throw mapReadError(source, e, what, sql);
  }
  try {
    if (params && params.length > 0) stmt.bind(params);
  } catch (e) {
    stmt.free(); // e.g. wrong number of parameters
    throw mapReadError(source, e, what, sql);
  }
  try {
    for (;;) {
      let row: SqlValue[];
      try {
        if (!stmt.step()) return;
        row = stmt.row();
      } catch (e) {
        throw mapReadError(source, e, what, sql);
      }
      yield row;
    }
  } finally {
    stmt.free(); // a no-op when the database was closed first (closing finalises its statements)
  }
}

function mapReadError(source: SqliteSource, e: unknown, what: string, sql: string): unknown {
  if (e instanceof MigrationError) return e;
  const cause = e instanceof Error ? e.cause : undefined;
  if (cause instanceof SourceChangedError) {
    return new MigrationError(
      'SOURCE_UNREADABLE',
      `${source.path} changed while ${what} was being read: another program wrote to it.`,
      'Stop the application that writes to the database (or copy the database and its -wal file while it is stopped), then retry.',
      { cause },
    );
  }
  const msg = errorMessage(e);
  if (isCorruptionMessage(msg)) {
    return new MigrationError(
      'SOURCE_CORRUPT',
      `${source.path} is corrupt: SQLite reports "${msg}" while reading ${what}.`,
      `Salvage the readable data first: sqlite3 ${shellQuote(source.path)} .recover | sqlite3 recovered.db — then migrate recovered.db.`,
      { cause: e },
    );
  }
  const hint = missingFeatureHint(msg);
  if (hint)
    return new MigrationError('SOURCE_UNREADABLE', `Cannot read ${what} of ${source.path}: ${msg}.`, hint, {
      cause: e,
    });
  // Anything else is a bug in the SQL we were given (bad column, bad WHERE): keep it a plain error.
  // The SQL of a wide table runs to tens of KB: show its start only.
  const shown = sql.length > 300 ? `${sql.slice(0, 300)}… (${sql.length} characters)` : sql;
  return new Error(`SQLite error while reading ${what} of ${source.path}: ${msg} (SQL: ${shown})`, { cause: e });
}

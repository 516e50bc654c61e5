/**
 * Reads the schema of an opened source: tables (columns, primary key, foreign keys, indexes, row counts) and views.
 * Everything comes from SQLite's own PRAGMAs rather than parsing CREATE statements, so quirks of the SQL dialect
 * (quoting styles, comments, constraint forms) are interpreted exactly as SQLite interprets them.
 */
import type { Database, LooseValue as SqlJsValue } from './database';
import { MigrationError } from '../errors';
import type { SqliteSource } from './source';
import { asciiLower, errorMessage, isCorruptionMessage, missingFeatureHint, quoteIdent, shellQuote } from './sql';
import type { ColumnInfo, ForeignKeyInfo, IndexInfo, SchemaInfo, TableInfo, ViewInfo } from './types';

/** A table left out of SchemaInfo, with the reason (so callers can tell the user what was not migrated). */
export interface SkippedTable {
  name: string;
  reason: 'virtual' | 'shadow';
  /** For virtual tables: the module (fts5, rtree, …); for shadow tables: the virtual table owning it. */
  detail: string;
}

/**
 * The shadow tables each module creates for a virtual table x (x_<suffix>), as the modules' own xShadowName
 * functions list them. An ordinary table that only looks like one (x_data next to an FTS4 table x) is a table.
 */
const SHADOW_SUFFIXES: Record<string, string[]> = {
  fts3: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  fts4: ['content', 'segments', 'segdir', 'docsize', 'stat'],
  fts5: ['data', 'idx', 'content', 'docsize', 'config'],
  rtree: ['node', 'parent', 'rowid'],
  rtree_i32: ['node', 'parent', 'rowid'],
  geopoly: ['node', 'parent', 'rowid'],
};

interface MasterRow {
  type: string;
  name: string;
  sql: string;
}

export function introspect(source: SqliteSource): SchemaInfo {
  const db = source.db;
  try {
    const { tables: tableRows, views: viewRows } = classify(db);
    const pkCache = new Map<string, string[]>();
    const lowerNames = new Map<string, string>();
    for (const t of tableRows) lowerNames.set(asciiLower(t.name), t.name);
    const flags = tableListFlags(db);

    const tables: TableInfo[] = tableRows.map((row) => {
      const columns = readColumns(db, row.name);
      const primaryKey = columns
        .filter((c) => c.pkOrdinal > 0)
        .sort((a, b) => a.pkOrdinal - b.pkOrdinal)
        .map((c) => c.name);
      pkCache.set(row.name, primaryKey);
      return {
        name: row.name,
        withoutRowid: isWithoutRowid(row.name, row.sql, flags),
        columns,
        primaryKey,
        foreignKeys: [],
        indexes: readIndexes(db, row.name),
        rowCount: countRows(db, row.name),
        sql: row.sql,
      };
    });
    // Foreign keys last: a reference without column names means the referenced table's primary key.
    for (const t of tables)
      t.foreignKeys = readForeignKeys(db, t.name, lowerNames, (name) => pkCache.get(name) ?? readPrimaryKey(db, name));

    const views: ViewInfo[] = viewRows.map((row) => ({
      name: row.name,
      columns: readViewColumns(db, row.name),
      sql: row.sql,
    }));
    return { tables, views };
  } catch (e) {
    if (e instanceof MigrationError) throw e;
    const msg = errorMessage(e);
    if (isCorruptionMessage(msg)) {
      throw new MigrationError(
        'SOURCE_CORRUPT',
        `${source.path} is corrupt: SQLite reports "${msg}" while reading the schema.`,
        `Salvage the readable data first: sqlite3 ${shellQuote(source.path)} .recover | sqlite3 recovered.db — then migrate recovered.db.`,
        { cause: e },
      );
    }
    throw new MigrationError(
      'SOURCE_UNREADABLE',
      `Cannot read the schema of ${source.path}: ${msg}.`,
      missingFeatureHint(msg),
      { cause: e },
    );
  }
}

/** Virtual tables and the shadow tables that hold their data; introspect() leaves these out. */
export function listSkippedTables(source: SqliteSource): SkippedTable[] {
  return classify(source.db).skipped;
}

function classify(db: Database): { tables: MasterRow[]; views: MasterRow[]; skipped: SkippedTable[] } {
  const rows = all(
    db,
    "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY rowid",
  ).map((r) => ({ type: String(r[0]), name: String(r[1]), sql: String(r[2]) }));
  const virtuals = new Map<string, string>(); // lower-case name → module
  for (const r of rows) {
    const m = /^\s*CREATE\s+VIRTUAL\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?.*?\bUSING\s+([A-Za-z0-9_]+)/is.exec(r.sql);
    if (r.type === 'table' && m) virtuals.set(asciiLower(r.name), m[1].toLowerCase());
  }
  const shadowByPragma = new Set<string>();
  try {
    for (const r of all(db, "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'"))
      shadowByPragma.add(String(r[0]));
  } catch {
    // pragma_table_list needs SQLite 3.37; the suffix rule below still applies.
  }

  const tables: MasterRow[] = [];
  const views: MasterRow[] = [];
  const skipped: SkippedTable[] = [];
  for (const r of rows) {
    if (r.type === 'view') {
      views.push(r);
      continue;
    }
    if (/^sqlite_/i.test(r.name)) continue; // sqlite_sequence, sqlite_stat1, …: SQLite's own bookkeeping
    const mod = virtuals.get(asciiLower(r.name));
    if (mod) {
      skipped.push({ name: r.name, reason: 'virtual', detail: mod });
      continue;
    }
    const owner = shadowOwner(r.name, virtuals);
    if (owner !== undefined || shadowByPragma.has(r.name)) {
      skipped.push({ name: r.name, reason: 'shadow', detail: owner ?? '' });
      continue;
    }
    tables.push(r);
  }
  return { tables, views, skipped };
}

function shadowOwner(name: string, virtuals: Map<string, string>): string | undefined {
  const lower = asciiLower(name);
  for (let i = lower.lastIndexOf('_'); i > 0; i = lower.lastIndexOf('_', i - 1)) {
    const module = virtuals.get(lower.slice(0, i));
    if (module && SHADOW_SUFFIXES[module]?.includes(lower.slice(i + 1))) return name.slice(0, i);
  }
  return undefined;
}

function readColumns(db: Database, table: string): ColumnInfo[] {
  // hidden: 0 normal, 1 hidden (virtual-table internals), 2 virtual generated, 3 stored generated.
  return all(db, 'SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid', [
    table,
  ])
    .filter((r) => Number(r[5]) !== 1)
    .map((r) => ({
      name: String(r[0]),
      declaredType: r[1] == null ? '' : String(r[1]),
      notNull: Number(r[2]) !== 0,
      defaultValue: r[3] == null ? null : String(r[3]),
      pkOrdinal: Number(r[4]),
      generated: Number(r[5]) === 2 ? 'virtual' : Number(r[5]) === 3 ? 'stored' : 'no',
    }));
}

function readPrimaryKey(db: Database, table: string): string[] {
  return all(db, 'SELECT name FROM pragma_table_xinfo(?) WHERE pk > 0 ORDER BY pk', [table]).map((r) => String(r[0]));
}

function readViewColumns(db: Database, view: string): ColumnInfo[] {
  try {
    return readColumns(db, view);
  } catch {
    // A view over a dropped table cannot be compiled; report it without columns rather than failing the schema.
    return [];
  }
}

function readForeignKeys(
  db: Database,
  table: string,
  lowerNames: Map<string, string>,
  pkOf: (t: string) => string[],
): ForeignKeyInfo[] {
  const byId = new Map<number, { refTable: string; cols: Array<{ seq: number; from: string; to: string | null }> }>();
  for (const r of all(db, 'SELECT id, seq, "table", "from", "to" FROM pragma_foreign_key_list(?) ORDER BY id, seq', [
    table,
  ])) {
    const id = Number(r[0]);
    let fk = byId.get(id);
    if (!fk) byId.set(id, (fk = { refTable: String(r[2]), cols: [] }));
    fk.cols.push({ seq: Number(r[1]), from: String(r[3]), to: r[4] == null ? null : String(r[4]) });
  }
  // SQLite numbers foreign keys last-declared first; report them in declaration order.
  return [...byId.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([, fk]) => {
      // Table names are case-insensitive in SQLite; report the referenced table under its real spelling.
      const refTable = lowerNames.get(asciiLower(fk.refTable)) ?? fk.refTable;
      fk.cols.sort((a, b) => a.seq - b.seq);
      const explicit = fk.cols.every((c) => c.to !== null);
      return {
        columns: fk.cols.map((c) => c.from),
        refTable,
        refColumns: explicit
          ? fk.cols.map((c) => c.to as string)
          : lowerNames.has(asciiLower(refTable))
            ? pkOf(refTable)
            : [],
      };
    });
}

function readIndexes(db: Database, table: string): IndexInfo[] {
  return all(db, 'SELECT name, "unique", origin, partial FROM pragma_index_list(?) ORDER BY seq DESC', [table]).map(
    (r) => {
      const name = String(r[0]);
      const keyCols = all(db, 'SELECT cid, name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno', [
        name,
      ]);
      return {
        name,
        unique: Number(r[1]) !== 0,
        origin: String(r[2]) as IndexInfo['origin'],
        partial: Number(r[3]) !== 0,
        // cid -2 is an expression term; cid -1 is the rowid.
        columns: keyCols.map((k) => (Number(k[0]) === -2 ? null : k[1] == null ? 'rowid' : String(k[1]))),
        descending: keyCols.map((k) => Number(k[2]) !== 0),
      };
    },
  );
}

/** wr=1 in pragma_table_list (SQLite >= 3.37; the engine ships 3.5x); otherwise the CREATE statement's table option. */
function isWithoutRowid(table: string, sql: string, flags: Map<string, boolean> | undefined): boolean {
  const wr = flags?.get(table);
  if (wr !== undefined) return wr;
  // Table options follow the closing parenthesis: ") WITHOUT ROWID", ") STRICT, WITHOUT ROWID".
  return /\)\s*(?:STRICT\s*,\s*)?WITHOUT\s+ROWID\s*(?:,\s*STRICT\s*)?;?\s*$/i.test(sql);
}

function tableListFlags(db: Database): Map<string, boolean> | undefined {
  try {
    const m = new Map<string, boolean>();
    for (const r of all(db, "SELECT name, wr FROM pragma_table_list WHERE schema = 'main'"))
      m.set(String(r[0]), Number(r[1]) !== 0);
    return m;
  } catch {
    return undefined;
  }
}

function countRows(db: Database, table: string): number {
  return Number(all(db, `SELECT count(*) FROM ${quoteIdent(table)}`)[0][0]);
}

function all(db: Database, sql: string, params?: SqlJsValue[]): SqlJsValue[][] {
  const stmt = db.prepare(sql);
  try {
    if (params) stmt.bind(params);
    const out: SqlJsValue[][] = [];
    while (stmt.step()) out.push(stmt.get());
    return out;
  } finally {
    stmt.free();
  }
}

/**
 * A table, or a view presented as a keyless table (`view: true`), by name. Views have no rowid and no key: a plan
 * that includes one gives its documents `_id`s by position (IdPlan 'sequence').
 */
export function findRelation(schema: SchemaInfo, name: string): TableInfo | undefined {
  const table = schema.tables.find((t) => t.name === name);
  if (table) return table;
  const view = schema.views.find((v) => v.name === name);
  return (
    view && {
      name: view.name,
      withoutRowid: true,
      columns: view.columns,
      primaryKey: [],
      foreignKeys: [],
      indexes: [],
      rowCount: 0,
      sql: view.sql,
      view: true,
    }
  );
}

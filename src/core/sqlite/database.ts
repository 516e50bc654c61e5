/**
 * A read-only connection to a PageImage through the wasm SQLite: open (with the read-only VFS, double-quoted
 * string literals accepted as SQLite does by default, in-memory temp storage, the math functions), prepare one
 * statement (statement.ts reads the values), exec for whole results, close.
 */
import type { SqliteEngine, SqliteWasm } from './engine';
import type { ImageSource as PageImage } from './image';
import { registerMathFunctions, releaseMathFunctions } from './mathFunctions';
import { Statement, type LooseValue } from './statement';
import {
  cString,
  readI32,
  SQLITE_OK,
  SQLITE_OPEN_READONLY,
  SQLITE_OPEN_URI,
  withAllocation,
  writeI32,
} from './wasmMemory';

export { Statement };
export type { BindValue, LooseValue } from './statement';

const SQLITE_DBCONFIG_DQS_DML = 1013;
const SQLITE_DBCONFIG_DQS_DDL = 1014;
/** SQLite's page cache (KiB): pages read once are served from memory when a later query (validation) needs them again. */
const PAGE_CACHE_KIB = 32 * 1024;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();
let openCount = 0;

export class Database {
  private readonly wasm: SqliteWasm;
  private handle: number;
  private readonly statements = new Set<Statement>();
  private functionKeys: number[] = [];
  /** @internal The database's text encoding: 1 UTF-8, 2 UTF-16le, 3 UTF-16be. */
  textEncoding = 1;

  private constructor(
    private readonly engine: SqliteEngine,
    private readonly image: PageImage,
    private readonly name: string,
    handle: number,
  ) {
    this.wasm = engine.wasm;
    this.handle = handle;
  }

  /** Opens `image` read-only through the engine's VFS. Throws an Error with SQLite's message when it cannot. */
  static open(engine: SqliteEngine, image: PageImage): Database {
    const { wasm, vfs } = engine;
    const name = `/sqlite2mongo-${++openCount}.db`;
    vfs.provide(name, image);
    const scratch = wasm._sqlite3_malloc(8);
    const zName = cString(wasm, name);
    const zVfs = cString(wasm, vfs.name);
    try {
      const rc = wasm._sqlite3_open_v2(zName, scratch, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, zVfs);
      const handle = readI32(wasm, scratch);
      if (rc !== SQLITE_OK) {
        const msg = handle ? wasm.UTF8ToString(wasm._sqlite3_errmsg(handle)) : `SQLite error ${rc}`;
        if (handle) wasm._sqlite3_close_v2(handle);
        throw new Error(msg);
      }
      const db = new Database(engine, image, name, handle);
      db.functionKeys = registerMathFunctions(wasm, handle);
      // Legacy schemas and views may use "double-quoted" string literals, which SQLite accepts by default.
      db.configure(SQLITE_DBCONFIG_DQS_DDL, 1);
      db.configure(SQLITE_DBCONFIG_DQS_DML, 1);
      // Sorting and temporary b-trees stay in memory: the VFS opens no other file.
      db.exec('PRAGMA temp_store = MEMORY');
      db.exec(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`);
      const encoding = db.exec('PRAGMA encoding')[0]?.values[0]?.[0];
      db.textEncoding = encoding === 'UTF-16le' ? 2 : encoding === 'UTF-16be' ? 3 : 1;
      return db;
    } catch (e) {
      vfs.forget(name);
      throw e;
    } finally {
      wasm._sqlite3_free(zName);
      wasm._sqlite3_free(zVfs);
      wasm._sqlite3_free(scratch);
    }
  }

  /** Prepares one statement. First checks that the files were not changed since they were opened. */
  prepare(sql: string): Statement {
    this.image.checkUnchanged();
    if (this.image.changed) throw new Error(this.image.changed.message, { cause: this.image.changed });
    const stmt = this.prepareNext(sql, 0).stmt;
    if (!stmt) throw new Error('The SQL text holds no statement.');
    return stmt;
  }

  /** Runs every statement of `sql`; returns the rows of those that produce columns (integers as numbers). */
  exec(sql: string): Array<{ columns: string[]; values: LooseValue[][] }> {
    const results: Array<{ columns: string[]; values: LooseValue[][] }> = [];
    let offset = 0;
    for (;;) {
      const { stmt, next } = this.prepareNext(sql, offset);
      offset = next;
      if (!stmt) return results;
      try {
        const values: LooseValue[][] = [];
        while (stmt.step()) values.push(stmt.get());
        if (stmt.columnCount > 0) results.push({ columns: stmt.columnNames(), values });
      } finally {
        stmt.free();
      }
    }
  }

  close(): void {
    if (!this.handle) return;
    for (const s of [...this.statements]) s.free();
    this.wasm._sqlite3_close_v2(this.handle);
    this.handle = 0;
    releaseMathFunctions(this.wasm, this.functionKeys);
    this.engine.vfs.forget(this.name);
  }

  /** @internal */
  forgetStatement(s: Statement): void {
    this.statements.delete(s);
  }

  /** @internal The error SQLite reports for the last call, as an Error with its message. */
  error(): Error {
    const cause = this.engine.vfs.lastError;
    this.engine.vfs.lastError = undefined;
    const msg = this.handle ? this.wasm.UTF8ToString(this.wasm._sqlite3_errmsg(this.handle)) : 'the database is closed';
    return new Error(msg, cause === undefined ? undefined : { cause });
  }

  private configure(op: number, value: number): void {
    // sqlite3_db_config is variadic: in wasm its extra arguments are passed as a pointer to an argument array.
    withAllocation(this.wasm, 8, (args) => {
      writeI32(this.wasm, args, value);
      writeI32(this.wasm, args + 4, 0);
      this.wasm._sqlite3_db_config(this.handle, op, args);
    });
  }

  /** Prepares the statement starting at character `offset` of `sql`; stmt is undefined when only whitespace is left. */
  private prepareNext(sql: string, offset: number): { stmt: Statement | undefined; next: number } {
    if (!this.handle) throw new Error('the database is closed');
    const { wasm } = this;
    const bytes = encoder.encode(sql.slice(offset));
    const zSql = wasm._sqlite3_malloc(bytes.length + 1);
    const ppStmt = wasm._sqlite3_malloc(8); // the statement handle, then the tail pointer
    try {
      wasm.HEAPU8.set(bytes, zSql);
      wasm.HEAPU8[zSql + bytes.length] = 0;
      const rc = wasm._sqlite3_prepare_v2(this.handle, zSql, bytes.length, ppStmt, ppStmt + 4);
      if (rc !== SQLITE_OK) throw this.error();
      const handle = readI32(wasm, ppStmt);
      const tail = readI32(wasm, ppStmt + 4) - zSql;
      const next = offset + utf8.decode(bytes.subarray(0, tail)).length;
      if (!handle) return { stmt: undefined, next };
      const stmt = new Statement(this, wasm, handle);
      this.statements.add(stmt);
      return { stmt, next };
    } finally {
      wasm._sqlite3_free(zSql);
      wasm._sqlite3_free(ppStmt);
    }
  }
}

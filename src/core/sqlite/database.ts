/**
 * A read-only connection to a PageImage through the wasm SQLite, with the small statement API the reader needs
 * (prepare / bind / step / get / free, and exec for whole results). Values are read straight from the wasm heap:
 * INTEGER as an exact 64-bit value from its two 32-bit halves (no text round trip), TEXT decoded once, BLOB copied.
 */
import type { SqliteEngine, SqliteWasm } from './engine';
import type { ImageSource as PageImage } from './image';
import { registerMathFunctions, releaseMathFunctions } from './mathFunctions';
import { InvalidText, type SqlValue } from './types';

const SQLITE_OK = 0;
const SQLITE_ROW = 100;
const SQLITE_DONE = 101;
const SQLITE_INTEGER = 1;
const SQLITE_FLOAT = 2;
const SQLITE_TEXT = 3;
const SQLITE_BLOB = 4;
const SQLITE_OPEN_READONLY = 0x1;
const SQLITE_OPEN_URI = 0x40;
const SQLITE_DBCONFIG_DQS_DML = 1013;
const SQLITE_DBCONFIG_DQS_DDL = 1014;
/** SQLITE_TRANSIENT: SQLite copies bound text/blobs before the call returns. */
const SQLITE_TRANSIENT = -1;
const TWO_32 = 0x100000000;

/** A value as the lenient accessors (get/exec) return it: INTEGERs as JS numbers, like sql.js. */
export type LooseValue = number | string | Uint8Array | null;
export type BindValue = SqlValue | boolean | undefined;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();
/** Strict decoders by the database's text encoding (header offset 56: 1 UTF-8, 2 UTF-16le, 3 UTF-16be). */
const STRICT: Record<number, TextDecoder> = {
  1: new TextDecoder('utf-8', { fatal: true }),
  2: new TextDecoder('utf-16le', { fatal: true }),
  3: new TextDecoder('utf-16be', { fatal: true }),
};
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
      const handle = wasm.HEAP32[scratch >> 2];
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
    const args = this.wasm._sqlite3_malloc(8);
    try {
      this.wasm.HEAP32[args >> 2] = value;
      this.wasm.HEAP32[(args >> 2) + 1] = 0;
      this.wasm._sqlite3_db_config(this.handle, op, args);
    } finally {
      this.wasm._sqlite3_free(args);
    }
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
      const handle = wasm.HEAP32[ppStmt >> 2];
      const tail = wasm.HEAP32[(ppStmt + 4) >> 2] - zSql;
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

export class Statement {
  readonly columnCount: number;

  constructor(
    private readonly db: Database,
    private readonly wasm: SqliteWasm,
    private handle: number,
  ) {
    this.columnCount = wasm._sqlite3_column_count(handle);
  }

  columnNames(): string[] {
    const names: string[] = [];
    for (let i = 0; i < this.columnCount; i++) names.push(this.wasm.UTF8ToString(this.wasm._sqlite3_column_name(this.handle, i)));
    return names;
  }

  /** Binds positional parameters (?1, ?2, …). bigints bind as exact 64-bit integers. */
  bind(values: readonly BindValue[]): void {
    const { wasm, handle } = this;
    if (values.length > wasm._sqlite3_bind_parameter_count(handle)) throw new Error(`too many parameters: ${values.length}`);
    values.forEach((v, k) => {
      const i = k + 1;
      let rc: number;
      if (v === null || v === undefined) rc = wasm._sqlite3_bind_null(handle, i);
      else if (typeof v === 'bigint') rc = bindInt64(wasm, handle, i, v);
      else if (typeof v === 'boolean') rc = wasm._sqlite3_bind_int64(handle, i, v ? 1 : 0, 0);
      else if (typeof v === 'number') rc = Number.isSafeInteger(v) ? bindInt64(wasm, handle, i, BigInt(v)) : wasm._sqlite3_bind_double(handle, i, v);
      else if (v instanceof InvalidText) rc = bindBytes(wasm, handle, i, v.bytes, true);
      else rc = bindBytes(wasm, handle, i, typeof v === 'string' ? encoder.encode(v) : v, typeof v === 'string');
      if (rc !== SQLITE_OK) throw this.db.error();
    });
  }

  /** Advances to the next row; false when there are no more. Throws SQLite's error. */
  step(): boolean {
    const rc = this.wasm._sqlite3_step(this.handle);
    if (rc === SQLITE_ROW) return true;
    if (rc === SQLITE_DONE) return false;
    throw this.db.error();
  }

  /** The current row with exact values: INTEGER → bigint over the whole int64 range. */
  row(): SqlValue[] {
    const { wasm, handle } = this;
    const n = this.columnCount;
    const out = new Array<SqlValue>(n);
    for (let i = 0; i < n; i++) {
      const type = wasm._sqlite3_column_type(handle, i);
      if (type === SQLITE_INTEGER) {
        const lo = wasm._sqlite3_column_int64(handle, i);
        const hi = wasm._getTempRet0();
        // Within ±2^53 the two halves combine exactly as a double; only larger values need BigInt arithmetic.
        out[i] = hi >= -0x200000 && hi < 0x200000 ? BigInt(hi * TWO_32 + (lo >>> 0)) : (BigInt(hi) << 32n) | BigInt(lo >>> 0);
      } else out[i] = this.value(type, i);
    }
    return out;
  }

  /** The current row with INTEGERs as JS numbers (for schema PRAGMAs and counts). */
  get(): LooseValue[] {
    const { wasm, handle } = this;
    const n = this.columnCount;
    const out = new Array<LooseValue>(n);
    for (let i = 0; i < n; i++) {
      const type = wasm._sqlite3_column_type(handle, i);
      if (type === SQLITE_INTEGER) {
        const lo = wasm._sqlite3_column_int64(handle, i);
        out[i] = wasm._getTempRet0() * TWO_32 + (lo >>> 0);
      } else if (type === SQLITE_TEXT) {
        const p = wasm._sqlite3_column_text(handle, i);
        out[i] = utf8.decode(wasm.HEAPU8.subarray(p, p + wasm._sqlite3_column_bytes(handle, i)));
      } else out[i] = this.value(type, i) as LooseValue;
    }
    return out;
  }

  free(): void {
    if (!this.handle) return;
    this.wasm._sqlite3_finalize(this.handle);
    this.handle = 0;
    this.db.forgetStatement(this);
  }

  private value(type: number, i: number): SqlValue {
    const { wasm, handle } = this;
    if (type === SQLITE_FLOAT) return wasm._sqlite3_column_double(handle, i);
    if (type === SQLITE_TEXT) return this.text(i);
    if (type === SQLITE_BLOB) {
      const p = wasm._sqlite3_column_blob(handle, i);
      return wasm.HEAPU8.slice(p, p + wasm._sqlite3_column_bytes(handle, i));
    }
    return null;
  }

  /**
   * TEXT exactly as stored: decoded strictly from the stored bytes (NULs included); bytes that are not valid in
   * the database's encoding (a Latin-1 import, a lone surrogate) are kept as InvalidText, never replaced by U+FFFD.
   */
  private text(i: number): string | InvalidText {
    const { wasm, handle } = this;
    const encoding = this.db.textEncoding;
    // column_text gives UTF-8 bytes unconverted in a UTF-8 database; column_blob gives the stored bytes in any.
    const p = encoding === 1 ? wasm._sqlite3_column_text(handle, i) : wasm._sqlite3_column_blob(handle, i);
    const bytes = wasm.HEAPU8.subarray(p, p + wasm._sqlite3_column_bytes(handle, i));
    try {
      return STRICT[encoding].decode(bytes);
    } catch {
      return new InvalidText(bytes.slice());
    }
  }
}

function bindInt64(wasm: SqliteWasm, stmt: number, i: number, v: bigint): number {
  const n = BigInt.asIntN(64, v);
  if (n !== v) return wasm._sqlite3_bind_double(stmt, i, Number(v)); // outside int64: SQLite would store a REAL too
  return wasm._sqlite3_bind_int64(stmt, i, Number(n & 0xffffffffn) | 0, Number(n >> 32n));
}

function bindBytes(wasm: SqliteWasm, stmt: number, i: number, bytes: Uint8Array, text: boolean): number {
  const p = wasm._sqlite3_malloc(Math.max(1, bytes.length));
  try {
    wasm.HEAPU8.set(bytes, p);
    return text ? wasm._sqlite3_bind_text(stmt, i, p, bytes.length, SQLITE_TRANSIENT) : wasm._sqlite3_bind_blob(stmt, i, p, bytes.length, SQLITE_TRANSIENT);
  } finally {
    wasm._sqlite3_free(p);
  }
}

function cString(wasm: SqliteWasm, s: string): number {
  const bytes = encoder.encode(s);
  const p = wasm._sqlite3_malloc(bytes.length + 1);
  wasm.HEAPU8.set(bytes, p);
  wasm.HEAPU8[p + bytes.length] = 0;
  return p;
}

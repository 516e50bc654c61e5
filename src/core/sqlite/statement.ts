/**
 * A prepared statement of a Database (database.ts): bind, step, and read the current row straight from the wasm
 * heap — INTEGER as an exact 64-bit value from its two 32-bit halves, TEXT validated and decoded once (bytes that
 * are not valid text stay exact as InvalidText), BLOB copied once.
 */
import { isUtf8 } from 'node:buffer';
import type { Database } from './database';
import type { SqliteWasm } from './engine';
import { InvalidText, type SqlValue } from './types';
import {
  bigintFromHalves,
  int64Halves,
  numberFromHalves,
  SQLITE_BLOB,
  SQLITE_DONE,
  SQLITE_FLOAT,
  SQLITE_INTEGER,
  SQLITE_OK,
  SQLITE_ROW,
  SQLITE_TEXT,
  withAllocation,
} from './wasmMemory';

/** SQLITE_TRANSIENT: SQLite copies bound text/blobs before the call returns. */
const SQLITE_TRANSIENT = -1;

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
    for (let i = 0; i < this.columnCount; i++)
      names.push(this.wasm.UTF8ToString(this.wasm._sqlite3_column_name(this.handle, i)));
    return names;
  }

  /** Binds positional parameters (?1, ?2, …). bigints bind as exact 64-bit integers. */
  bind(values: readonly BindValue[]): void {
    const { wasm, handle } = this;
    if (values.length > wasm._sqlite3_bind_parameter_count(handle))
      throw new Error(`too many parameters: ${values.length}`);
    values.forEach((v, k) => {
      const i = k + 1;
      let rc: number;
      if (v === null || v === undefined) rc = wasm._sqlite3_bind_null(handle, i);
      else if (typeof v === 'bigint') rc = bindInt64(wasm, handle, i, v);
      else if (typeof v === 'boolean') rc = wasm._sqlite3_bind_int64(handle, i, v ? 1 : 0, 0);
      else if (typeof v === 'number')
        rc = Number.isSafeInteger(v) ? bindInt64(wasm, handle, i, BigInt(v)) : wasm._sqlite3_bind_double(handle, i, v);
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
    const utf8Db = this.db.textEncoding === 1;
    for (let i = 0; i < n; i++) {
      const type = wasm._sqlite3_column_type(handle, i);
      if (type === SQLITE_INTEGER) {
        const lo = wasm._sqlite3_column_int64(handle, i);
        out[i] = bigintFromHalves(lo, wasm._getTempRet0());
      } else if (type === SQLITE_TEXT && utf8Db) out[i] = utf8Text(wasm, handle, i);
      else out[i] = this.value(type, i);
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
        out[i] = numberFromHalves(lo, wasm._getTempRet0());
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
    if (encoding === 1) return utf8Text(wasm, handle, i);
    // column_blob gives the stored bytes in any encoding.
    const p = wasm._sqlite3_column_blob(handle, i);
    const n = wasm._sqlite3_column_bytes(handle, i);
    const bytes = wasm.HEAPU8.subarray(p, p + n);
    try {
      return STRICT[encoding].decode(bytes);
    } catch {
      return new InvalidText(bytes.slice());
    }
  }
}

/**
 * TEXT of a UTF-8 database, decoded natively straight from the wasm memory. Bytes that are not UTF-8 decode to
 * U+FFFD, so only a text holding U+FFFD (invalid bytes, or a stored U+FFFD) needs the strict check: as exact as a
 * fatal decoder, and much cheaper per value (the bson library reads strings the same way).
 */
function utf8Text(wasm: SqliteWasm, handle: number, i: number): string | InvalidText {
  // column_text gives the stored UTF-8 bytes unconverted; it may allocate (to add a terminating NUL), so the
  // memory view is taken after it.
  const p = wasm._sqlite3_column_text(handle, i);
  const n = wasm._sqlite3_column_bytes(handle, i);
  const heap = heapBuffer(wasm);
  const text = heap.utf8Slice(p, p + n);
  if (text.indexOf('\uFFFD') === -1 || isUtf8(heap.subarray(p, p + n))) return text;
  return new InvalidText(Uint8Array.prototype.slice.call(heap, p, p + n));
}

/** Node's native UTF-8 decoder of a Buffer range (what `toString('utf8', start, end)` calls, without its checks). */
type SlicingBuffer = Buffer & { utf8Slice(start: number, end: number): string };

let heapView: SlicingBuffer | undefined;
let heapViewOf: Uint8Array | undefined;

/**
 * A Buffer over the wasm memory, renewed when the memory grows: growing replaces its ArrayBuffer, and the module
 * replaces HEAPU8 with it, so comparing HEAPU8 itself is enough (cheaper than reading the buffer per value).
 */
function heapBuffer(wasm: SqliteWasm): SlicingBuffer {
  const heap = wasm.HEAPU8;
  if (heap !== heapViewOf || heapView === undefined) {
    heapView = Buffer.from(heap.buffer, heap.byteOffset, heap.byteLength) as SlicingBuffer;
    heapViewOf = heap;
  }
  return heapView;
}

function bindInt64(wasm: SqliteWasm, stmt: number, i: number, v: bigint): number {
  const n = BigInt.asIntN(64, v);
  if (n !== v) return wasm._sqlite3_bind_double(stmt, i, Number(v)); // outside int64: SQLite would store a REAL too
  const [lo, hi] = int64Halves(n);
  return wasm._sqlite3_bind_int64(stmt, i, lo, hi);
}

function bindBytes(wasm: SqliteWasm, stmt: number, i: number, bytes: Uint8Array, text: boolean): number {
  return withAllocation(wasm, bytes.length, (p) => {
    wasm.HEAPU8.set(bytes, p);
    return text
      ? wasm._sqlite3_bind_text(stmt, i, p, bytes.length, SQLITE_TRANSIENT)
      : wasm._sqlite3_bind_blob(stmt, i, p, bytes.length, SQLITE_TRANSIENT);
  });
}

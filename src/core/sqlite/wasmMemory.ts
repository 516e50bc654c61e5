/**
 * The C side of wa-sqlite as the reader sees it, in one place: SQLite's result, type and flag codes, and the ways
 * database.ts, statement.ts, vfs.ts and mathFunctions.ts read and write the wasm memory (32-bit cells, 64-bit
 * integers as two 32-bit halves, C strings, short-lived allocations).
 */
import type { SqliteWasm } from './engine';

export const SQLITE_OK = 0;
export const SQLITE_READONLY = 8;
export const SQLITE_IOERR = 10;
export const SQLITE_NOTFOUND = 12;
export const SQLITE_CANTOPEN = 14;
export const SQLITE_ROW = 100;
export const SQLITE_DONE = 101;
export const SQLITE_IOERR_READ = 266;
export const SQLITE_IOERR_SHORT_READ = 522;

/** Storage classes (sqlite3_column_type, sqlite3_value_numeric_type). */
export const SQLITE_INTEGER = 1;
export const SQLITE_FLOAT = 2;
export const SQLITE_TEXT = 3;
export const SQLITE_BLOB = 4;

export const SQLITE_OPEN_READONLY = 0x1;
export const SQLITE_OPEN_URI = 0x40;
export const SQLITE_OPEN_MAIN_DB = 0x100;

const TWO_32 = 0x100000000;
const encoder = new TextEncoder();

/** The 32-bit cell at byte address `ptr`. */
export function readI32(wasm: SqliteWasm, ptr: number): number {
  return wasm.HEAP32[ptr >> 2];
}

export function writeI32(wasm: SqliteWasm, ptr: number, value: number): void {
  wasm.HEAP32[ptr >> 2] = value;
}

/** Writes a non-negative integer below 2^53 (a file size, a time) as a little-endian int64. */
export function writeI64(wasm: SqliteWasm, ptr: number, value: number): void {
  wasm.HEAP32[ptr >> 2] = (value % TWO_32) | 0;
  wasm.HEAP32[(ptr >> 2) + 1] = Math.floor(value / TWO_32);
}

/** A 64-bit integer from its halves as a JS number: exact within ±2^53 (counts, sizes, offsets). */
export function numberFromHalves(lo: number, hi: number): number {
  return hi * TWO_32 + (lo >>> 0);
}

/** A 64-bit integer from its halves, exact over the whole int64 range. */
export function bigintFromHalves(lo: number, hi: number): bigint {
  // Within ±2^53 the two halves combine exactly as a double; only larger values need BigInt arithmetic.
  return hi >= -0x200000 && hi < 0x200000 ? BigInt(hi * TWO_32 + (lo >>> 0)) : (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}

/** The [low, high] 32-bit halves of an int64 (as the C API takes it, e.g. sqlite3_bind_int64). */
export function int64Halves(value: bigint): [number, number] {
  return [Number(value & 0xffffffffn) | 0, Number(value >> 32n)];
}

/** Copies `s` into the wasm memory as a NUL-terminated UTF-8 string; the caller frees it (sqlite3_free). */
export function cString(wasm: SqliteWasm, s: string): number {
  const bytes = encoder.encode(s);
  const p = wasm._sqlite3_malloc(bytes.length + 1);
  wasm.HEAPU8.set(bytes, p);
  wasm.HEAPU8[p + bytes.length] = 0;
  return p;
}

/** Runs `use` with `size` bytes of wasm memory (at least one), freed afterwards also when it throws. */
export function withAllocation<T>(wasm: SqliteWasm, size: number, use: (ptr: number) => T): T {
  const p = wasm._sqlite3_malloc(Math.max(1, size));
  try {
    return use(p);
  } finally {
    wasm._sqlite3_free(p);
  }
}

/**
 * SQLite's built-in math functions (sqrt, ln, pow, pi, …; SQLITE_ENABLE_MATH_FUNCTIONS), which the wasm build
 * leaves out. Views and generated columns may call them, and the sqlite3 the user has (Python's, the CLI) has them,
 * so we define them as application functions with SQLite's own semantics (ext/misc and func.c): a NULL or
 * non-numeric argument gives NULL, a NaN result (out of domain) gives NULL, ceil/floor/trunc keep INTEGERs as they are.
 */
import type { SqliteWasm } from './engine';
import { readI32, SQLITE_FLOAT, SQLITE_INTEGER, writeI32 } from './wasmMemory';

const SQLITE_UTF8 = 1;
const SQLITE_DETERMINISTIC = 0x800;

type Unary = (x: number) => number;

const UNARY: Record<string, Unary> = {
  acos: Math.acos,
  asin: Math.asin,
  atan: Math.atan,
  acosh: Math.acosh,
  asinh: Math.asinh,
  atanh: Math.atanh,
  cos: Math.cos,
  sin: Math.sin,
  tan: Math.tan,
  cosh: Math.cosh,
  sinh: Math.sinh,
  tanh: Math.tanh,
  exp: Math.exp,
  sqrt: Math.sqrt,
  degrees: (x) => x * (180 / Math.PI),
  radians: (x) => x * (Math.PI / 180),
  ln: (x) => (x > 0 ? Math.log(x) : NaN),
  log10: (x) => (x > 0 ? Math.log10(x) : NaN),
  log2: (x) => (x > 0 ? Math.log2(x) : NaN),
};

const BINARY: Record<string, (a: number, b: number) => number> = {
  atan2: Math.atan2,
  pow: Math.pow,
  power: Math.pow,
  mod: (a, b) => a % b, // C fmod: the sign of the dividend, NaN for b = 0
  // log(B, X): the logarithm of X in base B.
  log: (b, x) => (b > 0 && x > 0 && b !== 1 ? Math.log(x) / Math.log(b) : NaN),
};

/** Kept INTEGER when the argument is one (SQLite returns the argument itself). */
const ROUNDING: Record<string, Unary> = { ceil: Math.ceil, ceiling: Math.ceil, floor: Math.floor, trunc: Math.trunc };

/** Registers the math functions on connection `db`; returns the callback keys to release after closing it. */
export function registerMathFunctions(wasm: SqliteWasm, db: number): number[] {
  const keys: number[] = [];
  const numberArg = (argv: number, i: number): number | undefined => {
    const v = readI32(wasm, argv + 4 * i);
    const t = wasm._sqlite3_value_numeric_type(v);
    return t === SQLITE_INTEGER || t === SQLITE_FLOAT ? wasm._sqlite3_value_double(v) : undefined;
  };
  const define = (name: string, nArg: number, xFunc: (ctx: number, n: number, argv: number) => void) => {
    const key = wasm._sqlite3_malloc(4);
    writeI32(wasm, key, 0); // no asynchronous methods
    const rc = wasm.ccall(
      'libfunction_create_function',
      'number',
      ['number', 'string', 'number', 'number', 'number', 'number', 'number', 'number'],
      [db, name, nArg, SQLITE_UTF8 | SQLITE_DETERMINISTIC, key, 1, 0, 0],
    );
    if (rc !== 0) {
      wasm._sqlite3_free(key);
      throw new Error(`Cannot define the SQL function ${name} (SQLite error ${String(rc)})`);
    }
    wasm.setCallback(key, { xFunc });
    keys.push(key);
  };
  const result = (ctx: number, x: number | undefined) => {
    if (x === undefined || Number.isNaN(x)) wasm._sqlite3_result_null(ctx);
    else wasm._sqlite3_result_double(ctx, x);
  };

  for (const [name, f] of Object.entries(UNARY)) {
    define(name, 1, (ctx, _n, argv) => {
      const x = numberArg(argv, 0);
      result(ctx, x === undefined ? undefined : f(x));
    });
  }
  define('log', 1, (ctx, _n, argv) => {
    const x = numberArg(argv, 0);
    result(ctx, x === undefined ? undefined : UNARY.log10(x));
  });
  for (const [name, f] of Object.entries(BINARY)) {
    define(name, 2, (ctx, _n, argv) => {
      const a = numberArg(argv, 0);
      const b = numberArg(argv, 1);
      result(ctx, a === undefined || b === undefined ? undefined : f(a, b));
    });
  }
  for (const [name, f] of Object.entries(ROUNDING)) {
    define(name, 1, (ctx, _n, argv) => {
      const v = readI32(wasm, argv);
      if (wasm._sqlite3_value_numeric_type(v) === SQLITE_INTEGER) {
        const lo = wasm._sqlite3_value_int64(v);
        wasm._sqlite3_result_int64(ctx, lo, wasm._getTempRet0());
      } else {
        const x = numberArg(argv, 0);
        result(ctx, x === undefined ? undefined : f(x));
      }
    });
  }
  define('pi', 0, (ctx) => wasm._sqlite3_result_double(ctx, Math.PI));
  return keys;
}

/** Releases the callbacks of a closed connection (SQLite itself frees the keys when it drops the functions). */
export function releaseMathFunctions(wasm: SqliteWasm, keys: number[]): void {
  for (const key of keys) wasm.deleteCallback(key);
}

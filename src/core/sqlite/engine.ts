/**
 * The SQLite engine: wa-sqlite's synchronous WebAssembly build (SQLite compiled to wasm, with JavaScript VFS
 * support), loaded once per wasm file. Only its raw C entry points are used (see database.ts), plus our read-only
 * VFS (vfs.ts), registered once per module.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReadOnlyVfs } from './vfs';

const WASM_FILE = 'wa-sqlite.wasm';
export const VFS_NAME = 'sqlite2mongo-readonly';

/** The subset of the Emscripten module (C functions are exported with a leading underscore) that we call. */
export interface SqliteWasm {
  HEAPU8: Uint8Array;
  HEAP32: Int32Array;
  UTF8ToString(ptr: number, maxBytes?: number): string;
  vfs_register(vfs: object, makeDefault: boolean): number;
  ccall(name: string, ret: string | null, argTypes: string[], args: unknown[]): unknown;
  setCallback(key: number, target: object): void;
  deleteCallback(key: number): void;
  _getTempRet0(): number;
  _sqlite3_malloc(n: number): number;
  _sqlite3_free(p: number): void;
  _sqlite3_open_v2(zFilename: number, ppDb: number, flags: number, zVfs: number): number;
  _sqlite3_close_v2(db: number): number;
  _sqlite3_errmsg(db: number): number;
  _sqlite3_extended_errcode(db: number): number;
  _sqlite3_prepare_v2(db: number, zSql: number, nByte: number, ppStmt: number, pzTail: number): number;
  _sqlite3_step(stmt: number): number;
  _sqlite3_reset(stmt: number): number;
  _sqlite3_finalize(stmt: number): number;
  _sqlite3_column_count(stmt: number): number;
  _sqlite3_column_name(stmt: number, i: number): number;
  _sqlite3_column_type(stmt: number, i: number): number;
  _sqlite3_column_int64(stmt: number, i: number): number;
  _sqlite3_column_double(stmt: number, i: number): number;
  _sqlite3_column_text(stmt: number, i: number): number;
  _sqlite3_column_blob(stmt: number, i: number): number;
  _sqlite3_column_bytes(stmt: number, i: number): number;
  _sqlite3_bind_parameter_count(stmt: number): number;
  _sqlite3_bind_null(stmt: number, i: number): number;
  _sqlite3_bind_int64(stmt: number, i: number, lo: number, hi: number): number;
  _sqlite3_bind_double(stmt: number, i: number, v: number): number;
  _sqlite3_bind_text(stmt: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_bind_blob(stmt: number, i: number, p: number, n: number, destructor: number): number;
  _sqlite3_db_config(db: number, op: number, varargs: number): number;
  _sqlite3_value_numeric_type(v: number): number;
  _sqlite3_value_double(v: number): number;
  _sqlite3_value_int64(v: number): number;
  _sqlite3_result_double(ctx: number, v: number): void;
  _sqlite3_result_int64(ctx: number, lo: number, hi: number): void;
  _sqlite3_result_null(ctx: number): void;
}

export interface SqliteEngine {
  wasm: SqliteWasm;
  vfs: ReadOnlyVfs;
}

const cache = new Map<string, Promise<SqliteEngine>>();

/**
 * Where wa-sqlite.wasm lives. The build copies it into dist/ next to the bundles, because the packaged extension
 * ships without node_modules; when running from sources (tests via tsx) it is found in the package.
 */
export function locateEngineWasm(override?: string): string {
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`SQLite wasm file not found at ${override}`);
    return override;
  }
  const besideBundle = path.join(__dirname, WASM_FILE);
  if (fs.existsSync(besideBundle)) return besideBundle;
  try {
    const fromPackage = require.resolve(`@journeyapps/wa-sqlite/dist/${WASM_FILE}`);
    if (fs.existsSync(fromPackage)) return fromPackage;
  } catch {
    // Not resolvable (packaged extension); fall through to the error below.
  }
  throw new Error(`Cannot find ${WASM_FILE} next to ${__dirname} or in the @journeyapps/wa-sqlite package.`);
}

export function loadEngine(wasmPath?: string): Promise<SqliteEngine> {
  const file = path.resolve(locateEngineWasm(wasmPath));
  let p = cache.get(file);
  if (!p) {
    p = instantiate(file);
    // A failed initialisation must not poison the cache for later attempts.
    p.catch(() => cache.delete(file));
    cache.set(file, p);
  }
  return p;
}

type Factory = (config: object) => Promise<SqliteWasm>;

async function instantiate(file: string): Promise<SqliteEngine> {
  const module = await WebAssembly.compile(fs.readFileSync(file));
  const factory = ((await import('@journeyapps/wa-sqlite/dist/wa-sqlite.mjs')) as { default: Factory }).default;
  // We instantiate the wasm ourselves: no fetch/URL guessing inside Emscripten (import.meta.url is gone once bundled).
  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const wasm = await Promise.race([
    factory({
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        WebAssembly.instantiate(module, imports).then((instance) => done(instance, module), fail);
        return {};
      },
    }),
    failed,
  ]);
  const vfs = new ReadOnlyVfs(VFS_NAME, wasm);
  const rc = wasm.vfs_register(vfs, false);
  if (rc !== 0) throw new Error(`Cannot register the read-only VFS (SQLite error ${rc})`);
  return { wasm, vfs };
}

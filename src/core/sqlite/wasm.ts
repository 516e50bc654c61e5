/**
 * Loads the sql.js WebAssembly module exactly once per wasm file. Initialising compiles ~1 MB of wasm, so every
 * caller shares the cached promise.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import initSqlJs from 'sql.js';
import type { SqlJsStatic } from 'sql.js';

const WASM_FILE = 'sql-wasm.wasm';
const cache = new Map<string, Promise<SqlJsStatic>>();
let loaded: SqlJsStatic | undefined;

/** The sql.js module once loadSqlJs has resolved (the row reader uses two of its C functions directly). */
export function loadedSqlJs(): SqlJsStatic | undefined {
  return loaded;
}

/**
 * Where sql-wasm.wasm lives. The build copies it into dist/ next to the bundles, because the packaged extension
 * ships without node_modules; when running from sources (tests via tsx) it is found in the sql.js package.
 */
export function locateSqlWasm(override?: string): string {
  if (override) {
    if (!fs.existsSync(override)) throw new Error(`sql.js wasm file not found at ${override}`);
    return override;
  }
  const besideBundle = path.join(__dirname, WASM_FILE);
  if (fs.existsSync(besideBundle)) return besideBundle;
  try {
    const fromPackage = path.join(path.dirname(require.resolve('sql.js')), WASM_FILE);
    if (fs.existsSync(fromPackage)) return fromPackage;
  } catch {
    // sql.js is not resolvable (packaged extension); fall through to the error below.
  }
  throw new Error(`Cannot find ${WASM_FILE} next to ${__dirname} or in the sql.js package.`);
}

export function loadSqlJs(wasmPath?: string): Promise<SqlJsStatic> {
  const file = path.resolve(locateSqlWasm(wasmPath));
  let p = cache.get(file);
  if (!p) {
    // Hand sql.js the bytes ourselves: no fetch/locateFile guessing inside emscripten.
    const wasmBinary = fs.readFileSync(file);
    // useOldExtensionFunctions: false — sql.js otherwise replaces SQLite's own math functions (log, sqrt, …) with
    // legacy ones that give other results (log() is ln) and are not deterministic, so views and generated
    // columns would read differently than in SQLite itself.
    const options = {
      wasmBinary: wasmBinary.buffer.slice(
        wasmBinary.byteOffset,
        wasmBinary.byteOffset + wasmBinary.byteLength,
      ) as ArrayBuffer,
      useOldExtensionFunctions: false,
    };
    p = initSqlJs(options as Parameters<typeof initSqlJs>[0]);
    p.then(
      (m) => (loaded = m),
      () => undefined,
    );
    // A failed initialisation must not poison the cache for later attempts.
    p.catch(() => cache.delete(file));
    cache.set(file, p);
  }
  return p;
}

/**
 * A read-only SQLite VFS over PageImage: SQLite asks for byte ranges of "the database file" and gets the main file
 * with the WAL overlay, read on demand. It opens nothing else (no journal, no -wal, no -shm, no temp files: temp
 * storage is kept in memory), never locks and never writes; the file is declared immutable so SQLite does not try.
 * Called synchronously from inside the wasm through wa-sqlite's VFS adapter (method names as in sqlite3_vfs).
 */
import { randomFillSync } from 'node:crypto';
import type { SqliteWasm } from './engine';
import type { ImageSource as PageImage } from './image';

import {
  SQLITE_CANTOPEN,
  SQLITE_IOERR,
  SQLITE_IOERR_READ,
  SQLITE_IOERR_SHORT_READ,
  SQLITE_NOTFOUND,
  SQLITE_OK,
  SQLITE_OPEN_MAIN_DB,
  SQLITE_OPEN_READONLY,
  SQLITE_READONLY,
  numberFromHalves,
  writeI32,
  writeI64,
} from './wasmMemory';

const SQLITE_IOCAP_IMMUTABLE = 0x2000;
/** Milliseconds from the Julian day epoch to 1970-01-01 (as SQLite's unix VFS computes it). */
const UNIX_EPOCH_JULIAN_MS = 24405875 * 8640000;

export class ReadOnlyVfs {
  readonly mxPathname = 1024;
  /** Images that may be opened, by the name passed to sqlite3_open_v2. */
  private readonly byName = new Map<string, PageImage>();
  /** Open files, by sqlite3_file pointer. */
  private readonly byFile = new Map<number, PageImage>();
  /** The last error a read hit, so the caller can explain SQLite's generic "disk I/O error". */
  lastError: unknown;

  constructor(
    readonly name: string,
    private readonly wasm: SqliteWasm,
  ) {}

  /** Makes `image` openable under `name` until `forget(name)`. */
  provide(name: string, image: PageImage): void {
    this.byName.set(name, image);
  }

  forget(name: string): void {
    this.byName.delete(name);
  }

  hasAsyncMethod(): boolean {
    return false;
  }

  xOpen(_pVfs: number, zName: number, pFile: number, flags: number, pOutFlags: number): number {
    const image = zName ? this.byName.get(this.wasm.UTF8ToString(zName)) : undefined;
    if (!image || !(flags & SQLITE_OPEN_MAIN_DB)) return SQLITE_CANTOPEN;
    this.byFile.set(pFile, image);
    if (pOutFlags) writeI32(this.wasm, pOutFlags, SQLITE_OPEN_READONLY | SQLITE_OPEN_MAIN_DB);
    return SQLITE_OK;
  }

  xDelete(): number {
    return SQLITE_READONLY;
  }

  /** No journal, WAL or other file exists as far as SQLite is concerned (hot journals are checked before opening). */
  xAccess(_pVfs: number, _zName: number, _flags: number, pResOut: number): number {
    writeI32(this.wasm, pResOut, 0);
    return SQLITE_OK;
  }

  xFullPathname(_pVfs: number, zName: number, nOut: number, zOut: number): number {
    const heap = this.wasm.HEAPU8;
    let i = 0;
    for (; i < nOut - 1 && heap[zName + i] !== 0; i++) heap[zOut + i] = heap[zName + i];
    heap[zOut + i] = 0;
    return heap[zName + i] === 0 ? SQLITE_OK : SQLITE_CANTOPEN;
  }

  xRandomness(_pVfs: number, nByte: number, zOut: number): number {
    randomFillSync(this.wasm.HEAPU8.subarray(zOut, zOut + nByte));
    return nByte;
  }

  xSleep(_pVfs: number, microseconds: number): number {
    return microseconds;
  }

  xCurrentTimeInt64(_pVfs: number, pTime: number): number {
    writeI64(this.wasm, pTime, UNIX_EPOCH_JULIAN_MS + Date.now());
    return SQLITE_OK;
  }

  xGetLastError(): number {
    return SQLITE_OK;
  }

  xClose(pFile: number): number {
    this.byFile.delete(pFile);
    return SQLITE_OK;
  }

  xRead(pFile: number, pData: number, iAmt: number, offsetLo: number, offsetHi: number): number {
    const image = this.byFile.get(pFile);
    if (!image) return SQLITE_IOERR_READ;
    const offset = numberFromHalves(offsetLo, offsetHi);
    try {
      const got = image.read(this.wasm.HEAPU8.subarray(pData, pData + iAmt), offset);
      return got < iAmt ? SQLITE_IOERR_SHORT_READ : SQLITE_OK;
    } catch (e) {
      // Never let a JS exception unwind through SQLite's C frames: report an I/O error and keep the cause.
      this.lastError = e;
      return SQLITE_IOERR_READ;
    }
  }

  xWrite(): number {
    return SQLITE_READONLY;
  }

  xTruncate(): number {
    return SQLITE_READONLY;
  }

  xSync(): number {
    return SQLITE_OK;
  }

  xFileSize(pFile: number, pSize: number): number {
    const image = this.byFile.get(pFile);
    if (!image) return SQLITE_IOERR;
    writeI64(this.wasm, pSize, image.size);
    return SQLITE_OK;
  }

  xLock(): number {
    return SQLITE_OK;
  }

  xUnlock(): number {
    return SQLITE_OK;
  }

  xCheckReservedLock(_pFile: number, pResOut: number): number {
    writeI32(this.wasm, pResOut, 0);
    return SQLITE_OK;
  }

  xFileControl(): number {
    return SQLITE_NOTFOUND;
  }

  xSectorSize(): number {
    return 4096;
  }

  xDeviceCharacteristics(): number {
    return SQLITE_IOCAP_IMMUTABLE;
  }
}

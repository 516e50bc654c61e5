/**
 * Consistent reads of a database another process keeps writing.
 *
 * The state token names the committed state cheaply (the main file's header and size, the WAL's salts and its last
 * commit frame's checksum) without reading any table: equal tokens mean nothing was committed in between.
 *
 * A snapshot reads the main file, then the WAL, and is kept only when the reads cannot be torn: the WAL was not
 * restarted meanwhile (same header before and after) and, when no WAL frames cover the main file, the main file did
 * not change while it was read. A checkpoint during the read is harmless: it copies frames the WAL still holds and
 * the overlay re-applies them. A torn read is refused (and retried), never used.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import { applyWal, indexWal, mainPageSize, WalError, type WalIndex } from '../sqlite/wal';
import { imagePages, type PageSource } from './btree';

const HEADER_BYTES = 100;
const WAL_HEADER_BYTES = 32;

export interface SyncSnapshot {
  path: string;
  token: string;
  /** The database with the committed WAL frames applied. */
  image: Uint8Array;
  pages: PageSource;
  sizeBytes: number;
  walFramesApplied: number;
  /** With `withFingerprint`: sha256 of the main file bytes followed by the -wal bytes, as a migration computes it. */
  fingerprint?: string;
}

/** Read failed because the files changed while they were read; the caller retries later. */
export class TornReadError extends MigrationError {
  constructor(file: string, attempts: number) {
    super(
      'SOURCE_UNREADABLE',
      `${file} kept changing while it was being read (${attempts} attempts); nothing was written.`,
      'The next sync reads it again; with --watch this happens by itself.',
    );
  }
}

function statOrUndefined(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

function readBytes(file: string, length: number | undefined): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
  try {
    const size = length ?? fs.fstatSync(fd).size;
    const buf = Buffer.allocUnsafeSlow(size);
    let off = 0;
    while (off < size) {
      const n = fs.readSync(fd, buf, off, Math.min(64 * 1024 * 1024, size - off), off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    fs.closeSync(fd);
  }
}

function scanOrThrow(file: string, header: Uint8Array, wal: Uint8Array): WalIndex {
  try {
    return indexWal((pos, len) => wal.subarray(pos, pos + len), wal.length, mainPageSize(header));
  } catch (e) {
    if (!(e instanceof WalError)) throw e;
    throw new MigrationError(
      'SOURCE_UNCHECKPOINTED',
      `${file}-wal cannot be read: ${e.message}.`,
      `Close the applications using the database and checkpoint it: sqlite3 ${file} "PRAGMA wal_checkpoint(TRUNCATE);"`,
      { cause: e },
    );
  }
}

export function stateToken(mainHeader: Uint8Array, mainSize: number, scan: WalIndex): string {
  return createHash('sha256')
    .update(mainHeader.subarray(0, HEADER_BYTES))
    .update(`${mainSize}|${scan.salts}|${scan.framesApplied}|${scan.lastCommitChecksum}`)
    .digest('hex')
    .slice(0, 32);
}

/** The current state token: reads 100 bytes of the main file and the WAL (small), no table pages. */
export function readStateToken(file: string): string {
  const st = statOrUndefined(file);
  if (!st?.isFile()) {
    throw new MigrationError(
      'SOURCE_NOT_FOUND',
      `${file} does not exist (or is not a file).`,
      'Sync the database file the migration was made from; it must stay at the same path.',
    );
  }
  const header = readBytes(file, Math.min(HEADER_BYTES, st.size));
  const wal = readBytes(`${file}-wal`, undefined);
  return stateToken(header, st.size, scanOrThrow(file, header, wal));
}

function walHeader(file: string): string {
  return readBytes(`${file}-wal`, WAL_HEADER_BYTES).toString('hex');
}

/** One attempt; undefined when the read may be torn. */
function tryRead(file: string, withFingerprint: boolean): SyncSnapshot | undefined {
  const walHeaderBefore = walHeader(file);
  const mainBefore = fs.statSync(file);
  const main = readBytes(file, mainBefore.size);
  const wal = readBytes(`${file}-wal`, undefined);
  const mainAfter = statOrUndefined(file);
  if (main.length !== mainBefore.size || !mainAfter || mainAfter.size !== mainBefore.size) return undefined;
  if (wal.subarray(0, WAL_HEADER_BYTES).toString('hex') !== walHeaderBefore) return undefined;
  const scan = scanOrThrow(file, main, wal);
  // Without committed WAL frames, any write to the main file during the read may have torn it.
  if (
    scan.framesApplied === 0 &&
    (mainAfter.mtimeMs !== mainBefore.mtimeMs ||
      readBytes(file, HEADER_BYTES).compare(main.subarray(0, HEADER_BYTES)) !== 0)
  )
    return undefined;
  if (hasHotJournal(file)) return undefined;
  const token = stateToken(main, main.length, scan);
  const fingerprint = withFingerprint ? createHash('sha256').update(main).update(wal).digest('hex') : undefined;
  // inPlace: the buffer is ours, and a copy would double the memory a large database needs.
  const { image, framesApplied } = applyWal(main, wal, { inPlace: true });
  return {
    path: file,
    token,
    image,
    pages: imagePages(image),
    sizeBytes: main.length,
    walFramesApplied: framesApplied,
    ...(fingerprint ? { fingerprint } : {}),
  };
}

/** A rollback-mode writer is mid-transaction: the main file holds uncommitted pages. */
function hasHotJournal(file: string): boolean {
  const head = readBytes(`${file}-journal`, 8);
  return head.length === 8 && head.readUInt32BE(0) === 0xd9d505f9 && head.readUInt32BE(4) === 0x20a163d7;
}

/** Reads a consistent snapshot, retrying a few times while a writer is busy; throws TornReadError otherwise. */
export async function readSnapshot(
  filePath: string,
  opts: { attempts?: number; pauseMs?: number; withFingerprint?: boolean } = {},
): Promise<SyncSnapshot> {
  const file = path.resolve(filePath);
  const attempts = opts.attempts ?? 8;
  for (let i = 0; i < attempts; i++) {
    const snap = tryRead(file, !!opts.withFingerprint);
    if (snap) return snap;
    await new Promise((r) => setTimeout(r, (opts.pauseMs ?? 25) * (i + 1)));
  }
  throw new TornReadError(file, attempts);
}

/**
 * The small reads a sync makes of a live database's files: headers, the hot-journal test, and the state token — the
 * committed state named cheaply (the main file's header and size, the WAL's salts and its last commit frame's
 * checksum) without reading any table: equal tokens mean nothing was committed in between.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { MigrationError } from '../errors';
import { PageImage, type ImageSource } from '../sqlite/image';
import { mainPageSize, WalError, type WalIndex } from '../sqlite/wal';
import type { PageSource } from './btree';

export const HEADER_BYTES = 100;
export const WAL_HEADER_BYTES = 32;

/** Read failed because the files changed while they were read; the caller retries later. */
export class TornReadError extends MigrationError {
  constructor(file: string, attempts: number) {
    super(
      'SOURCE_UNREADABLE',
      `${file} kept changing while it was being read (${attempts} attempt${attempts === 1 ? '' : 's'}); nothing read since was written.`,
      'The next sync reads it again; with --watch this happens by itself.',
    );
  }
}

/** The first `length` bytes of `file` (fewer when it is shorter; none when it does not exist). */
export function readBytes(file: string, length: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, fs.readSync(fd, buf, 0, length, 0));
  } finally {
    fs.closeSync(fd);
  }
}

function unreadableWal(file: string, e: WalError): MigrationError {
  return new MigrationError(
    'SOURCE_UNCHECKPOINTED',
    `${file}-wal cannot be read: ${e.message}.`,
    `Close the applications using the database and checkpoint it: sqlite3 ${file} "PRAGMA wal_checkpoint(TRUNCATE);"`,
    { cause: e },
  );
}

export function stateToken(mainHeader: Uint8Array, mainSize: number, wal: WalIndex): string {
  return createHash('sha256')
    .update(mainHeader.subarray(0, HEADER_BYTES))
    .update(`${mainSize}|${wal.salts}|${wal.framesApplied}|${wal.lastCommitChecksum}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * Opens the main file and its WAL (indexed, not read); a WAL caught mid-change throws WalError. `walHeader` (hex, ''
 * without a WAL) is read first, before the main file is stamped: while the WAL keeps that header (no restart), every
 * change to the main file is a checkpoint of frames that are still in the WAL, which is what a live snapshot's
 * verify() relies on. A restart between this read and the indexing shows as salts different from the header's.
 */
export function openImage(file: string, live: boolean): { image: PageImage; header: Buffer; walHeader: string } {
  const walHeader = readBytes(`${file}-wal`, WAL_HEADER_BYTES).toString('hex');
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!st?.isFile()) {
    throw new MigrationError(
      'SOURCE_NOT_FOUND',
      `${file} does not exist (or is not a file).`,
      'Sync the database file the migration was made from; it must stay at the same path.',
    );
  }
  const header = readBytes(file, HEADER_BYTES);
  return { image: PageImage.open(file, mainPageSize(header), { live }), header, walHeader };
}

/** The current state token: reads 100 bytes of the main file and indexes the WAL, no table pages. */
export function readStateToken(file: string): string {
  const { image, header } = withWalRetry(file, () => openImage(file, false));
  try {
    return stateToken(header, image.mainSize, image.wal);
  } finally {
    image.close();
  }
}

/** A WAL header read while SQLite rewrites it fails its checksum: read again a few times before calling it broken. */
function withWalRetry<T>(file: string, open: () => T): T {
  for (let attempt = 1; ; attempt++) {
    try {
      return open();
    } catch (e) {
      if (!(e instanceof WalError)) throw e;
      if (attempt >= 5) throw unreadableWal(file, e);
    }
  }
}

/** A rollback-mode writer is mid-transaction: the main file holds uncommitted pages. */
export function hasHotJournal(file: string): boolean {
  const head = readBytes(`${file}-journal`, 8);
  return head.length === 8 && head.readUInt32BE(0) === 0xd9d505f9 && head.readUInt32BE(4) === 0x20a163d7;
}

/** Pages for the b-tree walker over an image (each call reads the page through it). */
export function imagePageSource(image: ImageSource, mainHeader: Uint8Array): PageSource {
  const pageSize = mainPageSize(mainHeader);
  return {
    pageSize,
    usableSize: pageSize - mainHeader[20],
    pageCount: Math.floor(image.size / pageSize),
    page: (pgno) => {
      const buf = new Uint8Array(pageSize);
      image.read(buf, (pgno - 1) * pageSize);
      return buf;
    },
  };
}

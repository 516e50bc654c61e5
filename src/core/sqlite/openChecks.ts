/**
 * The refusals of openSqliteSource (source.ts) before and around opening: a missing or unreadable path, a hot
 * rollback journal, a truncated file, a file over a caller's limit, an unusable WAL, and SQLite's own open errors —
 * each a MigrationError that says what is wrong and what to do.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import type { PageImage } from './image';
import { errorMessage, isCorruptionMessage, missingFeatureHint } from './sql';
import { mainPageSize, type WalError } from './wal';

const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];

export function statOrThrow(file: string): fs.Stats {
  try {
    return fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new MigrationError(
        'SOURCE_NOT_FOUND',
        `${file} does not exist.`,
        `Check the path (relative paths are resolved against ${process.cwd()}).`,
        { cause: e },
      );
    }
    throw unreadable(file, e);
  }
}

export function unreadable(file: string, e: unknown): MigrationError {
  const code = (e as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'Check the file permissions: the current user must be able to read it.'
      : 'Check that the file is accessible and not locked by another program.';
  return new MigrationError('SOURCE_UNREADABLE', `${file} cannot be read: ${errorMessage(e)}.`, hint, { cause: e });
}

export function tooLarge(file: string, size: number, limit: number): MigrationError {
  return new MigrationError(
    'SOURCE_TOO_LARGE',
    `${file} is ${formatBytes(size)} (${size} bytes), over the ${formatBytes(limit)} limit.`,
    'Raise the limit, or copy only the tables you need into a smaller database and migrate that.',
  );
}

export function readHead(file: string, n: number): Uint8Array {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(n);
      const got = fs.readSync(fd, buf, 0, n, 0);
      return buf.subarray(0, got);
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    throw unreadable(file, e);
  }
}

/**
 * A hot rollback journal means a transaction was interrupted; SQLite would roll it back on next open, but our
 * read-only VFS never shows SQLite the journal (rolling back writes the user's file), so it would read half-written
 * pages.
 */
export function checkHotJournal(file: string, q: string): void {
  const journal = `${file}-journal`;
  let st: fs.Stats;
  try {
    st = fs.statSync(journal);
  } catch {
    return;
  }
  if (!st.isFile() || st.size < JOURNAL_MAGIC.length) return;
  const head = readHead(journal, JOURNAL_MAGIC.length);
  if (JOURNAL_MAGIC.every((b, i) => head[i] === b)) {
    throw new MigrationError(
      'SOURCE_UNCHECKPOINTED',
      `${file} has a hot rollback journal (${journal}): a transaction was interrupted and has not been rolled back.`,
      `Open the database once with sqlite3 so it rolls the transaction back, e.g. sqlite3 ${q} "PRAGMA quick_check;", then retry.`,
    );
  }
}

export function unusableWal(file: string, e: WalError, q: string): MigrationError {
  return new MigrationError(
    'SOURCE_UNCHECKPOINTED',
    `${file}-wal cannot be applied: ${e.message}; migrating ${path.basename(file)} without it could miss committed data.`,
    `Close the applications using the database, then checkpoint it: sqlite3 ${q} "PRAGMA wal_checkpoint(TRUNCATE);"`,
    { cause: e },
  );
}

function u32be(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/**
 * The header records the database size in pages; it is trustworthy when non-zero and the change counter (offset
 * 24) equals the version-valid-for number (offset 92). A shorter file lost its tail (interrupted copy/download).
 */
export function checkTruncation(file: string, image: PageImage, q: string): void {
  const recover = `Re-copy the file from its origin, or salvage what is left: sqlite3 ${q} .recover | sqlite3 recovered.db`;
  if (image.size < 100) {
    throw new MigrationError(
      'SOURCE_CORRUPT',
      `${file} is truncated: only ${image.size} bytes, shorter than the 100-byte SQLite header.`,
      recover,
    );
  }
  const header = new Uint8Array(100);
  image.read(header, 0);
  const pageSize = mainPageSize(header);
  if (pageSize === 0) {
    throw new MigrationError(
      'SOURCE_CORRUPT',
      `${file} is corrupt: its header has an invalid page size (${(header[16] << 8) | header[17]}).`,
      recover,
    );
  }
  const pages = u32be(header, 28);
  if (pages > 0 && u32be(header, 24) === u32be(header, 92) && image.size < pages * pageSize) {
    throw new MigrationError(
      'SOURCE_CORRUPT',
      `${file} is truncated: its header says ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes) but ${image.wal.framesApplied > 0 ? 'the file with its WAL applied' : 'the file'} has only ${image.size} bytes.`,
      recover,
    );
  }
}

export function mapOpenError(file: string, e: unknown, q: string): MigrationError {
  const msg = errorMessage(e);
  if (isCorruptionMessage(msg)) {
    return new MigrationError(
      'SOURCE_CORRUPT',
      `${file} is corrupt: SQLite reports "${msg}" while reading its schema.`,
      `Try salvaging it: sqlite3 ${q} .recover | sqlite3 recovered.db`,
      { cause: e },
    );
  }
  return new MigrationError(
    'SOURCE_UNREADABLE',
    `${file} cannot be opened: ${msg}.`,
    missingFeatureHint(msg) ?? 'Check that the file is a valid SQLite 3 database.',
    { cause: e },
  );
}

function formatBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} bytes` : `${Number.isInteger(v) ? v : v.toFixed(1)} ${units[i]}`;
}

/**
 * Opens a SQLite file for reading, refusing every input that would lead to an incomplete or wrong migration
 * (missing, not SQLite, encrypted, truncated, corrupt, interrupted transaction, unreadable WAL) with a
 * MigrationError the user can act on. Pages are read on demand from the user's files (main file with the committed
 * WAL frames laid over it, see image.ts), so memory does not grow with the file; the files are only ever read.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import { Database } from './database';
import { classifyNonSqlite, hasSqliteMagic } from './detect';
import { loadEngine } from './engine';
import { PageImage } from './image';
import { errorMessage, isCorruptionMessage, missingFeatureHint, shellQuote } from './sql';
import { mainPageSize, WalError } from './wal';

const JOURNAL_MAGIC = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
const SNAPSHOT_ATTEMPTS = 3;

export interface SqliteSource {
  /** Absolute path of the main database file. */
  path: string;
  /** Size of the main database file in bytes, as read. */
  sizeBytes: number;
  /** Committed WAL frames laid over the main file (0 when there was no -wal file). */
  walFramesApplied: number;
  /** sha256 hex of the main file bytes followed by the -wal bytes, exactly as read. */
  fingerprint: string;
  db: Database;
  close(): void;
}

export interface OpenSqliteOptions {
  /** Explicit location of wa-sqlite.wasm (otherwise found next to the bundle or in the package). */
  wasmPath?: string;
  /** Run PRAGMA quick_check after opening and refuse a database that fails it. Default true. */
  verifyIntegrity?: boolean;
  /** Refuse databases larger than this many bytes. Default: no limit (pages are read on demand). */
  maxBytes?: number;
}

export async function openSqliteSource(filePath: string, opts: OpenSqliteOptions = {}): Promise<SqliteSource> {
  const file = path.resolve(filePath);
  const maxBytes = opts.maxBytes ?? Infinity;
  const q = shellQuote(file);

  const st = statOrThrow(file);
  if (st.isDirectory()) {
    throw new MigrationError(
      'SOURCE_IS_DIRECTORY',
      `${file} is a directory, not a SQLite database file.`,
      'Pass the database file itself (e.g. app.db), not the folder that contains it.',
    );
  }
  if (!st.isFile()) {
    throw new MigrationError(
      'SOURCE_UNREADABLE',
      `${file} is not a regular file.`,
      'Pass a SQLite database file; devices, pipes and sockets cannot be migrated.',
    );
  }
  if (st.size === 0) {
    throw new MigrationError(
      'SOURCE_EMPTY',
      `${file} is empty (0 bytes).`,
      'An empty file has no tables to migrate; check that you picked the right database file.',
    );
  }

  // Classify from the first bytes before reading a possibly huge non-database file.
  const head = readHead(file, Math.min(st.size, 4096));
  if (!hasSqliteMagic(head)) {
    const c = classifyNonSqlite(head);
    if (c.kind === 'encrypted') {
      throw new MigrationError(
        'SOURCE_ENCRYPTED',
        `${file} looks encrypted: it has no SQLite header and its first bytes are random-looking.`,
        `If it is a SQLCipher database, export a plain copy first: sqlcipher ${q} "PRAGMA key='…'; ATTACH DATABASE 'plain.db' AS plain KEY ''; SELECT sqlcipher_export('plain'); DETACH DATABASE plain;" and migrate plain.db.`,
      );
    }
    throw new MigrationError(
      'SOURCE_NOT_SQLITE',
      `${file} is not a SQLite database: ${c.description}.`,
      'Pick a SQLite 3 database file (its first bytes are "SQLite format 3").',
    );
  }
  if (st.size > maxBytes) throw tooLarge(file, st.size, maxBytes);

  checkHotJournal(file, q);

  const { image, fingerprint } = openSnapshot(file, mainPageSize(head), q);
  try {
    if (image.size > maxBytes) throw tooLarge(file, image.size, maxBytes);
    checkTruncation(file, image, q);
  } catch (e) {
    image.close();
    throw e;
  }

  let db: Database;
  try {
    db = Database.open(await loadEngineOrThrow(opts.wasmPath), image);
  } catch (e) {
    image.close();
    throw e instanceof MigrationError ? e : mapOpenError(file, e, q);
  }
  try {
    // Reading the schema makes SQLite parse page 1 and sqlite_master: the first point where corruption shows.
    db.exec('SELECT count(*) FROM sqlite_master');
    if (opts.verifyIntegrity ?? true) quickCheck(db, file, q);
  } catch (e) {
    db.close();
    image.close();
    throw e instanceof MigrationError ? e : mapOpenError(file, e, q);
  }

  let closed = false;
  return {
    path: file,
    sizeBytes: image.mainSize,
    walFramesApplied: image.wal.framesApplied,
    fingerprint,
    db,
    close() {
      if (closed) return;
      closed = true;
      db.close();
      image.close();
    },
  };
}

function statOrThrow(file: string): fs.Stats {
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

function unreadable(file: string, e: unknown): MigrationError {
  const code = (e as NodeJS.ErrnoException).code;
  const hint =
    code === 'EACCES' || code === 'EPERM'
      ? 'Check the file permissions: the current user must be able to read it.'
      : 'Check that the file is accessible and not locked by another program.';
  return new MigrationError('SOURCE_UNREADABLE', `${file} cannot be read: ${errorMessage(e)}.`, hint, { cause: e });
}

function tooLarge(file: string, size: number, limit: number): MigrationError {
  return new MigrationError(
    'SOURCE_TOO_LARGE',
    `${file} is ${formatBytes(size)} (${size} bytes), over the ${formatBytes(limit)} limit.`,
    'Raise the limit, or copy only the tables you need into a smaller database and migrate that.',
  );
}

function readHead(file: string, n: number): Uint8Array {
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
function checkHotJournal(file: string, q: string): void {
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

/**
 * Opens the main file and its -wal as one consistent pair and fingerprints them. A live writer could checkpoint or
 * restart the WAL between the reads (losing committed pages), so the stats taken at open are compared after
 * hashing, and we retry on change. Later reads keep checking (PageImage.checkUnchanged).
 */
function openSnapshot(file: string, pageSize: number, q: string): { image: PageImage; fingerprint: string } {
  for (let attempt = 0; attempt < SNAPSHOT_ATTEMPTS; attempt++) {
    let image: PageImage;
    try {
      image = PageImage.open(file, pageSize);
    } catch (e) {
      if (e instanceof WalError) throw unusableWal(file, e, q);
      throw unreadable(file, e);
    }
    try {
      const hash = createHash('sha256');
      image.digest((chunk) => hash.update(chunk));
      image.checkUnchanged();
      if (!image.changed) return { image, fingerprint: hash.digest('hex') };
    } catch (e) {
      image.close();
      throw unreadable(file, e);
    }
    image.close();
  }
  throw new MigrationError(
    'SOURCE_UNREADABLE',
    `${file} kept changing while it was being read (${SNAPSHOT_ATTEMPTS} attempts).`,
    'Stop the application that writes to the database (or copy the database and its -wal file while it is stopped), then retry.',
  );
}

function unusableWal(file: string, e: WalError, q: string): MigrationError {
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
function checkTruncation(file: string, image: PageImage, q: string): void {
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

async function loadEngineOrThrow(wasmPath: string | undefined) {
  try {
    return await loadEngine(wasmPath);
  } catch (e) {
    throw new MigrationError(
      'INTERNAL',
      `Cannot load the SQLite engine: ${errorMessage(e)}`,
      'Reinstall the extension or CLI; wa-sqlite.wasm must sit next to the bundled code.',
      { cause: e },
    );
  }
}

function mapOpenError(file: string, e: unknown, q: string): MigrationError {
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

/** quick_check verifies every b-tree page and record format (not index contents); much faster than integrity_check. */
function quickCheck(db: Database, file: string, q: string): void {
  const MAX_PROBLEMS = 10;
  // A CHECK constraint the data breaks (rows written with ignore_check_constraints, or a CHECK added later) is a
  // data fact, not corruption: the rows are migrated as stored. quick_check skips CHECKs when this pragma is on.
  db.exec('PRAGMA ignore_check_constraints = ON');
  const res = db.exec(`PRAGMA quick_check(${MAX_PROBLEMS})`);
  // Problems come as rows, and a row may hold several newline-separated lines.
  const lines = (res[0]?.values ?? [])
    .flatMap((r) => String(r[0]).split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(l));
  if (lines.length === 1 && lines[0] === 'ok') return;
  const trees = rootPageNames(db);
  const shown = lines
    .slice(0, 3)
    .map((l) =>
      l.replace(/^Tree (\d+)/, (m, n: string) => (trees.has(Number(n)) ? `${m} (${trees.get(Number(n))})` : m)),
    );
  const more =
    lines.length > shown.length
      ? ` (+${lines.length - shown.length} more${lines.length >= MAX_PROBLEMS ? ', list capped' : ''})`
      : '';
  throw new MigrationError(
    'SOURCE_CORRUPT',
    `${file} failed SQLite's quick_check: ${shown.join('; ') || 'no result'}${more}.`,
    `Salvage the readable data first: sqlite3 ${q} .recover | sqlite3 recovered.db — then migrate recovered.db.`,
  );
}

/** b-tree root page → "table x" / "index y", to make quick_check's "Tree N" readable. */
function rootPageNames(db: Database): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const r of db.exec('SELECT rootpage, type, name FROM sqlite_master WHERE rootpage > 0')[0]?.values ?? [])
      m.set(Number(r[0]), `${r[1]} ${r[2]}`);
  } catch {
    // Best effort only.
  }
  return m;
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

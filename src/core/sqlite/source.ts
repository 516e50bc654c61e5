/**
 * Opens a SQLite file for reading, refusing every input that would lead to an incomplete or wrong migration
 * (missing, not SQLite, encrypted, truncated, corrupt, interrupted transaction, unreadable WAL) with a
 * MigrationError the user can act on. Pages are read on demand from the user's files (main file with the committed
 * WAL frames laid over it, see image.ts), so memory does not grow with the file; the files are only ever read.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import { Database } from './database';
import { classifyNonSqlite, hasSqliteMagic } from './detect';
import { loadEngine } from './engine';
import { PageImage } from './image';
import {
  checkHotJournal,
  checkTruncation,
  mapOpenError,
  readHead,
  statOrThrow,
  tooLarge,
  unreadable,
  unusableWal,
} from './openChecks';
import { quickCheck } from './quickCheck';
import { errorMessage, shellQuote } from './sql';
import { mainPageSize, WalError } from './wal';

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

/**
 * Consistent reads of a database another process keeps writing, page by page (memory does not grow with the file).
 *
 * The state token names the committed state cheaply (the main file's header and size, the WAL's salts and its last
 * commit frame's checksum) without reading any table: equal tokens mean nothing was committed in between.
 *
 * A snapshot indexes the WAL once (its committed frames at that moment are the snapshot) and then serves each page
 * on demand: from its latest committed frame, else from the main file. The application keeps appending frames
 * meanwhile, which is harmless; two things could tear a read, and verify() proves neither happened before anything
 * read is written:
 *  - a WAL restart (new salts in the header) overwrites frames the snapshot may still read: the header must be the
 *    one seen at the start;
 *  - a checkpoint copies newer frames into the main file: when the main file changed at all, none of the pages read
 *    from it may have a frame after the snapshot's last commit (the WAL, unrestarted, still holds them all).
 * Without a WAL the main file itself must not have changed, and no hot journal may exist (a rollback-mode writer).
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MigrationError } from '../errors';
import { PageImage, type ImageSource } from '../sqlite/image';
import { applyWal, indexWal, mainPageSize, WalError, type WalIndex } from '../sqlite/wal';
import { imagePages, type PageSource } from './btree';

const HEADER_BYTES = 100;
const WAL_HEADER_BYTES = 32;

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

function readBytes(file: string, length: number): Buffer {
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

/** Opens the main file and its WAL (indexed, not read); a WAL caught mid-restart is retried by the caller. */
function openImage(file: string, live: boolean): { image: PageImage; header: Buffer } {
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
  return { image: PageImage.open(file, mainPageSize(header), { live }), header };
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
function hasHotJournal(file: string): boolean {
  const head = readBytes(`${file}-journal`, 8);
  return head.length === 8 && head.readUInt32BE(0) === 0xd9d505f9 && head.readUInt32BE(4) === 0x20a163d7;
}

/** One consistent state of the database: read on demand (LiveSnapshot) or held in memory (loadSnapshot). */
export interface SyncSnapshot {
  readonly path: string;
  readonly token: string;
  readonly sizeBytes: number;
  readonly walFramesApplied: number;
  /** With `withFingerprint`: sha256 of the main file bytes followed by the -wal bytes, as a migration computes it. */
  readonly fingerprint?: string;
  /** Pages for the b-tree walker. */
  readonly pages: PageSource;
  /** The same bytes for SQLite's VFS. */
  readonly image: ImageSource;
  readonly wal: WalIndex;
  /** True when pages are read from the live files (verify() then matters). */
  readonly live: boolean;
  /** Throws TornReadError when a page read so far may not belong to this snapshot's committed state. */
  verify(): void;
  close(): void;
}

/** One consistent state of a live database, read on demand. Call verify() before using what was read. */
class LiveSnapshot implements SyncSnapshot {
  readonly live = true;
  readonly token: string;
  readonly sizeBytes: number;
  readonly walFramesApplied: number;
  /** Pages for the b-tree walker (each call reads the page from the files). */
  readonly pages: PageSource;
  /** The WAL header (hex) seen right after indexing; '' without a WAL. */
  readonly walHeader: string;

  constructor(
    readonly path: string,
    readonly image: PageImage,
    mainHeader: Buffer,
    /** With `withFingerprint`: sha256 of the main file bytes followed by the -wal bytes, as a migration computes it. */
    readonly fingerprint?: string,
  ) {
    this.token = stateToken(mainHeader, image.mainSize, image.wal);
    this.sizeBytes = image.mainSize;
    this.walFramesApplied = image.wal.framesApplied;
    this.walHeader = readBytes(`${path}-wal`, WAL_HEADER_BYTES).toString('hex');
    const pageSize = mainPageSize(mainHeader);
    const usableSize = pageSize - mainHeader[20];
    const pageCount = Math.floor(image.size / pageSize);
    this.pages = {
      pageSize,
      usableSize,
      pageCount,
      page: (pgno) => {
        const buf = new Uint8Array(pageSize);
        image.read(buf, (pgno - 1) * pageSize);
        return buf;
      },
    };
  }

  get wal(): WalIndex {
    return this.image.wal;
  }

  verify(): void {
    if (!this.consistent()) throw new TornReadError(this.path, 1);
  }

  private consistent(): boolean {
    const { image } = this;
    const walHeaderNow = readBytes(`${this.path}-wal`, WAL_HEADER_BYTES).toString('hex');
    if (image.stamps[1] && walHeaderNow !== this.walHeader) return false;
    const main = fs.statSync(this.path);
    const mainSame = main.size === image.stamps[0].size && main.mtimeMs === image.stamps[0].mtimeMs;
    if (mainSame && !hasHotJournal(this.path)) return true;
    // Without a WAL (or a restarted one) the main file is written in place: any change may have torn a read.
    if (!image.stamps[1] || walHeaderNow === '' || image.mainPagesRead.size === 0)
      return image.mainPagesRead.size === 0;
    // A checkpoint ran: it only copies frames of this WAL (not restarted), so it is harmless unless it copied a frame
    // newer than the snapshot over a page the snapshot read from the main file.
    const fd = fs.openSync(`${this.path}-wal`, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.allocUnsafe(1024 * 1024);
      const now = indexWal(
        (pos, len) => {
          const b = len <= buf.length ? buf : Buffer.allocUnsafe(len);
          return b.subarray(0, fs.readSync(fd, b, 0, len, pos));
        },
        size,
        this.pages.pageSize,
      );
      if (now.salts !== image.wal.salts) return false;
      // Frames after the snapshot, committed or not yet (a checkpoint copies only committed ones; be strict anyway).
      for (let i = image.wal.framesApplied; i < now.framePages.length; i++)
        if (image.mainPagesRead.has(now.framePages[i])) return false;
      return now.framePages.length >= image.wal.framesApplied;
    } catch (e) {
      if (e instanceof WalError) return false;
      throw e;
    } finally {
      fs.closeSync(fd);
    }
  }

  close(): void {
    this.image.close();
  }
}

/** One attempt: undefined when the files were caught mid-change (the WAL restarted while it was indexed). */
function tryOpen(file: string, withFingerprint: boolean): LiveSnapshot | undefined {
  if (hasHotJournal(file)) return undefined;
  let opened: { image: PageImage; header: Buffer };
  try {
    opened = openImage(file, true);
  } catch (e) {
    if (e instanceof WalError) return undefined;
    throw e;
  }
  const { image, header } = opened;
  try {
    let fingerprint: string | undefined;
    if (withFingerprint) {
      const hash = createHash('sha256');
      image.digest((chunk) => hash.update(chunk));
      fingerprint = hash.digest('hex');
    }
    const snap = new LiveSnapshot(file, image, header, fingerprint);
    // The WAL header read after indexing must be the one indexed (no restart in between).
    const indexedSalts = image.wal.salts;
    const headerSalts = snap.walHeader.slice(32, 48);
    if (image.stamps[1] && headerSalts !== indexedSalts) {
      image.close();
      return undefined;
    }
    return snap;
  } catch (e) {
    image.close();
    throw e;
  }
}

/**
 * Opens a consistent snapshot, retrying a few times while a writer is busy; throws TornReadError otherwise. The
 * caller reads pages through it, calls verify() before writing anything derived from them, and closes it.
 */
export async function readSnapshot(
  filePath: string,
  opts: { attempts?: number; pauseMs?: number; withFingerprint?: boolean } = {},
): Promise<SyncSnapshot> {
  return retryWhileTorn(filePath, opts, tryOpen);
}

/** Calls `attempt` until it returns a consistent snapshot, pausing longer each time; TornReadError after that. */
async function retryWhileTorn(
  filePath: string,
  opts: { attempts?: number; pauseMs?: number; withFingerprint?: boolean },
  attempt: (file: string, withFingerprint: boolean) => SyncSnapshot | undefined,
): Promise<SyncSnapshot> {
  const file = path.resolve(filePath);
  const attempts = opts.attempts ?? 8;
  for (let i = 0; i < attempts; i++) {
    const snap = attempt(file, !!opts.withFingerprint);
    if (snap) return snap;
    await new Promise((r) => setTimeout(r, (opts.pauseMs ?? 25) * (i + 1)));
  }
  throw new TornReadError(file, attempts);
}

/** The bytes of an in-memory snapshot served to SQLite's VFS; they never change, so there is nothing to check. */
class MemoryImage implements ImageSource {
  readonly changed = undefined;
  constructor(private readonly bytes: Uint8Array) {}

  get size(): number {
    return this.bytes.length;
  }

  read(dest: Uint8Array, offset: number): number {
    const available = Math.max(0, Math.min(dest.length, this.bytes.length - offset));
    dest.set(this.bytes.subarray(offset, offset + available));
    if (available < dest.length) dest.fill(0, available);
    return available;
  }

  checkUnchanged(): void {
    // An image in memory cannot change.
  }
}

function readAll(file: string): Buffer {
  let size: number;
  try {
    size = fs.statSync(file).size;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return Buffer.alloc(0);
    throw e;
  }
  const fd = fs.openSync(file, 'r');
  try {
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

/** One attempt at an in-memory snapshot: the main file, then the WAL; undefined when the read may be torn. */
function tryLoad(file: string, withFingerprint: boolean): SyncSnapshot | undefined {
  const walHeaderBefore = readBytes(`${file}-wal`, WAL_HEADER_BYTES).toString('hex');
  const mainBefore = fs.statSync(file);
  const main = readAll(file);
  const wal = readAll(`${file}-wal`);
  const mainAfter = fs.statSync(file);
  if (main.length !== mainBefore.size || mainAfter.size !== mainBefore.size) return undefined;
  if (wal.subarray(0, WAL_HEADER_BYTES).toString('hex') !== walHeaderBefore) return undefined;
  let index: WalIndex;
  try {
    index = indexWal((pos, len) => wal.subarray(pos, pos + len), wal.length, mainPageSize(main));
  } catch (e) {
    if (e instanceof WalError) return undefined;
    throw e;
  }
  // Without committed WAL frames, any write to the main file during the read may have torn it.
  if (
    index.framesApplied === 0 &&
    (mainAfter.mtimeMs !== mainBefore.mtimeMs ||
      readBytes(file, HEADER_BYTES).compare(main.subarray(0, HEADER_BYTES)) !== 0)
  )
    return undefined;
  if (hasHotJournal(file)) return undefined;
  const token = stateToken(main, main.length, index);
  const fingerprint = withFingerprint ? createHash('sha256').update(main).update(wal).digest('hex') : undefined;
  // inPlace: the buffer is ours, and a copy would double the memory a large database needs.
  const { image } = applyWal(main, wal, { inPlace: true });
  return {
    path: file,
    token,
    sizeBytes: main.length,
    walFramesApplied: index.framesApplied,
    ...(fingerprint ? { fingerprint } : {}),
    pages: imagePages(image),
    image: new MemoryImage(image),
    wal: index,
    live: false,
    verify: () => undefined,
    close: () => undefined,
  };
}

/**
 * A snapshot held in memory (the main file with the committed WAL frames applied): for comparing whole collections,
 * which take long enough for the application to checkpoint and restart its WAL meanwhile, which would tear a read on
 * demand. Memory grows with the file; a narrowed sync never needs it.
 */
export async function loadSnapshot(
  filePath: string,
  opts: { attempts?: number; pauseMs?: number; withFingerprint?: boolean } = {},
): Promise<SyncSnapshot> {
  return retryWhileTorn(filePath, opts, tryLoad);
}

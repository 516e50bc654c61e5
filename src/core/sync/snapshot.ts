/**
 * Consistent reads of a database another process keeps writing, page by page (memory does not grow with the file).
 *
 * A snapshot indexes the WAL once (its committed frames at that moment are the snapshot) and then serves each page
 * on demand: from its latest committed frame, else from the main file. The application keeps appending frames
 * meanwhile, which is harmless; two things could tear a read, and verify() proves neither happened before anything
 * read is written:
 *  - a WAL restart (new salts in the header) overwrites frames the snapshot may still read: the header must be the
 *    one read before the main file was stamped (files.ts openImage), and the one indexed;
 *  - a checkpoint copies newer frames into the main file: when the main file changed at all, none of the pages read
 *    from it may have a frame after the snapshot's last commit (the WAL, unrestarted, still holds them all — checked
 *    by reading the header again after those frames, since a truncation while they are read would hide them).
 * Without a WAL the main file itself must not have changed, and no hot journal may exist (a rollback-mode writer).
 * The races each rule closes are told, with the traces that found them, in docs/testing.md ("sync/snapshot").
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { indexWalFile, sameStamp, stampOf, type ImageSource, type PageImage } from '../sqlite/image';
import { WalError, type WalIndex } from '../sqlite/wal';
import type { PageSource } from './btree';
import {
  hasHotJournal,
  imagePageSource,
  openImage,
  readBytes,
  stateToken,
  TornReadError,
  WAL_HEADER_BYTES,
} from './files';

export { readStateToken, TornReadError } from './files';

/** Longer than any kernel clock tick (10 ms at the lowest common HZ of 100), with room for clock adjustment. */
const COARSE_CLOCK_TICK_MS = 50;

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
  /** The WAL header (hex) seen before the main file was stamped; '' without a WAL. */
  readonly walHeader: string;

  constructor(
    readonly path: string,
    readonly image: PageImage,
    mainHeader: Buffer,
    walHeader: string,
    /** With `withFingerprint`: sha256 of the main file bytes followed by the -wal bytes, as a migration computes it. */
    readonly fingerprint?: string,
  ) {
    this.token = stateToken(mainHeader, image.mainSize, image.wal);
    this.sizeBytes = image.mainSize;
    this.walFramesApplied = image.wal.framesApplied;
    this.walHeader = walHeader;
    this.pages = imagePageSource(image, mainHeader);
  }

  get wal(): WalIndex {
    return this.image.wal;
  }

  verify(): void {
    if (!this.consistent()) throw new TornReadError(this.path, 1);
  }

  private consistent(): boolean {
    const { image } = this;
    const hadWal = image.stamps[1] !== undefined;
    // The WAL must not have restarted since before the main file was stamped (a restart overwrites frames).
    if (hadWal && this.walHeaderNow() !== this.walHeader) return false;
    const main = stampOf(fs.statSync(this.path, { bigint: true }));
    if (sameStamp(main, image.stamps[0]) && (!hadWal || this.mtimeProvesUnchanged()) && !hasHotJournal(this.path))
      return true;
    // Without a WAL the main file is written in place: any change may have torn a read.
    if (!hadWal || image.mainPagesRead.size === 0) return image.mainPagesRead.size === 0;
    // Without a committed frame the image's size is the main file's at the stamp, which a checkpoint may have changed.
    if (image.wal.framesApplied === 0 && main.size !== image.stamps[0].size) return false;
    // A checkpoint after a shrinking commit (VACUUM) truncates the main file: the pages it cut off had no newer frame.
    const pageSize = this.pages.pageSize;
    for (const pgno of image.mainPagesRead)
      if (pgno * pageSize <= image.stamps[0].size && pgno * pageSize > main.size) return false;
    // Otherwise the change was a checkpoint of this WAL's frames: harmless unless it copied a frame newer than the
    // snapshot over a page the snapshot read from the main file.
    const newer = this.framesAfterSnapshot();
    return newer !== undefined && !newer.some((pgno) => image.mainPagesRead.has(pgno));
  }

  /**
   * Whether an unchanged mtime proves the main file unchanged since the stamp. Where timestamps come from a coarse
   * clock (Linux before 6.13's multigrain timestamps, and some other file systems), a write in the same clock tick
   * as the stamp keeps the mtime; an mtime older than a tick before the stamp cannot be kept by a later write.
   * When it proves nothing, the WAL is checked as if the main file had changed (stricter, never looser).
   */
  private mtimeProvesUnchanged(): boolean {
    const mtimeMs = Number(this.image.stamps[0].mtimeNs / 1_000_000n);
    return mtimeMs < this.image.stampedAtMs - COARSE_CLOCK_TICK_MS;
  }

  private walHeaderNow(): string {
    return readBytes(`${this.path}-wal`, WAL_HEADER_BYTES).toString('hex');
  }

  /** The pages of the WAL's committed frames after the snapshot's last one; undefined when the WAL is not the same. */
  private framesAfterSnapshot(): number[] | undefined {
    let fd: number;
    try {
      fd = fs.openSync(`${this.path}-wal`, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed by the last connection closing
      throw e;
    }
    try {
      const now = indexWalFile(fd, fs.fstatSync(fd).size, this.pages.pageSize);
      const applied = this.image.wal.framesApplied;
      if (now.salts !== this.image.wal.salts || now.framePages.length < applied) return undefined;
      // A truncation or restart while the frames were read ends the walk early, hiding the frames a checkpoint had
      // copied: the header, rewritten (or gone) before any frame is, must still be the snapshot's.
      if (this.walHeaderNow() !== this.walHeader) return undefined;
      return now.framePages.slice(applied);
    } catch (e) {
      if (e instanceof WalError) return undefined;
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
  let opened: ReturnType<typeof openImage>;
  try {
    opened = openImage(file, true);
  } catch (e) {
    if (e instanceof WalError) return undefined;
    throw e;
  }
  const { image, header, walHeader } = opened;
  // The WAL indexed must be the one whose header was read before the main file was stamped (no restart between);
  // checked before the fingerprint, which reads the whole file.
  if (image.stamps[1] && walHeader.slice(32, 48) !== image.wal.salts) {
    image.close();
    return undefined;
  }
  try {
    let fingerprint: string | undefined;
    if (withFingerprint) {
      const hash = createHash('sha256');
      image.digest((chunk) => hash.update(chunk));
      fingerprint = hash.digest('hex');
    }
    return new LiveSnapshot(file, image, header, walHeader, fingerprint);
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
export async function retryWhileTorn(
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

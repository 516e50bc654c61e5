/**
 * The database as SQLite must see it — the main file with the committed WAL frames laid over it — served page by
 * page straight from the user's files. Nothing is held in memory beyond the WAL's page index, so a file of any size
 * can be read; the files are opened read-only and never locked or written.
 */
import * as fs from 'node:fs';
import { indexWal, patchJournalMode, type WalIndex } from './wal';

/** How often (in reads) the files are checked for a writer that changed them after they were opened. */
const CHANGE_CHECK_INTERVAL = 4096;
const WAL_READ_CHUNK = 1024 * 1024;

/**
 * Identity of a file's content as far as stat can tell. The modification time is kept in nanoseconds: as a double
 * of milliseconds it only resolves about a quarter of a microsecond today, and two writes can fall closer than that.
 */
export interface FileStamp {
  size: number;
  mtimeNs: bigint;
  ino: bigint;
}

export function stampOf(st: fs.BigIntStats): FileStamp {
  return { size: Number(st.size), mtimeNs: st.mtimeNs, ino: st.ino };
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  if (!a || !b) return a === b;
  return a.size === b.size && a.mtimeNs === b.mtimeNs && a.ino === b.ino;
}

/** Thrown (and reported to SQLite as an I/O error) when the files change while they are being read. */
export class SourceChangedError extends Error {
  constructor(file: string) {
    super(`${file} changed while it was being read`);
    this.name = 'SourceChangedError';
  }
}

/** What the VFS and a Database read: a PageImage over the user's files, or an image held in memory (sync snapshots). */
export interface ImageSource {
  /** Bytes SQLite sees. */
  readonly size: number;
  /** Set once the source found its files changed; reads then fail. */
  readonly changed: Error | undefined;
  read(dest: Uint8Array, offset: number): number;
  checkUnchanged(): void;
}

export class PageImage implements ImageSource {
  /** Bytes SQLite sees: the final size after the last WAL commit, or the main file's size. */
  readonly size: number;
  readonly mainSize: number;
  readonly walSize: number;
  readonly wal: WalIndex;
  /** Set once a read found the files changed; every later read fails too. */
  changed: SourceChangedError | undefined;
  /** Live mode only: the pages served from the main file (a checkpoint may have rewritten them; sync/snapshot.ts). */
  readonly mainPagesRead = new Set<number>();
  private reads = 0;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly mainFd: number,
    private readonly walFd: number | undefined,
    readonly stamps: [FileStamp, FileStamp | undefined],
    private readonly mainPageSize: number,
    private readonly live: boolean,
    /** When the files were stamped (Date.now()), taken just before the main file's stat. */
    readonly stampedAtMs: number,
  ) {
    this.mainSize = stamps[0].size;
    this.walSize = stamps[1]?.size ?? 0;
    this.wal =
      walFd === undefined
        ? indexWal(() => new Uint8Array(0), 0, mainPageSize)
        : indexWalFile(walFd, this.walSize, mainPageSize);
    this.size = this.wal.framesApplied > 0 ? this.wal.finalPages * this.wal.pageSize : this.mainSize;
  }

  /**
   * Opens the main file and its -wal (when present and non-empty) read-only. `mainPageSize` is the page size from
   * the main file's header (0 when unknown). Throws what fs or indexWal throw (WalError for an unusable WAL).
   * `live`: a writer may go on appending to the WAL, so reads do not check the files' stats; instead the pages read
   * from the main file are recorded, and the caller proves afterwards that none of them was torn (sync/snapshot.ts).
   */
  static open(file: string, mainPageSize: number, opts: { live?: boolean } = {}): PageImage {
    const mainFd = fs.openSync(file, 'r');
    let walFd: number | undefined;
    try {
      // The main file is stamped before the WAL is even opened. A checkpoint only copies frames that are already in
      // the WAL, so every frame whose page the main file holds at this moment is inside the WAL size taken next. The
      // other order could pair a main file a checkpoint had just brought past the WAL size with that older size: its
      // pages newer than the indexed frames, and nothing left to notice it.
      const stampedAtMs = Date.now();
      const mainStamp = stampOf(fs.fstatSync(mainFd, { bigint: true }));
      try {
        walFd = fs.openSync(`${file}-wal`, 'r');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      const walStat = walFd === undefined ? undefined : fs.fstatSync(walFd, { bigint: true });
      if (walFd !== undefined && (!walStat?.isFile() || walStat.size === 0n)) {
        fs.closeSync(walFd);
        walFd = undefined;
      }
      const stamps: [FileStamp, FileStamp | undefined] = [
        mainStamp,
        walFd === undefined ? undefined : stampOf(walStat!),
      ];
      return new PageImage(file, mainFd, walFd, stamps, mainPageSize, !!opts.live, stampedAtMs);
    } catch (e) {
      if (walFd !== undefined) fs.closeSync(walFd);
      fs.closeSync(mainFd);
      throw e;
    }
  }

  /**
   * Fills `dest` with the image bytes at `offset`: each page from its latest committed WAL frame, otherwise from
   * the main file; zeros past the end. Returns the number of bytes that exist in the image (< dest.length at EOF).
   */
  read(dest: Uint8Array, offset: number): number {
    if (!this.live && ++this.reads % CHANGE_CHECK_INTERVAL === 0) this.checkUnchanged();
    if (this.changed) throw this.changed;
    const len = dest.length;
    const available = Math.max(0, Math.min(len, this.size - offset));
    const pageSize = this.wal.pageSize || this.mainPageSize;
    let done = 0;
    while (done < available) {
      const pos = offset + done;
      let n = available - done;
      let walDataOff: number | undefined;
      if (this.wal.pages.size > 0 || this.live) {
        const pgno = Math.floor(pos / pageSize) + 1;
        const inPage = pos - (pgno - 1) * pageSize;
        n = Math.min(n, pageSize - inPage);
        const frame = this.wal.pages.get(pgno);
        if (frame !== undefined) walDataOff = frame + inPage;
        else if (this.live) this.mainPagesRead.add(pgno);
      }
      const got =
        walDataOff !== undefined
          ? readFully(this.walFd!, dest, done, n, walDataOff)
          : readFully(this.mainFd, dest, done, n, pos);
      // The main file may be shorter than the image (pages added by the WAL that a later frame does not carry).
      if (got < n) dest.fill(0, done + got, done + n);
      done += n;
    }
    if (available < len) dest.fill(0, available);
    if (offset < 20) patchJournalMode(dest, offset);
    return available;
  }

  /** Compares the open files' stats with those taken at open; a change marks the image as unusable. */
  checkUnchanged(): void {
    if (this.changed || this.closed || this.live) return;
    const main = stampOf(fs.fstatSync(this.mainFd, { bigint: true }));
    const wal = this.walFd === undefined ? undefined : stampOf(fs.fstatSync(this.walFd, { bigint: true }));
    if (!sameStamp(main, this.stamps[0]) || !sameStamp(wal, this.stamps[1]))
      this.changed = new SourceChangedError(this.file);
    // A -wal created after we opened means a writer is active; its frames are not in our index.
    if (this.walFd === undefined) {
      try {
        if (fs.statSync(`${this.file}-wal`).size > 0) this.changed = new SourceChangedError(this.file);
      } catch {
        // No -wal: nothing changed.
      }
    }
  }

  /** Streams the main file then the -wal through `update` (e.g. a hash), in bounded memory. */
  digest(update: (chunk: Uint8Array) => void): void {
    const buf = Buffer.allocUnsafe(4 * 1024 * 1024);
    for (const [fd, size] of [
      [this.mainFd, this.mainSize],
      [this.walFd, this.walSize],
    ] as const) {
      if (fd === undefined) continue;
      for (let pos = 0; pos < size;) {
        const n = readFully(fd, buf, 0, Math.min(buf.length, size - pos), pos);
        if (n === 0) break;
        update(buf.subarray(0, n));
        pos += n;
      }
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.mainFd);
    if (this.walFd !== undefined) fs.closeSync(this.walFd);
  }
}

/** Indexes the first `size` bytes of an open -wal file (see indexWal), reading it in bounded chunks. */
export function indexWalFile(walFd: number, size: number, dbPageSize: number): WalIndex {
  const chunk = Buffer.allocUnsafe(WAL_READ_CHUNK);
  return indexWal(
    (pos, len) => {
      const buf = len <= chunk.length ? chunk : Buffer.allocUnsafe(len);
      return buf.subarray(0, readFully(walFd, buf, 0, len, pos));
    },
    size,
    dbPageSize,
  );
}

/** fs.readSync until `len` bytes or end of file; returns the bytes read. */
function readFully(fd: number, dest: Uint8Array, destOff: number, len: number, pos: number): number {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, dest, destOff + got, len - got, pos + got);
    if (n === 0) break;
    got += n;
  }
  return got;
}

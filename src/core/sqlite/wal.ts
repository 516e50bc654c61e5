/**
 * A pure-JS reading of SQLite's write-ahead log.
 *
 * The wasm SQLite never sees the user's -wal file (no shared memory; and it must not create or lock files next to
 * the database), so committed transactions that live only in the WAL would silently be missing. We index the
 * WAL the way SQLite's own recovery does (https://www.sqlite.org/fileformat2.html#walformat): validate the header,
 * walk frames while salts and the cumulative checksum chain match, and apply every frame up to the LAST commit
 * frame. Frames after it belong to an unfinished transaction and are ignored, as SQLite would ignore them. The
 * reader (image.ts) then serves each page from its latest committed frame, or from the main file. Nothing here
 * writes to the disk.
 */

export const WAL_HEADER_SIZE = 32;
export const WAL_FRAME_HEADER_SIZE = 24;
const WAL_MAGIC = 0x377f0682; // low bit set (…83) = checksums use big-endian words
const WAL_VERSION = 3007000;

/** Thrown when a -wal file exists but cannot be replayed; the caller must refuse rather than migrate a stale copy. */
export class WalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WalError';
  }
}

export interface WalResult {
  /** The database image with the committed WAL frames applied (and the header switched to rollback mode). */
  image: Uint8Array;
  /** Number of valid frames up to and including the last commit frame. */
  framesApplied: number;
  /** A non-empty WAL was supplied. */
  walPresent: boolean;
}

/** Page size from a main-file header; 1 encodes 65536. Returns 0 when the value is not a valid page size. */
export function mainPageSize(main: Uint8Array): number {
  if (main.length < 100) return 0;
  const raw = (main[16] << 8) | main[17];
  const size = raw === 1 ? 65536 : raw;
  return isValidPageSize(size) ? size : 0;
}

export function isValidPageSize(n: number): boolean {
  return n >= 512 && n <= 65536 && (n & (n - 1)) === 0;
}

/**
 * SQLite's WAL checksum over `len` bytes (a multiple of 8) starting at `off`, continuing from s = [s0, s1].
 * Words are read little- or big-endian as the WAL header's magic says, regardless of the host.
 */
function walChecksum(view: DataView, off: number, len: number, littleEndian: boolean, s: [number, number]): void {
  let s0 = s[0];
  let s1 = s[1];
  const end = off + len;
  for (let i = off; i < end; i += 8) {
    s0 = (s0 + view.getUint32(i, littleEndian) + s1) >>> 0;
    s1 = (s1 + view.getUint32(i + 4, littleEndian) + s0) >>> 0;
  }
  s[0] = s0;
  s[1] = s1;
}

function u32be(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** Reads `len` bytes of the WAL at `pos`; may return fewer at the end of the file. */
export type WalReader = (pos: number, len: number) => Uint8Array;

export interface WalIndex {
  /** Page size declared by the WAL header (0 when there is no WAL). */
  pageSize: number;
  /** Number of valid frames up to and including the last commit frame. */
  framesApplied: number;
  /** Database size in pages after the last commit; -1 when no commit was found. */
  finalPages: number;
  /** Page number → byte offset in the WAL of that page's data in its latest committed frame. */
  pages: Map<number, number>;
  /** The header's salts, hex (new at every WAL restart); '' without a WAL. */
  salts: string;
  /** The cumulative checksum of the last commit frame, hex: with the salts, names the committed state (sync). */
  lastCommitChecksum: string;
  /** The page number of each committed frame, in WAL order (frame n at index n - 1): what each commit wrote (sync). */
  framePages: number[];
}

/**
 * Walks the frames of a WAL of `walSize` bytes the way SQLite's recovery does: frames count while their salts and
 * the cumulative checksum chain match; only frames up to the LAST commit frame are kept (later ones belong to an
 * unfinished transaction). The latest committed frame of a page wins. Reads one frame at a time, so a WAL of any
 * size is indexed in constant memory. Throws WalError when a non-empty WAL has an unusable header or a page size
 * different from the database's (`dbPageSize`, 0 when unknown).
 */
export function indexWal(read: WalReader, walSize: number, dbPageSize: number): WalIndex {
  const index: WalIndex = {
    pageSize: 0,
    framesApplied: 0,
    finalPages: -1,
    pages: new Map(),
    salts: '',
    lastCommitChecksum: '',
    framePages: [],
  };
  if (walSize === 0) return index;
  if (walSize < WAL_HEADER_SIZE)
    throw new WalError(`the WAL file is only ${walSize} bytes, shorter than its 32-byte header`);
  const header = Uint8Array.from(read(0, WAL_HEADER_SIZE));
  const magic = u32be(header, 0);
  if ((magic & 0xfffffffe) >>> 0 !== WAL_MAGIC) {
    throw new WalError(`the WAL header has a bad magic number 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const littleEndian = (magic & 1) === 0;
  const pageSize = u32be(header, 8);
  if (!isValidPageSize(pageSize)) throw new WalError(`the WAL header has an invalid page size ${pageSize}`);
  const cksum: [number, number] = [0, 0];
  walChecksum(new DataView(header.buffer), 0, 24, littleEndian, cksum);
  if (cksum[0] !== u32be(header, 24) || cksum[1] !== u32be(header, 28))
    throw new WalError('the WAL header checksum does not match');
  const version = u32be(header, 4);
  if (version !== WAL_VERSION) throw new WalError(`the WAL format version ${version} is not supported`);
  if (dbPageSize !== 0 && dbPageSize !== pageSize) {
    throw new WalError(`the WAL page size ${pageSize} does not match the database page size ${dbPageSize}`);
  }
  index.pageSize = pageSize;
  index.salts = Buffer.from(header.subarray(16, 24)).toString('hex');

  // Walk frames until the first invalid one; pages of the current (not yet committed) transaction wait in `pending`.
  const frameSize = WAL_FRAME_HEADER_SIZE + pageSize;
  const pending = new Map<number, number>();
  const pendingFrames: number[] = [];
  let frames = 0;
  for (let off = WAL_HEADER_SIZE; off + frameSize <= walSize; off += frameSize) {
    const frame = read(off, frameSize);
    if (frame.length < frameSize) break;
    const pgno = u32be(frame, 0);
    if (pgno === 0) break;
    // Salts must equal the header's: frames left over from before a WAL restart carry old salts.
    let saltOk = true;
    for (let i = 0; i < 8; i++)
      if (frame[8 + i] !== header[16 + i]) {
        saltOk = false;
        break;
      }
    if (!saltOk) break;
    const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    walChecksum(view, 0, 8, littleEndian, cksum);
    walChecksum(view, WAL_FRAME_HEADER_SIZE, pageSize, littleEndian, cksum);
    if (cksum[0] !== u32be(frame, 16) || cksum[1] !== u32be(frame, 20)) break;
    frames++;
    pending.set(pgno, off + WAL_FRAME_HEADER_SIZE);
    pendingFrames.push(pgno);
    const commitSize = u32be(frame, 4);
    if (commitSize !== 0) {
      for (const [p, dataOff] of pending) index.pages.set(p, dataOff);
      pending.clear();
      for (const p of pendingFrames) index.framePages.push(p);
      pendingFrames.length = 0;
      index.finalPages = commitSize;
      index.framesApplied = frames;
      index.lastCommitChecksum = Buffer.from(frame.subarray(16, 24)).toString('hex');
    }
  }
  // Pages beyond the final size were truncated away by a later commit (e.g. VACUUM).
  for (const p of index.pages.keys()) if (p > index.finalPages) index.pages.delete(p);
  return index;
}

/** A WAL-mode header (read/write version 2) makes SQLite look for a -wal and shared memory that it must not use. */
export function patchJournalMode(bytes: Uint8Array, fileOffset: number): void {
  for (const at of [18, 19]) {
    const i = at - fileOffset;
    if (i >= 0 && i < bytes.length && bytes[i] === 2) bytes[i] = 1;
  }
}

/**
 * Applies the committed frames of `wal` to `main` in memory. By default the input is never modified (a copy is
 * made); `inPlace: true` lets the caller avoid doubling memory for a large database it owns.
 * Throws WalError when a non-empty WAL has an unusable header or a page size different from the database's.
 */
export function applyWal(main: Uint8Array, wal: Uint8Array, opts: { inPlace?: boolean } = {}): WalResult {
  const walPresent = wal.length > 0;
  const index = indexWal((pos, len) => wal.subarray(pos, pos + len), wal.length, mainPageSize(main));
  const { pageSize, finalPages, framesApplied } = index;

  let image: Uint8Array;
  if (framesApplied === 0) {
    // new Uint8Array(x) copies; Buffer#slice would not (it returns a view).
    image = opts.inPlace ? main : new Uint8Array(main);
  } else {
    const finalLength = finalPages * pageSize;
    if (opts.inPlace && finalLength <= main.length) {
      image = main.subarray(0, finalLength);
    } else {
      image = new Uint8Array(finalLength);
      image.set(main.subarray(0, Math.min(main.length, finalLength)));
    }
    for (const [pgno, dataOff] of index.pages)
      image.set(wal.subarray(dataOff, dataOff + pageSize), (pgno - 1) * pageSize);
  }
  // The image is now fully checkpointed, so declaring it a rollback-journal database is accurate.
  if (image.length >= 100) patchJournalMode(image.subarray(0, 100), 0);
  return { image, framesApplied, walPresent };
}

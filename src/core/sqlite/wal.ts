/**
 * A pure-JS, in-memory WAL checkpoint.
 *
 * sql.js cannot open a database together with its -wal file (no shared memory, and the wasm VFS cannot see the
 * user's directory), so committed transactions that live only in the WAL would silently be missing. We replay the
 * WAL the way SQLite's own recovery does (https://www.sqlite.org/fileformat2.html#walformat): validate the header,
 * walk frames while salts and the cumulative checksum chain match, and apply every frame up to the LAST commit
 * frame. Frames after it belong to an unfinished transaction and are ignored, as SQLite would ignore them.
 * Nothing here touches the disk.
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

/** One WAL frame that belongs to a committed transaction. */
export interface WalFrame {
  pgno: number;
  /** Offset of the page data (after the 24-byte frame header) in the WAL. */
  dataOff: number;
}

export interface WalScan {
  /** 0 when the WAL is empty. */
  pageSize: number;
  /** Valid frames up to and including the last commit frame, in WAL order (a later frame of a page wins). */
  frames: WalFrame[];
  /** Database size in pages after the last commit; -1 when no commit frame was found. */
  finalPages: number;
  /** The WAL header's salts (change on every WAL restart), hex; '' when the WAL is empty. */
  salts: string;
  /** The cumulative checksum of the last commit frame, hex: identifies the committed state the WAL holds. */
  lastCommitChecksum: string;
}

/**
 * Walks the WAL the way SQLite's recovery does: frames count while salts and the cumulative checksum chain match;
 * frames after the last commit frame belong to an unfinished transaction and are dropped.
 * Throws WalError when a non-empty WAL has an unusable header or a page size different from the database's.
 */
export function scanWal(main: Uint8Array, wal: Uint8Array): WalScan {
  const scan: WalScan = { pageSize: 0, frames: [], finalPages: -1, salts: '', lastCommitChecksum: '' };
  if (wal.length === 0) return scan;
  if (wal.length < WAL_HEADER_SIZE) throw new WalError(`the WAL file is only ${wal.length} bytes, shorter than its 32-byte header`);
  const view = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const magic = u32be(wal, 0);
  if ((magic & 0xfffffffe) >>> 0 !== WAL_MAGIC) {
    throw new WalError(`the WAL header has a bad magic number 0x${magic.toString(16).padStart(8, '0')}`);
  }
  const littleEndian = (magic & 1) === 0;
  const pageSize = u32be(wal, 8);
  if (!isValidPageSize(pageSize)) throw new WalError(`the WAL header has an invalid page size ${pageSize}`);
  const cksum: [number, number] = [0, 0];
  walChecksum(view, 0, 24, littleEndian, cksum);
  if (cksum[0] !== u32be(wal, 24) || cksum[1] !== u32be(wal, 28)) throw new WalError('the WAL header checksum does not match');
  const version = u32be(wal, 4);
  if (version !== WAL_VERSION) throw new WalError(`the WAL format version ${version} is not supported`);
  const dbPageSize = mainPageSize(main);
  if (dbPageSize !== 0 && dbPageSize !== pageSize) {
    throw new WalError(`the WAL page size ${pageSize} does not match the database page size ${dbPageSize}`);
  }
  scan.pageSize = pageSize;
  scan.salts = Buffer.from(wal.subarray(16, 24)).toString('hex');

  // Walk frames until the first invalid one; remember where the last commit ends.
  const frameSize = WAL_FRAME_HEADER_SIZE + pageSize;
  let validUpTo = 0;
  for (let off = WAL_HEADER_SIZE; off + frameSize <= wal.length; off += frameSize) {
    const pgno = u32be(wal, off);
    if (pgno === 0) break;
    // Salts must equal the header's: frames left over from before a WAL restart carry old salts.
    let saltOk = true;
    for (let i = 0; i < 8; i++) if (wal[off + 8 + i] !== wal[16 + i]) { saltOk = false; break; }
    if (!saltOk) break;
    walChecksum(view, off, 8, littleEndian, cksum);
    walChecksum(view, off + WAL_FRAME_HEADER_SIZE, pageSize, littleEndian, cksum);
    if (cksum[0] !== u32be(wal, off + 16) || cksum[1] !== u32be(wal, off + 20)) break;
    scan.frames.push({ pgno, dataOff: off + WAL_FRAME_HEADER_SIZE });
    const commitSize = u32be(wal, off + 4);
    if (commitSize !== 0) {
      scan.finalPages = commitSize;
      scan.lastCommitChecksum = Buffer.from(wal.subarray(off + 16, off + 24)).toString('hex');
      validUpTo = scan.frames.length;
    }
  }
  scan.frames.length = validUpTo;
  return scan;
}

/**
 * Applies the committed frames of `wal` to `main`. By default the input is never modified (a copy is made);
 * `inPlace: true` lets the caller avoid doubling memory for a large database it owns.
 * Throws WalError when a non-empty WAL has an unusable header or a page size different from the database's.
 */
export function applyWal(main: Uint8Array, wal: Uint8Array, opts: { inPlace?: boolean } = {}): WalResult {
  const walPresent = wal.length > 0;
  const { pageSize, frames, finalPages } = scanWal(main, wal);
  const framesApplied = frames.length;

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
    for (const f of frames) {
      // Pages beyond the final size were truncated away by a later commit (e.g. VACUUM).
      if (f.pgno <= finalPages) image.set(wal.subarray(f.dataOff, f.dataOff + pageSize), (f.pgno - 1) * pageSize);
    }
  }

  // A WAL-mode header (read/write version 2) makes SQLite look for shared memory that sql.js does not have.
  // The image is now fully checkpointed, so declaring it a rollback-journal database is accurate.
  if (image.length >= 100 && (image[18] === 2 || image[19] === 2)) {
    image[18] = 1;
    image[19] = 1;
  }
  return { image, framesApplied, walPresent };
}

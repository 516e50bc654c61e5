/**
 * The cell-level part of SQLite's file format (https://www.sqlite.org/fileformat2.html) that the b-tree walker and
 * the record decoder share: page types, big-endian integers, varints and where a cell's payload lies.
 */
import { MigrationError } from '../errors';

/** Pages of one consistent database state (main file with the committed WAL frames applied). Pages are 1-based. */
export interface PageSource {
  readonly pageSize: number;
  /** Bytes of each page usable for b-tree content (page size minus the reserved bytes at the end of every page). */
  readonly usableSize: number;
  readonly pageCount: number;
  page(pgno: number): Uint8Array;
}

export const TABLE_INTERIOR = 0x05;
export const TABLE_LEAF = 0x0d;
export const INDEX_INTERIOR = 0x02;
export const INDEX_LEAF = 0x0a;

export function u16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

export function u32(b: Uint8Array, off: number): number {
  return ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
}

/** A SQLite varint at `off`: its value (exact up to 2^53, which covers every length and page number) and size. */
export function readVarint(b: Uint8Array, off: number): { value: number; size: number } {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = b[off + i];
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return { value, size: i + 1 };
  }
  return { value: value * 256 + b[off + 8], size: 9 };
}

export function corrupt(detail: string): MigrationError {
  return new MigrationError(
    'SOURCE_CORRUPT',
    `The database's b-tree structure is damaged: ${detail}.`,
    'Check it with sqlite3 <file> "PRAGMA quick_check;".',
  );
}

/** How many payload bytes a cell keeps on its own page (the rest goes to overflow pages). */
function localPayload(usable: number, payload: number, isTableLeaf: boolean): number {
  const maxLocal = isTableLeaf ? usable - 35 : Math.floor(((usable - 12) * 64) / 255) - 23;
  if (payload <= maxLocal) return payload;
  const minLocal = Math.floor(((usable - 12) * 32) / 255) - 23;
  const k = minLocal + ((payload - minLocal) % (usable - 4));
  return k <= maxLocal ? k : minLocal;
}

export interface Cell {
  /** Child page (interior cells). */
  child?: number;
  /** Rowid (table leaf cells). */
  rowid?: number;
  payloadSize: number;
  /** Offset of the local payload in the page, and its length. */
  payloadOff: number;
  localSize: number;
  /** First overflow page, 0 when the payload fits on the page. */
  overflow: number;
}

export function parseCell(src: PageSource, page: Uint8Array, type: number, off: number): Cell {
  let p = off;
  let child: number | undefined;
  if (type === TABLE_INTERIOR || type === INDEX_INTERIOR) {
    child = u32(page, p);
    p += 4;
  }
  if (type === TABLE_INTERIOR) return { child, payloadSize: 0, payloadOff: p, localSize: 0, overflow: 0 };
  const size = readVarint(page, p);
  p += size.size;
  let rowid: number | undefined;
  if (type === TABLE_LEAF) {
    const r = readVarint(page, p);
    rowid = r.value;
    p += r.size;
  }
  const localSize = localPayload(src.usableSize, size.value, type === TABLE_LEAF);
  const overflow = localSize < size.value ? u32(page, p + localSize) : 0;
  return { child, rowid, payloadSize: size.value, payloadOff: p, localSize, overflow };
}

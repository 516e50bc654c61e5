/**
 * Just enough of SQLite's file format (https://www.sqlite.org/fileformat2.html) to walk a b-tree page by page:
 * which pages belong to a table (interior, leaf and overflow pages), and the records of sqlite_master.
 * Pages come from a PageSource, so the walker does not care whether they are in memory or read on demand.
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

const TABLE_INTERIOR = 0x05;
const TABLE_LEAF = 0x0d;
const INDEX_INTERIOR = 0x02;
const INDEX_LEAF = 0x0a;

/** Page source over an image of the whole database held in memory. */
export function imagePages(image: Uint8Array): PageSource {
  const raw = (image[16] << 8) | image[17];
  const pageSize = raw === 1 ? 65536 : raw;
  return {
    pageSize,
    usableSize: pageSize - image[20],
    pageCount: Math.floor(image.length / pageSize),
    page: (pgno) => image.subarray((pgno - 1) * pageSize, pgno * pageSize),
  };
}

function u16(b: Uint8Array, off: number): number {
  return (b[off] << 8) | b[off + 1];
}

function u32(b: Uint8Array, off: number): number {
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

function corrupt(detail: string): MigrationError {
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

interface Cell {
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

function parseCell(src: PageSource, page: Uint8Array, type: number, off: number): Cell {
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

/**
 * Visits every page of the b-tree rooted at `root` — interior, leaf and overflow pages, parents before children, in
 * key order — and calls `onCell` for each leaf cell. Refuses page numbers out of range and pages seen twice.
 */
export function walkBtree(
  src: PageSource,
  root: number,
  onPage: (pgno: number, page: Uint8Array) => void,
  onCell?: (cell: Cell, page: Uint8Array) => void,
): void {
  const seen = new Set<number>();
  const visit = (pgno: number): Uint8Array => {
    if (pgno < 1 || pgno > src.pageCount) throw corrupt(`page ${pgno} is outside the file (${src.pageCount} pages)`);
    if (seen.has(pgno)) throw corrupt(`page ${pgno} is referenced twice`);
    seen.add(pgno);
    const page = src.page(pgno);
    onPage(pgno, page);
    return page;
  };
  const stack = [root];
  while (stack.length > 0) {
    const pgno = stack.pop() as number;
    const page = visit(pgno);
    const h = pgno === 1 ? 100 : 0;
    const type = page[h];
    if (type !== TABLE_INTERIOR && type !== TABLE_LEAF && type !== INDEX_INTERIOR && type !== INDEX_LEAF)
      throw corrupt(`page ${pgno} has an unknown b-tree page type ${type}`);
    const interior = type === TABLE_INTERIOR || type === INDEX_INTERIOR;
    const cells = u16(page, h + 3);
    const pointers = h + (interior ? 12 : 8);
    const children: number[] = [];
    for (let i = 0; i < cells; i++) {
      const cell = parseCell(src, page, type, u16(page, pointers + 2 * i));
      if (cell.child !== undefined) children.push(cell.child);
      for (let next = cell.overflow; next !== 0; next = u32(visit(next), 0));
      if (!interior) onCell?.(cell, page);
    }
    if (interior) children.push(u32(page, h + 8));
    // Stack: push in reverse so children are visited left to right.
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
  }
}

/** The full payload of a leaf cell, following its overflow chain. */
function cellPayload(src: PageSource, cell: Cell, page: Uint8Array): Uint8Array {
  if (cell.overflow === 0) return page.subarray(cell.payloadOff, cell.payloadOff + cell.localSize);
  const out = new Uint8Array(cell.payloadSize);
  out.set(page.subarray(cell.payloadOff, cell.payloadOff + cell.localSize));
  let filled = cell.localSize;
  for (let next = cell.overflow; next !== 0 && filled < out.length;) {
    const o = src.page(next);
    const n = Math.min(src.usableSize - 4, out.length - filled);
    out.set(o.subarray(4, 4 + n), filled);
    filled += n;
    next = u32(o, 0);
  }
  return out;
}

export type RecordValue = null | number | string | Uint8Array;

/** Text encoding from the database header (offset 56): 1 UTF-8, 2 UTF-16le, 3 UTF-16be. */
export type TextEncoding = 1 | 2 | 3;

function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  if (encoding === 1) return Buffer.from(bytes).toString('utf8');
  const b = Buffer.from(bytes);
  if (encoding === 3) b.swap16();
  return b.toString('utf16le');
}

/** Decodes a record (https://www.sqlite.org/fileformat2.html#record_format). */
export function decodeRecord(payload: Uint8Array, encoding: TextEncoding = 1): RecordValue[] {
  const header = readVarint(payload, 0);
  const types: number[] = [];
  for (let p = header.size; p < header.value;) {
    const t = readVarint(payload, p);
    types.push(t.value);
    p += t.size;
  }
  const values: RecordValue[] = [];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let off = header.value;
  const intSizes = [0, 1, 2, 3, 4, 6, 8];
  for (const t of types) {
    if (t === 0) values.push(null);
    else if (t <= 6) {
      const n = intSizes[t];
      values.push(n === 8 ? Number(view.getBigInt64(off)) : signedInt(payload, off, n));
      off += n;
    } else if (t === 7) {
      values.push(view.getFloat64(off));
      off += 8;
    } else if (t === 8 || t === 9) values.push(t - 8);
    else if (t >= 12) {
      const n = t % 2 === 0 ? (t - 12) / 2 : (t - 13) / 2;
      const bytes = payload.subarray(off, off + n);
      values.push(t % 2 === 0 ? bytes : decodeText(bytes, encoding));
      off += n;
    } else throw corrupt(`a record uses the reserved serial type ${t}`);
  }
  return values;
}

function signedInt(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + i];
  return b[off] & 0x80 ? v - 2 ** (8 * n) : v;
}

/** The rows of the table b-tree at `root`, decoded (for sqlite_master, whose root is page 1). */
export function readTableRecords(src: PageSource, root: number): Array<{ rowid: number; values: RecordValue[] }> {
  const rows: Array<{ rowid: number; values: RecordValue[] }> = [];
  const header = src.page(1);
  const encoding = (header[59] === 2 || header[59] === 3 ? header[59] : 1) as TextEncoding;
  walkBtree(
    src,
    root,
    () => undefined,
    (cell, page) => rows.push({ rowid: cell.rowid ?? 0, values: decodeRecord(cellPayload(src, cell, page), encoding) }),
  );
  return rows;
}

/** A b-tree page as the change detection needs it: leaf or interior, and an interior page's children with dividers. */
export interface TreeNode {
  leaf: boolean;
  /** Interior pages: the child pages in key order (the last is the right-most pointer). */
  children: number[];
  /**
   * Interior pages: the divider after each child but the last. Table b-trees: the rowid (child i holds keys ≤ it).
   * Index b-trees: the first column of the cell's key, or undefined when it is not a number (child i holds keys
   * ≤ it; the cell's own entry lives on this page).
   */
  dividers: Array<number | undefined>;
}

/** Reads the node at `pgno`; refuses pages that are not b-tree pages. */
export function readNode(src: PageSource, pgno: number): TreeNode {
  if (pgno < 1 || pgno > src.pageCount) throw corrupt(`page ${pgno} is outside the file (${src.pageCount} pages)`);
  const page = src.page(pgno);
  const h = pgno === 1 ? 100 : 0;
  const type = page[h];
  if (type === TABLE_LEAF || type === INDEX_LEAF) return { leaf: true, children: [], dividers: [] };
  if (type !== TABLE_INTERIOR && type !== INDEX_INTERIOR)
    throw corrupt(`page ${pgno} has an unknown b-tree page type ${type}`);
  const cells = u16(page, h + 3);
  const children: number[] = [];
  const dividers: Array<number | undefined> = [];
  for (let i = 0; i < cells; i++) {
    const off = u16(page, h + 12 + 2 * i);
    children.push(u32(page, off));
    if (type === TABLE_INTERIOR) dividers.push(readVarint(page, off + 4).value);
    else {
      const cell = parseCell(src, page, type, off);
      const first = decodeFirst(page.subarray(cell.payloadOff, cell.payloadOff + cell.localSize));
      dividers.push(typeof first === 'number' ? first : undefined);
    }
  }
  children.push(u32(page, h + 8));
  return { leaf: false, children, dividers };
}

/** The first value of a record, from its local bytes (an integer or a real; anything else is undefined). */
function decodeFirst(payload: Uint8Array): number | undefined {
  if (payload.length < 2) return undefined;
  const header = readVarint(payload, 0);
  const t = readVarint(payload, header.size).value;
  const off = header.value;
  if (t >= 1 && t <= 6) {
    const n = [0, 1, 2, 3, 4, 6, 8][t];
    if (off + n > payload.length) return undefined;
    if (n === 8) return Number(new DataView(payload.buffer, payload.byteOffset).getBigInt64(off));
    return signedInt(payload, off, n);
  }
  if (t === 8 || t === 9) return t - 8;
  if (t === 7 && off + 8 <= payload.length) return new DataView(payload.buffer, payload.byteOffset).getFloat64(off);
  return undefined;
}

/**
 * Every page of the b-tree at `root` but its overflow pages, reading only its interior pages (and one leaf): the
 * tree is balanced, so the children of the last interior level are leaves.
 */
export function treePages(src: PageSource, root: number): Set<number> {
  const out = new Set<number>([root]);
  let depth = 0;
  for (let node = readNode(src, root); !node.leaf; node = readNode(src, node.children[0])) depth++;
  let level = [root];
  for (let d = 0; d < depth; d++) {
    const next: number[] = [];
    for (const pgno of level) {
      const { children } = readNode(src, pgno);
      for (const c of children) {
        if (out.has(c)) throw corrupt(`page ${c} is referenced twice`);
        out.add(c);
        next.push(c);
      }
    }
    level = next;
  }
  return out;
}

/** The freelist's trunk and leaf pages (header offset 32: first trunk; each trunk: next trunk, count, leaves). */
export function freelistPages(src: PageSource): Set<number> {
  const out = new Set<number>();
  const header = src.page(1);
  for (let trunk = u32(header, 32); trunk !== 0;) {
    if (trunk > src.pageCount || out.has(trunk)) throw corrupt(`the freelist is damaged at page ${trunk}`);
    out.add(trunk);
    const page = src.page(trunk);
    const count = Math.min(u32(page, 4), (src.usableSize - 8) / 4);
    for (let i = 0; i < count; i++) out.add(u32(page, 8 + 4 * i));
    trunk = u32(page, 0);
  }
  return out;
}

/** Auto-vacuum databases keep pointer-map pages (header offset 52 is the largest root page, 0 without). */
export function hasPointerMap(src: PageSource): boolean {
  return u32(src.page(1), 52) !== 0;
}

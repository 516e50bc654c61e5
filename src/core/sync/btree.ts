/**
 * Just enough of SQLite's file format (https://www.sqlite.org/fileformat2.html) to walk a b-tree page by page:
 * which pages belong to a table (interior, leaf and overflow pages), and the records of sqlite_master.
 * Pages come from a PageSource, so the walker does not care whether they are in memory or read on demand.
 */
import { decodeFirst, decodeRecord, type RecordValue, type TextEncoding } from './record';
import {
  corrupt,
  INDEX_INTERIOR,
  INDEX_LEAF,
  parseCell,
  readVarint,
  TABLE_INTERIOR,
  TABLE_LEAF,
  u16,
  u32,
  type Cell,
  type PageSource,
} from './pageFormat';

export type { PageSource } from './pageFormat';

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

/**
 * Row-level change detection from changed pages. Given the pages the WAL says were written since the last sync,
 * walks a b-tree from its root through its interior pages only (the tree is balanced: the children of the last
 * interior level are leaves, never read), so the cost is the interior pages, about 1 % of a table.
 */
import { readNode, type PageSource } from './btree';

/** Inclusive bounds on a b-tree's first key column (the rowid of a table b-tree); ±Infinity when open. */
export interface KeyRange {
  lo: number;
  hi: number;
}

/**
 * The key ranges of the b-tree at `root` that may hold changed entries. `kind`: a table b-tree (keys are rowids,
 * child i holds keys in (divider i-1, divider i]) or an index b-tree (ranges on its first column; equal first
 * values may sit on both sides of a divider, so bounds are inclusive both ways).
 *
 * Each leaf's range comes from the dividers around it in key order, wherever they sit. In a table b-tree a changed
 * leaf marks its own range only: SQLite rebalances a group of adjacent leaves by rewriting all of them (so they are
 * all changed, and together they span what they spanned before) and moves leaves between interior pages without
 * rewriting them (the order of leaves and dividers stays), so an unchanged leaf keeps its entries and its range.
 * An index b-tree also keeps entries on interior pages: a changed interior page marks its whole range.
 */
export function dirtyRanges(src: PageSource, root: number, changed: ReadonlySet<number>, kind: 'table' | 'index') {
  const out: KeyRange[] = [];
  let depth = 0;
  for (let node = readNode(src, root); !node.leaf; node = readNode(src, node.children[0])) depth++;
  const visit = (pgno: number, level: number, lo: number, hi: number): void => {
    if (level === depth) {
      if (changed.has(pgno)) out.push({ lo, hi });
      return;
    }
    if (kind === 'index' && changed.has(pgno)) {
      out.push({ lo, hi });
      return;
    }
    const node = readNode(src, pgno);
    if (node.leaf) throw new Error(`page ${pgno} is a leaf above the b-tree's last level`);
    node.children.forEach((child, i) => {
      const before = i === 0 ? undefined : node.dividers[i - 1];
      const after = i < node.dividers.length ? node.dividers[i] : undefined;
      const childLo = i === 0 ? lo : before === undefined ? -Infinity : kind === 'table' ? before + 1 : before;
      const childHi = i === node.dividers.length ? hi : after === undefined ? Infinity : after;
      visit(child, level + 1, Math.max(lo, childLo), Math.min(hi, childHi));
    });
  };
  visit(root, 0, -Infinity, Infinity);
  return mergeRanges(out);
}

/** Sorted, with overlapping and adjacent integer ranges joined. */
export function mergeRanges(ranges: KeyRange[]): KeyRange[] {
  const sorted = [...ranges].sort((a, b) => a.lo - b.lo);
  const out: KeyRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ ...r });
  }
  return out;
}

/** Integer points as ranges (consecutive values joined). */
export function pointRanges(values: Iterable<number>): KeyRange[] {
  return mergeRanges([...values].map((v) => ({ lo: v, hi: v })));
}

/** SQL over `column` (already quoted, e.g. `p."id"`) matching the ranges, with its parameters. */
export function rangesSql(column: string, ranges: KeyRange[]): { where: string; params: number[] } {
  const terms: string[] = [];
  const params: number[] = [];
  const points = ranges.filter((r) => r.lo === r.hi);
  if (points.length > 0) {
    terms.push(`${column} IN (${points.map(() => '?').join(', ')})`);
    params.push(...points.map((r) => r.lo));
  }
  for (const r of ranges) {
    if (r.lo === r.hi) continue;
    const parts: string[] = [];
    if (r.lo !== -Infinity) {
      parts.push(`${column} >= ?`);
      params.push(r.lo);
    }
    if (r.hi !== Infinity) {
      parts.push(`${column} <= ?`);
      params.push(r.hi);
    }
    terms.push(parts.length === 0 ? '1' : `(${parts.join(' AND ')})`);
  }
  return { where: terms.length === 0 ? '0' : `(${terms.join(' OR ')})`, params };
}

/** A MongoDB filter on `_id` (a number) matching the ranges. */
export function rangesFilter(ranges: KeyRange[]): Record<string, unknown> {
  const clauses: Array<Record<string, unknown>> = [];
  const points = ranges.filter((r) => r.lo === r.hi).map((r) => r.lo);
  if (points.length > 0) clauses.push({ _id: { $in: points } });
  for (const r of ranges) {
    if (r.lo === r.hi) continue;
    const bounds: Record<string, number> = {};
    if (r.lo !== -Infinity) bounds.$gte = r.lo;
    if (r.hi !== Infinity) bounds.$lte = r.hi;
    if (Object.keys(bounds).length === 0) return {};
    clauses.push({ _id: bounds });
  }
  return clauses.length === 1 ? clauses[0] : { $or: clauses };
}

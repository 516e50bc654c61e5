/**
 * Brings the documents of a few `_id` ranges (the rows of the changed pages, narrow.ts) to the snapshot's content
 * with as few server requests as possible: one read of the target's documents in those ranges, then one delete of
 * the documents that differ or whose rows are gone, then inserts of the new and changed ones. Servers without an
 * index to answer a filter (FerretDB scans the whole collection for each) pay two scans per sync instead of one per
 * batch of replacements plus one more for deletions; MongoDB answers each range from its `_id` index.
 *
 * The ranges' documents are held in memory on both sides: a few per changed row (the rows of its leaf page).
 */
import { BSON, type Collection, type Document } from 'mongodb';
import { throwIfAborted } from '../errors';
import { elementKey, idElement, type BsonElement } from '../mongo/idOrder';
import type { BulkWriter } from '../mongo/writer';
import { coarsen, rangesFilter, type KeyRange } from './ranges';

/** The most ranges one read of the target asks for: a server scanning evaluates each per document. */
const TARGET_RANGES = 16;
const TARGET_BATCH = 10_000;

export interface NarrowCounts {
  unchanged: number;
  /** Sent as replacements (deleted, then inserted again). */
  changed: number;
  /** Not in the target: sent as inserts. */
  missing: number;
  deleted: number;
  timings: { buildMs: number; readMs: number; writeMs: number };
}

/** The numeric value of an `_id` element (int32, int64, double); undefined for any other type. */
function numericId(e: BsonElement): number | undefined {
  const view = new DataView(e.buf.buffer, e.buf.byteOffset, e.buf.byteLength);
  if (e.type === 0x10) return view.getInt32(e.valueStart, true);
  if (e.type === 0x12) return Number(view.getBigInt64(e.valueStart, true));
  if (e.type === 0x01) return view.getFloat64(e.valueStart, true);
  return undefined;
}

/** Whether `x` lies in one of `ranges` (sorted, disjoint). */
export function inRanges(x: number, ranges: KeyRange[]): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (x < ranges[mid].lo) hi = mid - 1;
    else if (x > ranges[mid].hi) lo = mid + 1;
    else return true;
  }
  return false;
}

/** The `_id` of `raw` as a one-field document's value, with its exact BSON type. */
function idValue(raw: Uint8Array, id: BsonElement): unknown {
  const element = raw.subarray(id.nameStart - 1, id.end);
  const doc = Buffer.alloc(4 + element.length + 1);
  doc.writeInt32LE(doc.length, 0);
  doc.set(element, 4);
  return BSON.deserialize(doc, { promoteValues: false, promoteLongs: false })._id;
}

/**
 * Compares `built` (the source's documents in `ranges`, with their serializations) with the target's documents in
 * the same ranges and writes the differences through `writer`.
 */
export async function applyNarrowed(
  collection: Collection,
  writer: BulkWriter,
  built: AsyncIterable<{ doc: Document; bson: Uint8Array }>,
  ranges: KeyRange[],
  opts: { table: string; signal?: AbortSignal },
): Promise<NarrowCounts> {
  const counts: NarrowCounts = {
    unchanged: 0,
    changed: 0,
    missing: 0,
    deleted: 0,
    timings: { buildMs: 0, readMs: 0, writeMs: 0 },
  };
  let t = performance.now();
  const lap = () => {
    const now = performance.now();
    const ms = Math.round(now - t);
    t = now;
    return ms;
  };
  const source = new Map<string, { doc: Document; bson: Uint8Array }>();
  let n = 0;
  for await (const d of built) {
    if ((++n & 255) === 0) throwIfAborted(opts.signal);
    source.set(elementKey(idElement(d.bson)), d);
  }
  counts.timings.buildMs = lap();
  // Documents the target has in the ranges: equal ones are dropped from `source`, the rest are deleted.
  const stale: unknown[] = [];
  const changed: Array<{ doc: Document; bson: Uint8Array }> = [];
  const cursor = collection.find(rangesFilter(coarsen(ranges, TARGET_RANGES)), {
    raw: true,
    batchSize: TARGET_BATCH,
  });
  for await (const raw of cursor as AsyncIterable<Buffer>) {
    const id = idElement(raw);
    const value = numericId(id);
    // A wider range than asked for: what lies outside the exact ranges was not built, so it is not judged.
    if (value === undefined || !inRanges(value, ranges)) continue;
    const key = elementKey(id);
    const mine = source.get(key);
    if (mine && Buffer.compare(raw, mine.bson) === 0) {
      counts.unchanged++;
      source.delete(key);
      continue;
    }
    stale.push(idValue(raw, id));
    if (mine) {
      changed.push(mine);
      source.delete(key);
    }
  }
  counts.timings.readMs = lap();
  counts.changed = changed.length;
  counts.missing = source.size;
  // One delete for the changed and the gone, then the inserts: a sync killed in between leaves documents missing,
  // which the next sync (comparing these collections again) puts back.
  const deleted = await writer.deleteMany(stale);
  counts.deleted = Math.max(0, deleted - changed.length);
  for (const d of [...changed, ...source.values()]) await writer.add(d.doc, opts.table, undefined, d.bson);
  await writer.finish();
  counts.timings.writeMs = lap();
  return counts;
}

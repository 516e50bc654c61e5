import { BSON, type Document } from 'mongodb';
import { compareElements, idElement, type BsonElement } from './idOrder';

/** Below this many `_id`s a plain `$in` is as cheap as anything else. */
const PLAIN_IN_UP_TO = 64;

/**
 * The filter that selects exactly these `_id`s, shaped so that a server which cannot use the `_id` index still
 * evaluates it cheaply. FerretDB (v1, SQLite backend) pushes down only a single string or ObjectId `_id` equality:
 * any other filter is evaluated in Go on every document, and `$in` compares each document with every listed value,
 * so a `deleteMany` of 10,000 `_id`s cost a scan plus 10⁹ comparisons. Here the sorted `_id`s are cut into about
 * √n runs, each `{_id: {$gte: first, $lte: last, $in: run}}`, OR-ed: a document is compared with the run bounds
 * (which fail fast) and with one run's values, about 3√n comparisons. MongoDB answers both forms from its `_id`
 * index. Only numbers and strings are put in ranges (a range bound matches its own type bracket only); other `_id`
 * types, NaN or mixed brackets keep the plain `$in`.
 */
export function idsFilter(ids: readonly unknown[]): Document {
  if (ids.length <= PLAIN_IN_UP_TO) return { _id: { $in: ids } };
  const keyed = rangeable(ids);
  if (!keyed) return { _id: { $in: ids } };
  keyed.sort((a, b) => compareElements(a.element, b.element));
  const runLength = Math.ceil(Math.sqrt(keyed.length));
  const runs: Document[] = [];
  for (let i = 0; i < keyed.length; i += runLength) {
    const run = keyed.slice(i, i + runLength);
    runs.push({ _id: { $gte: run[0].id, $lte: run[run.length - 1].id, $in: run.map((k) => k.id) } });
  }
  return { $or: runs };
}

/** The `_id`s with their BSON elements when all are numbers (not NaN) or all are strings; otherwise undefined. */
function rangeable(ids: readonly unknown[]): Array<{ id: unknown; element: BsonElement }> | undefined {
  const keyed: Array<{ id: unknown; element: BsonElement }> = [];
  let bracket: 'number' | 'string' | undefined;
  for (const id of ids) {
    const element = idElement(BSON.serialize({ _id: id }));
    const kind = bracketOf(element);
    if (!kind || (bracket && kind !== bracket)) return undefined;
    bracket = kind;
    keyed.push({ id, element });
  }
  return keyed;
}

function bracketOf(e: BsonElement): 'number' | 'string' | undefined {
  if (e.type === 0x02) return 'string';
  if (e.type === 0x10 || e.type === 0x12) return 'number';
  if (e.type === 0x01) {
    const value = new DataView(e.buf.buffer, e.buf.byteOffset).getFloat64(e.valueStart, true);
    return Number.isNaN(value) ? undefined : 'number';
  }
  return undefined;
}

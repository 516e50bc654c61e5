/**
 * MongoDB's sort order of `_id` values, computed on raw BSON bytes (no decoding): the order the server returns
 * `find().sort({ _id: 1 })` in, so a merge of the target with freshly built documents can tell "absent" from
 * "later". Types first (MinKey < null < numbers < strings < objects < arrays < binary < ObjectId < bool < date <
 * timestamp < regex < … < MaxKey); numbers by value across int32, int64 and double (int64 exactly, beyond 2^53);
 * strings by their UTF-8 bytes; sub-documents element by element (type, then field name, then value); binary by
 * length, then subtype, then bytes.
 */

import { BSON } from 'mongodb';

/** One BSON element inside a buffer: its type byte, the offset of its value, and the offset just past it. */
export interface BsonElement {
  buf: Uint8Array;
  type: number;
  nameStart: number;
  valueStart: number;
  end: number;
}

const int32At = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24);

function valueSize(b: Uint8Array, type: number, v: number): number {
  switch (type) {
    case 0x01:
    case 0x09:
    case 0x11:
    case 0x12:
      return 8; // double, date, timestamp, int64
    case 0x02:
    case 0x0d:
    case 0x0e:
      return 4 + int32At(b, v); // string, code, symbol
    case 0x03:
    case 0x04:
    case 0x0f:
      return int32At(b, v); // document, array, code with scope
    case 0x05:
      return 5 + int32At(b, v); // binary
    case 0x06:
    case 0x0a:
    case 0xff:
    case 0x7f:
      return 0; // undefined, null, minKey, maxKey
    case 0x07:
      return 12; // ObjectId
    case 0x08:
      return 1; // bool
    case 0x0b: {
      // regex: two C strings
      let p = v;
      while (b[p] !== 0) p++;
      p++;
      while (b[p] !== 0) p++;
      return p + 1 - v;
    }
    case 0x0c:
      return 4 + int32At(b, v) + 12; // DBPointer
    case 0x10:
      return 4; // int32
    case 0x13:
      return 16; // decimal128
    default:
      throw new Error(`unknown BSON element type 0x${type.toString(16)}`);
  }
}

/** Reads the element starting at `p` (its type byte). */
export function elementAt(buf: Uint8Array, p: number): BsonElement {
  const type = buf[p];
  let q = p + 1;
  while (buf[q] !== 0) q++;
  const valueStart = q + 1;
  return { buf, type, nameStart: p + 1, valueStart, end: valueStart + valueSize(buf, type, valueStart) };
}

/** The `_id` element of a BSON document (the first field in documents the engine builds, and as stored). */
export function idElement(doc: Uint8Array): BsonElement {
  const end = doc.length - 1;
  for (let p = 4; p < end;) {
    const e = elementAt(doc, p);
    if (
      e.valueStart - e.nameStart === 4 &&
      doc[e.nameStart] === 0x5f &&
      doc[e.nameStart + 1] === 0x69 &&
      doc[e.nameStart + 2] === 0x64
    )
      return e;
    p = e.end;
  }
  throw new Error('document without _id');
}

/** The element's type and value bytes as a string: equal keys ⇔ identical `_id` (type and value). */
export function elementKey(e: BsonElement): string {
  return (
    String.fromCharCode(e.type) +
    Buffer.from(e.buf.buffer, e.buf.byteOffset + e.valueStart, e.end - e.valueStart).toString('latin1')
  );
}

function typeRank(type: number): number {
  switch (type) {
    case 0xff:
      return -1; // MinKey
    case 0x06:
    case 0x0a:
      return 5; // undefined, null
    case 0x01:
    case 0x10:
    case 0x12:
    case 0x13:
      return 10; // numbers
    case 0x02:
    case 0x0e:
      return 15; // string, symbol
    case 0x03:
      return 20;
    case 0x04:
      return 25;
    case 0x05:
      return 30;
    case 0x07:
      return 35;
    case 0x08:
      return 40;
    case 0x09:
      return 45;
    case 0x11:
      return 47;
    case 0x0b:
      return 50;
    case 0x0c:
      return 55;
    case 0x0d:
      return 60;
    case 0x0f:
      return 65;
    case 0x7f:
      return 127; // MaxKey
    default:
      return 200;
  }
}

function bytesCompare(a: Uint8Array, aFrom: number, aTo: number, b: Uint8Array, bFrom: number, bTo: number): number {
  const n = Math.min(aTo - aFrom, bTo - bFrom);
  for (let i = 0; i < n; i++) {
    const d = a[aFrom + i] - b[bFrom + i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return Math.sign(aTo - aFrom - (bTo - bFrom));
}

const sign = (x: number | bigint) => (x < 0 ? -1 : x > 0 ? 1 : 0);

/** A number element as an exact integer (bigint) or a double. Decimal128 is approximated by its double value. */
function numberOf(e: BsonElement): bigint | number {
  const view = new DataView(e.buf.buffer, e.buf.byteOffset);
  switch (e.type) {
    case 0x10:
      return BigInt(view.getInt32(e.valueStart, true));
    case 0x12:
      return view.getBigInt64(e.valueStart, true);
    case 0x01:
      return view.getFloat64(e.valueStart, true);
    default:
      return decimalApprox(e);
  }
}

/** Rare as an _id (and FerretDB has no Decimal128): compared by its nearest double. */
function decimalApprox(e: BsonElement): number {
  return Number(new BSON.Decimal128(Buffer.from(e.buf.subarray(e.valueStart, e.end))).toString());
}

function compareNumbers(a: bigint | number, b: bigint | number): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return sign(a - b);
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : -1) : 1; // NaN sorts first
    return sign(a - b);
  }
  const flip = typeof a === 'number';
  const big = (flip ? b : a) as bigint;
  const dbl = (flip ? a : b) as number;
  let r: number;
  if (Number.isNaN(dbl)) r = 1;
  else if (!Number.isFinite(dbl)) r = dbl > 0 ? -1 : 1;
  else {
    const floor = Math.floor(dbl);
    r = sign(big - BigInt(floor));
    if (r === 0 && dbl > floor) r = -1;
  }
  return flip && r !== 0 ? -r : r;
}

/** Compares two embedded documents (or arrays) element by element. */
function compareDocuments(a: Uint8Array, aStart: number, b: Uint8Array, bStart: number): number {
  let p = aStart + 4;
  let q = bStart + 4;
  for (;;) {
    const aEnd = a[p] === 0;
    const bEnd = b[q] === 0;
    if (aEnd || bEnd) return aEnd && bEnd ? 0 : aEnd ? -1 : 1;
    const x = elementAt(a, p);
    const y = elementAt(b, q);
    const r = compareElements(x, y, true);
    if (r !== 0) return r;
    p = x.end;
    q = y.end;
  }
}

/** MongoDB's order of two BSON elements (their values; with `withNames`, field names after types, as in documents). */
export function compareElements(x: BsonElement, y: BsonElement, withNames = false): number {
  const rx = typeRank(x.type);
  const ry = typeRank(y.type);
  if (rx !== ry) return rx < ry ? -1 : 1;
  if (withNames) {
    const n = bytesCompare(x.buf, x.nameStart, x.valueStart - 1, y.buf, y.nameStart, y.valueStart - 1);
    if (n !== 0) return n;
  }
  const a = x.buf;
  const b = y.buf;
  switch (rx) {
    case 10:
      return compareNumbers(numberOf(x), numberOf(y));
    case 15: // string bytes without the length and the trailing NUL
      return bytesCompare(a, x.valueStart + 4, x.end - 1, b, y.valueStart + 4, y.end - 1);
    case 20:
    case 25:
      return compareDocuments(a, x.valueStart, b, y.valueStart);
    case 30: {
      const lx = int32At(a, x.valueStart);
      const ly = int32At(b, y.valueStart);
      if (lx !== ly) return lx < ly ? -1 : 1;
      return bytesCompare(a, x.valueStart + 4, x.end, b, y.valueStart + 4, y.end); // subtype byte, then data
    }
    case 40:
      return sign(a[x.valueStart] - b[y.valueStart]);
    case 45: {
      const dx = new DataView(a.buffer, a.byteOffset).getBigInt64(x.valueStart, true);
      const dy = new DataView(b.buffer, b.byteOffset).getBigInt64(y.valueStart, true);
      return sign(dx - dy);
    }
    case 47: {
      const tx = new DataView(a.buffer, a.byteOffset).getBigUint64(x.valueStart, true);
      const ty = new DataView(b.buffer, b.byteOffset).getBigUint64(y.valueStart, true);
      return sign(tx - ty);
    }
    case -1:
    case 5:
    case 127:
      return 0;
    default: // ObjectId and the rest: their bytes
      return bytesCompare(a, x.valueStart, x.end, b, y.valueStart, y.end);
  }
}

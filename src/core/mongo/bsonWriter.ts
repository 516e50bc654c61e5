/**
 * BSON serialisation of the documents the converter builds, byte for byte what `BSON.serialize` writes (validation
 * and reruns compare these bytes with the server's), at a fraction of its cost: the general serialiser checks every
 * key with a regular expression, every object for a Map, every value for a dozen types and keeps a cycle set, which
 * made it the largest client cost per document of an import. Plain objects, arrays, strings, numbers, booleans,
 * null/undefined (left out of documents, null in arrays, as BSON.serialize does), Dates, bigints and the driver's Double, Int32, Long, Binary (not byte-array or vector subtypes),
 * ObjectId and Decimal128 are written here; any other value (Map, RegExp, Timestamp, a key with NUL, a `toBSON`,
 * an invalid Date, another bson version's class) hands the whole document to `BSON.serialize`, errors included.
 * test/unit/mongo/bsonWriter.test.ts compares the two on hand-picked values and thousands of random documents.
 */
import { BSON, type Document } from 'mongodb';

const BSON_VERSION = Symbol.for('@@mdb.bson.version');
const MAX_SCRATCH = 64 * 1024 * 1024;
const TWO_32 = 0x100000000;
const MAX_DEPTH = 100;
/** Array element names, made once. */
const INDEX_KEYS = Array.from({ length: 1024 }, (_, i) => String(i));

/** Thrown inside the writer for a value it does not write: the document goes to BSON.serialize. */
const notHandled = new Error('not handled here');

let scratch = Buffer.allocUnsafe(1024 * 1024);
let pos = 0;

function ensure(bytes: number): void {
  if (pos + bytes <= scratch.length) return;
  const size = Math.max(scratch.length * 2, pos + bytes);
  if (size > MAX_SCRATCH) throw notHandled;
  const bigger = Buffer.allocUnsafe(size);
  scratch.copy(bigger, 0, 0, pos);
  scratch = bigger;
}

/** UTF-8 of `s` at pos (lone surrogates become U+FFFD, as in BSON.serialize); returns the bytes written. */
function writeText(s: string): number {
  const n = s.length;
  ensure(3 * n + 1);
  if (n <= 24) {
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        ascii = false;
        break;
      }
      scratch[pos + i] = c;
    }
    if (ascii) {
      pos += n;
      return n;
    }
  }
  const written = scratch.write(s, pos, 'utf8');
  pos += written;
  return written;
}

function writeKey(type: number, key: string): void {
  ensure(1);
  scratch[pos++] = type;
  writeText(key);
  ensure(1);
  scratch[pos++] = 0;
}

function writeInt32(v: number): void {
  ensure(4);
  setInt32(v, pos);
  pos += 4;
}

function setInt32(v: number, at: number): void {
  scratch[at] = v;
  scratch[at + 1] = v >>> 8;
  scratch[at + 2] = v >>> 16;
  scratch[at + 3] = v >>> 24;
}

/** An integer-valued number (a Date's milliseconds) as little-endian int64, like Long.fromNumber. */
function writeInt64Number(v: number): void {
  const hi = Math.floor(v / TWO_32);
  writeInt32(v - hi * TWO_32);
  writeInt32(hi);
}

function writeBytes(bytes: Uint8Array): void {
  ensure(bytes.length);
  scratch.set(bytes, pos);
  pos += bytes.length;
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o);
  return proto === Object.prototype || proto === null;
}

function writeValue(key: string, v: unknown, depth: number): void {
  switch (typeof v) {
    case 'string': {
      writeKey(0x02, key);
      ensure(4);
      const at = pos;
      pos += 4;
      const n = writeText(v);
      ensure(1);
      scratch[pos++] = 0;
      setInt32(n + 1, at);
      return;
    }
    case 'number':
      if (!Object.is(v, -0) && Number.isSafeInteger(v) && v <= 0x7fffffff && v >= -0x80000000) {
        writeKey(0x10, key);
        writeInt32(v);
      } else {
        writeKey(0x01, key);
        ensure(8);
        pos = scratch.writeDoubleLE(v, pos);
      }
      return;
    case 'boolean':
      writeKey(0x08, key);
      ensure(1);
      scratch[pos++] = v ? 1 : 0;
      return;
    case 'bigint':
      writeKey(0x12, key);
      ensure(8);
      pos = scratch.writeBigInt64LE(BigInt.asIntN(64, v), pos);
      return;
    case 'undefined':
      writeKey(0x0a, key);
      return;
    case 'object':
      if (v === null) return writeKey(0x0a, key);
      return writeObjectValue(key, v, depth);
    default:
      throw notHandled;
  }
}

function writeObjectValue(key: string, v: object, depth: number): void {
  if (typeof (v as { toBSON?: unknown }).toBSON === 'function') throw notHandled;
  const bsontype = (v as { _bsontype?: string })._bsontype;
  if (bsontype === undefined) {
    if (v instanceof Date) {
      const t = v.getTime();
      if (!Number.isFinite(t)) throw notHandled;
      writeKey(0x09, key);
      return writeInt64Number(t);
    }
    if (Array.isArray(v)) {
      writeKey(0x04, key);
      return writeArray(v, depth + 1);
    }
    if (!isPlain(v)) throw notHandled;
    writeKey(0x03, key);
    return writeDocument(v as Document, depth + 1);
  }
  if ((v as Record<symbol, unknown>)[BSON_VERSION] !== 6) throw notHandled;
  switch (bsontype) {
    case 'Double':
      writeKey(0x01, key);
      ensure(8);
      pos = scratch.writeDoubleLE((v as BSON.Double).value, pos);
      return;
    case 'Int32':
      writeKey(0x10, key);
      return writeInt32((v as BSON.Int32).valueOf());
    case 'Long':
      writeKey(0x12, key);
      writeInt32((v as BSON.Long).getLowBits());
      return writeInt32((v as BSON.Long).getHighBits());
    case 'ObjectId':
      writeKey(0x07, key);
      return writeBytes((v as BSON.ObjectId).id.subarray(0, 12));
    case 'Decimal128':
      writeKey(0x13, key);
      return writeBytes((v as BSON.Decimal128).bytes.subarray(0, 16));
    case 'Binary': {
      const b = v as BSON.Binary;
      if (b.sub_type === BSON.Binary.SUBTYPE_BYTE_ARRAY || b.sub_type === 9) throw notHandled;
      writeKey(0x05, key);
      writeInt32(b.position);
      ensure(1);
      scratch[pos++] = b.sub_type;
      return writeBytes(b.buffer.subarray(0, b.position));
    }
    default:
      throw notHandled;
  }
}

function writeDocument(doc: Document, depth: number): void {
  if (depth > MAX_DEPTH) throw notHandled;
  ensure(4);
  const start = pos;
  pos += 4;
  for (const key of Object.keys(doc)) {
    if (key.includes('\u0000')) throw notHandled;
    const v = doc[key];
    // BSON.serialize leaves undefined fields out of documents (ignoreUndefined), and writes null in arrays.
    if (v !== undefined) writeValue(key, v, depth);
  }
  ensure(1);
  scratch[pos++] = 0;
  setInt32(pos - start, start);
}

function writeArray(items: unknown[], depth: number): void {
  if (depth > MAX_DEPTH) throw notHandled;
  ensure(4);
  const start = pos;
  pos += 4;
  for (let i = 0; i < items.length; i++) writeValue(i < INDEX_KEYS.length ? INDEX_KEYS[i] : String(i), items[i], depth);
  ensure(1);
  scratch[pos++] = 0;
  setInt32(pos - start, start);
}

/** The document's BSON, identical to `BSON.serialize(doc)` (which it falls back to for what it does not write). */
export function serializeDocument(doc: Document): Uint8Array {
  if (
    typeof doc !== 'object' ||
    doc === null ||
    Array.isArray(doc) ||
    !isPlain(doc) ||
    typeof doc.toBSON === 'function'
  )
    return BSON.serialize(doc);
  pos = 0;
  try {
    writeDocument(doc, 0);
  } catch {
    // A value it does not write (or anything unexpected): BSON.serialize decides, with its own errors.
    return BSON.serialize(doc);
  }
  const out = Buffer.allocUnsafe(pos);
  scratch.copy(out, 0, 0, pos);
  return out;
}

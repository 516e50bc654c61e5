import { BSON } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON, Binary, Decimal128, Double, Int32, Long, ObjectId } = BSON;

/**
 * A fast codec for canonical Extended JSON v2, byte-for-byte and value-for-value identical to
 * `EJSON.stringify(v, { relaxed: false })` and `EJSON.parse(text, { relaxed: false })` of the driver's bson.
 *
 * bson's EJSON first builds a whole parallel object tree (one wrapper object per value, a circular-reference stack
 * per property) and then runs JSON.stringify over it; parsing runs a JSON.parse reviver on every value. Profiles of
 * a migration showed both among the largest costs of the export and import steps. This codec handles the types the
 * engine produces — JS numbers, Int32, Double, Long, bigint, string, boolean, null/undefined, Date, Binary (not the
 * Vector subtype), ObjectId, Decimal128, arrays and plain objects — directly, and hands anything else (or anything
 * unusual: a `$`-key it does not know, a key with a NUL byte or named `__proto__`, very deep nesting) to EJSON
 * for the whole value, so the result is always exactly EJSON's, including its errors.
 */

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -Math.pow(2, 63);
const INT64_MAX = Math.pow(2, 63) - 1;
/** Deeper values go to EJSON, which also detects circular structures. */
const MAX_DEPTH = 100;

const CANONICAL = Object.freeze({ relaxed: false });

/**
 * The codecs' own `fromExtendedJSON` (present in bson 6, not in its type declarations): calling exactly what
 * EJSON.parse calls keeps the decoded values identical by construction.
 */
type FromEjson = { fromExtendedJSON(doc: unknown, options?: unknown): unknown };
const INT32 = Int32 as unknown as FromEjson,
  DOUBLE = Double as unknown as FromEjson,
  LONG = Long as unknown as FromEjson;
const DECIMAL = Decimal128 as unknown as FromEjson,
  OID = ObjectId as unknown as FromEjson,
  BINARY = Binary as unknown as FromEjson;
/** Should a future bson drop these internals, every text is simply parsed by EJSON. */
const FAST_PARSE = [INT32, DOUBLE, LONG, DECIMAL, OID, BINARY].every((c) => typeof c.fromExtendedJSON === 'function');

/** Thrown inside the fast paths to hand the whole value to EJSON. */
const FALLBACK = new Error('sqlite2mongo: EJSON fallback');

const OBJECT_PROTO = Object.prototype;

/** `"key":` for the keys seen so far (documents repeat a handful of field names millions of times). */
const keyCache = new Map<string, string>();
const MAX_CACHED_KEYS = 4096;

function quotedKey(key: string): string {
  let q = keyCache.get(key);
  if (q === undefined) {
    q = `${JSON.stringify(key)}:`;
    if (keyCache.size < MAX_CACHED_KEYS) keyCache.set(key, q);
  }
  return q;
}

/** JSON.stringify(s), skipping the native call for the common string that needs no escapes. */
function quoted(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // Control characters, quote and backslash are escaped; lone surrogates too (well-formed JSON.stringify).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(s);
  }
  return `"${s}"`;
}

/**
 * Writes `v` as EJSON.stringify would (canonical), straight into a string: no intermediate wrapper objects, field
 * names quoted once per process. Throws FALLBACK for anything outside the handled types.
 */
function encode(v: unknown, depth: number): string {
  switch (typeof v) {
    case 'string':
      return quoted(v);
    case 'number':
      if (Number.isInteger(v) && !Object.is(v, -0)) {
        if (v >= INT32_MIN && v <= INT32_MAX) return `{"$numberInt":"${v}"}`;
        if (v >= INT64_MIN && v <= INT64_MAX) return `{"$numberLong":"${v.toString()}"}`;
      }
      return `{"$numberDouble":"${Object.is(v, -0) ? '-0.0' : v.toString()}"}`;
    case 'boolean':
      return v ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'bigint':
      return `{"$numberLong":"${BigInt.asIntN(64, v).toString()}"}`;
    case 'object':
      break;
    default:
      throw FALLBACK; // functions, symbols: EJSON/JSON.stringify decide
  }
  if (v === null) return 'null';
  if (depth > MAX_DEPTH) throw FALLBACK;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    let s = `[${encode(v[0], depth + 1)}`;
    for (let i = 1; i < v.length; i++) s += `,${encode(v[i], depth + 1)}`;
    return `${s}]`;
  }
  const bsontype = (v as { _bsontype?: unknown })._bsontype;
  if (bsontype === undefined) {
    if (v instanceof Date) return `{"$date":{"$numberLong":"${v.getTime().toString()}"}}`;
    const proto = Object.getPrototypeOf(v);
    if (proto !== OBJECT_PROTO && proto !== null) throw FALLBACK; // Map, RegExp, Buffer, class instances…
    let s = '{';
    let first = true;
    for (const key of Object.keys(v)) {
      if (key === '__proto__') throw FALLBACK;
      const value = (v as Record<string, unknown>)[key];
      const t = typeof value;
      if (t === 'function' || t === 'symbol') throw FALLBACK; // JSON.stringify would drop (or call) these
      if (first) first = false;
      else s += ',';
      s += quotedKey(key) + encode(value, depth + 1);
    }
    return `${s}}`;
  }
  switch (bsontype) {
    case 'Int32':
      if (v instanceof Int32) return `{"$numberInt":"${v.value.toString()}"}`;
      break;
    case 'Double':
      if (v instanceof Double) {
        const x = v.value;
        if (Object.is(Math.sign(x), -0)) return '{"$numberDouble":"-0.0"}';
        return `{"$numberDouble":"${Number.isInteger(x) ? x.toFixed(1) : x.toString()}"}`;
      }
      break;
    case 'Long':
      if (v instanceof Long) return `{"$numberLong":"${v.toString()}"}`;
      break;
    case 'ObjectId':
      if (v instanceof ObjectId) return `{"$oid":"${v.toHexString()}"}`;
      break;
    case 'Binary':
      if (v instanceof Binary && v.sub_type !== Binary.SUBTYPE_VECTOR) {
        // EJSON validates vectors (and may throw): those take the fallback.
        const buf = v.buffer;
        const sub = Number(v.sub_type).toString(16);
        return `{"$binary":{"base64":"${Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength).toString('base64')}","subType":"${sub.length === 1 ? '0' + sub : sub}"}}`;
      }
      break;
    case 'Decimal128':
      if (v instanceof Decimal128) return `{"$numberDecimal":"${v.toString()}"}`;
      break;
  }
  throw FALLBACK;
}

/** The fast path alone: the text, or undefined where stringifyCanonical would hand the value to EJSON (for tests). */
export function stringifyFastOnly(value: unknown): string | undefined {
  try {
    return encode(value, 0);
  } catch {
    return undefined;
  }
}

/** The fast path alone: the value, or undefined where parseCanonical would hand the text to EJSON (for tests). */
export function parseFastOnly(text: string): { value: unknown } | undefined {
  if (!FAST_PARSE) return undefined;
  try {
    return { value: revive(JSON.parse(text), 0) };
  } catch {
    return undefined;
  }
}

/** `EJSON.stringify(value, { relaxed: false })`, faster for the engine's value types. */
export function stringifyCanonical(value: unknown): string {
  try {
    return encode(value, 0);
  } catch {
    // Anything unusual (or an error): EJSON produces the result, or its own error, for the whole value.
    return EJSON.stringify(value, CANONICAL);
  }
}

// ------------------------------------------------------------------------------------------------- parsing

/** Converts one `{ "$…": … }` object the way EJSON's reviver would, or throws FALLBACK. */
function decodeWrapper(o: Record<string, unknown>, key: string): unknown {
  const inner = o[key];
  switch (key) {
    case '$numberInt':
      if (typeof inner === 'string') return INT32.fromExtendedJSON(o, CANONICAL);
      break;
    case '$numberDouble':
      if (typeof inner === 'string') return DOUBLE.fromExtendedJSON(o, CANONICAL);
      break;
    case '$numberLong':
      if (typeof inner === 'string') return LONG.fromExtendedJSON(o, CANONICAL);
      break;
    case '$numberDecimal':
      if (typeof inner === 'string') return DECIMAL.fromExtendedJSON(o, CANONICAL);
      break;
    case '$oid':
      if (typeof inner === 'string') return OID.fromExtendedJSON(o, CANONICAL);
      break;
    case '$binary':
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        const b = inner as Record<string, unknown>;
        const keys = Object.keys(b);
        if (
          keys.length === 2 &&
          typeof b.base64 === 'string' &&
          typeof b.subType === 'string' &&
          'base64' in b &&
          'subType' in b
        ) {
          return BINARY.fromExtendedJSON(o, CANONICAL);
        }
      }
      break;
    case '$date':
      if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) {
        const d = inner as Record<string, unknown>;
        const keys = Object.keys(d);
        if (keys.length === 1 && keys[0] === '$numberLong' && typeof d.$numberLong === 'string') {
          const ms = LONG.fromExtendedJSON(d, CANONICAL) as InstanceType<typeof Long>;
          const date = new Date();
          date.setTime(ms.toNumber());
          return date;
        }
      }
      break;
  }
  throw FALLBACK;
}

/** Replaces, in place, every EJSON wrapper below `v` by its value; returns `v`'s own replacement. */
function revive(v: unknown, depth: number): unknown {
  if (typeof v !== 'object') {
    if (typeof v === 'number') throw FALLBACK; // canonical output has no bare numbers: let EJSON decide
    return v;
  }
  if (v === null) return v;
  if (depth > MAX_DEPTH) throw FALLBACK;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'object' && x !== null) v[i] = revive(x, depth + 1);
      else if (typeof x === 'number') throw FALLBACK;
    }
    return v;
  }
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0].charCodeAt(0) === 36 /* $ */) return decodeWrapper(o, keys[0]);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.charCodeAt(0) === 36 || k === '__proto__' || k.indexOf('\x00') !== -1) throw FALLBACK;
    const x = o[k];
    if (typeof x === 'object' && x !== null) o[k] = revive(x, depth + 1);
    else if (typeof x === 'number') throw FALLBACK;
  }
  return o;
}

/** `EJSON.parse(text, { relaxed: false })`, faster for canonical text of the engine's value types. */
export function parseCanonical(text: string): unknown {
  if (!FAST_PARSE) return EJSON.parse(text, CANONICAL);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return EJSON.parse(text, CANONICAL); // same error message as before
  }
  try {
    return revive(parsed, 0);
  } catch {
    return EJSON.parse(text, CANONICAL);
  }
}

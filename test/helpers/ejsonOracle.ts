/**
 * The driver's EJSON as the oracle for the fast canonical Extended JSON codec (src/core/ndjson/ejson.ts): the same
 * text, the same decoded values (down to each wrapper class) or the same error.
 */
import assert from 'node:assert/strict';
import { BSON, Binary, Long } from 'mongodb';
import { parseCanonical, stringifyCanonical } from '../../src/core/ndjson/ejson';

export const { EJSON } = BSON;
export const CANONICAL = { relaxed: false } as const;

/** A description of a decoded value that names every wrapper class, so Int32(1) and Double(1) never look alike. */
function shape(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return [typeof v, Object.is(v, -0) ? '-0' : Number.isNaN(v) ? 'NaN' : v];
  if (Array.isArray(v)) return ['array', v.map(shape)];
  if (v instanceof Date) return ['Date', v.getTime()];
  const bsontype = (v as { _bsontype?: string })._bsontype;
  if (bsontype) {
    const extra =
      v instanceof Long ? v.unsigned : v instanceof Binary ? [v.sub_type, v.position, v.buffer.constructor.name] : null;
    return [bsontype, v.constructor.name, extra, EJSON.stringify(v as never, CANONICAL)];
  }
  return [
    'object',
    Object.getPrototypeOf(v) === null ? 'null-proto' : v.constructor.name,
    Object.entries(v).map(([k, x]) => [k, shape(x)]),
  ];
}

/** assert.deepStrictEqual calls two Invalid Dates different (NaN !== NaN): shape() covers those. */
function hasInvalidDate(v: unknown): boolean {
  if (v instanceof Date) return Number.isNaN(v.getTime());
  if (v !== null && typeof v === 'object' && !(v as { _bsontype?: string })._bsontype)
    return Object.values(v).some(hasInvalidDate);
  return false;
}

export function sameDecoded(fast: unknown, reference: unknown): void {
  assert.deepStrictEqual(shape(fast), shape(reference));
  if (!hasInvalidDate(reference)) assert.deepStrictEqual(fast, reference);
}

/** Runs `f`; returns its value or the message it threw. */
function outcome<T>(f: () => T): { value?: T; error?: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: (e as Error).message };
  }
}

export function checkParse(text: string): void {
  const ref = outcome(() => EJSON.parse(text, CANONICAL));
  if (ref.error !== undefined) assert.throws(() => parseCanonical(text), { message: ref.error });
  else sameDecoded(parseCanonical(text), ref.value);
}

export function checkRoundTrip(value: unknown): void {
  const ref = outcome(() => EJSON.stringify(value as never, CANONICAL));
  if (ref.error !== undefined) {
    assert.throws(() => stringifyCanonical(value), { message: ref.error });
    return;
  }
  const text = stringifyCanonical(value);
  assert.equal(text, ref.value);
  checkParse(text);
}

import assert from 'node:assert/strict';
import {
  BSON,
  Binary,
  Decimal128,
  Double,
  Int32,
  Long,
  ObjectId,
  UUID,
  MinKey,
  Timestamp,
  BSONRegExp,
  Code,
} from 'mongodb';
import { parseCanonical, parseFastOnly, stringifyCanonical, stringifyFastOnly } from '../../../src/core/ndjson/ejson';

const { EJSON } = BSON;
const CANONICAL = { relaxed: false } as const;

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

function sameDecoded(fast: unknown, reference: unknown): void {
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

function checkParse(text: string): void {
  const ref = outcome(() => EJSON.parse(text, CANONICAL));
  if (ref.error !== undefined) assert.throws(() => parseCanonical(text), { message: ref.error });
  else sameDecoded(parseCanonical(text), ref.value);
}

function checkRoundTrip(value: unknown): void {
  const ref = outcome(() => EJSON.stringify(value as never, CANONICAL));
  if (ref.error !== undefined) {
    assert.throws(() => stringifyCanonical(value), { message: ref.error });
    return;
  }
  const text = stringifyCanonical(value);
  assert.equal(text, ref.value);
  checkParse(text);
}

const bytes = (...b: number[]) => Buffer.from(b);

const VALUES: Array<[string, unknown]> = [
  ['int32 0', 0],
  ['int32 -1', -1],
  ['int32 max', 2147483647],
  ['int32 min', -2147483648],
  ['just past int32', 2147483648],
  ['below int32', -2147483649],
  ['safe integer max', Number.MAX_SAFE_INTEGER],
  ['2^63 as a number (past int64)', 2 ** 63],
  ['-2^63 as a number', -(2 ** 63)],
  ['1e20 as a number', 1e20],
  ['-0 as a number', -0],
  ['1.5 as a number', 1.5],
  ['NaN as a number', NaN],
  ['Infinity as a number', Infinity],
  ['-Infinity as a number', -Infinity],
  ['Double 1.0', new Double(1)],
  ['Double -0.0', new Double(-0)],
  ['Double 0.0', new Double(0)],
  ['Double 1e308', new Double(1e308)],
  ['Double 1.7976931348623157e308', new Double(Number.MAX_VALUE)],
  ['Double 5e-324', new Double(5e-324)],
  ['Double -5e-324', new Double(-5e-324)],
  ['Double 1e21', new Double(1e21)],
  ['Double 1e-7', new Double(1e-7)],
  ['Double 0.1', new Double(0.1)],
  ['Double 123456789.125', new Double(123456789.125)],
  ['Double Infinity', new Double(Infinity)],
  ['Double -Infinity', new Double(-Infinity)],
  ['Double NaN', new Double(NaN)],
  ['Int32 7', new Int32(7)],
  ['Int32 -2147483648', new Int32(-2147483648)],
  ['Long 0', Long.fromNumber(0)],
  ['Long max', Long.MAX_VALUE],
  ['Long min', Long.MIN_VALUE],
  ['Long huge', Long.fromBigInt(9007199254740993n)],
  ['Long negative huge', Long.fromBigInt(-9007199254740993n)],
  ['unsigned Long', Long.fromString('18446744073709551615', true)],
  ['bigint', 12345678901234567890n],
  ['bigint negative', -42n],
  ['string empty', ''],
  ['string ascii', 'hello world'],
  ['string quotes and escapes', 'a "quoted" \\ back\\slash \n\t\r\b\f \u0000 \u001f \u007f'],
  ['string unicode', 'héllo wörld — 日本語 — 🚀 — \u2028\u2029'],
  ['string lone surrogates', '\ud800 x \udfff'],
  ['string that looks like EJSON', '{"$numberInt":"1"}'],
  ['true', true],
  ['false', false],
  ['null', null],
  ['Date epoch', new Date(0)],
  ['Date now-ish', new Date(1732579200123)],
  ['Date negative', new Date(-62135596800000)],
  ['Date max', new Date(8.64e15)],
  ['Date min', new Date(-8.64e15)],
  ['Date invalid', new Date(NaN)],
  ['Binary empty', new Binary(Buffer.alloc(0))],
  ['Binary bytes', new Binary(bytes(0, 1, 2, 250, 255))],
  ['Binary subtype 0x80', new Binary(bytes(1, 2, 3), 0x80)],
  ['Binary subtype 5 (md5)', new Binary(Buffer.alloc(16, 7), 5)],
  ['Binary from a Uint8Array view', new Binary(new Uint8Array(new Uint8Array([9, 8, 7, 6, 5]).buffer, 1, 3))],
  ['UUID', new UUID('0123456789abcdef0123456789abcdef')],
  ['Binary subtype 4', new Binary(Buffer.alloc(16, 1), 4)],
  ['Binary subtype 4 of the wrong length', new Binary(Buffer.alloc(3, 1), 4)],
  ['ObjectId', new ObjectId('65f0a1b2c3d4e5f601234567')],
  ['Decimal128', Decimal128.fromString('1234.5678')],
  ['Decimal128 negative exponent', Decimal128.fromString('-1.0E-30')],
  ['Decimal128 NaN', Decimal128.fromString('NaN')],
  ['Decimal128 -Infinity', Decimal128.fromString('-Infinity')],
  ['Decimal128 huge', Decimal128.fromString('9.999999999999999999999999999999999E+6144')],
  ['empty array', []],
  ['empty object', {}],
  ['sparse array', [1, , 3]], // eslint-disable-line no-sparse-arrays
  ['array with undefined', [undefined, 1]],
  ['object with undefined', { a: undefined, b: 1 }],
  ['null-prototype object', Object.assign(Object.create(null), { a: 1, b: 'x' })],
  ['integer-like keys', { b: 1, 10: 2, 2: 3, a: 4 }],
  ['keys needing escapes', { 'quote"d': 1, 'new\nline': 2, ünï: 3, '': 4, 'a.b': 5 }],
  ['dollar key (fallback)', { $weird: 1 }],
  ['__proto__ key', JSON.parse('{"__proto__": {"x": 1}, "y": 2}')],
  ['Map (fallback)', new Map([['a', 1]])],
  ['RegExp (fallback)', /ab+c/i],
  ['RegExp EJSON refuses', /ab+c/g],
  ['BSONRegExp (fallback)', new BSONRegExp('x', 'i')],
  ['Timestamp (fallback)', new Timestamp({ t: 1, i: 2 })],
  ['MinKey (fallback)', new MinKey()],
  ['Code (fallback)', new Code('function(){}')],
  ['Binary vector (fallback)', Binary.fromInt8Array(new Int8Array([1, -2, 3]))],
  ['Buffer (fallback)', Buffer.from([1, 2])],
  [
    'typical resource document',
    {
      _id: 1,
      name: 'auth-search-1',
      description: 'The auth-search-1 service (queue tier).',
      created_at: new Date('2024-09-05T16:53:23.116Z'),
      updated_at: new Date('2024-09-06T22:01:45.116Z'),
      dependencies: [],
    },
  ],
  [
    'nested mixture',
    {
      _id: { a: 1, b: 'k' },
      n: [new Double(2), Long.fromBigInt(3n), [new Date(5), { deep: [null, true, new Binary(bytes())] }]],
      json: JSON.parse('{"x": [1, 2.5, "s", null, {"y": false}], "z": -0}'),
    },
  ],
];

describe('fast canonical Extended JSON codec', () => {
  for (const [name, value] of VALUES) {
    it(`${name}: identical to EJSON as a value`, () => checkRoundTrip(value));
    it(`${name}: identical to EJSON inside a document and an array`, () =>
      checkRoundTrip({ _id: 1, v: value, list: [value, value] }));
  }

  it('the engine’s own types take the fast path both ways (no EJSON fallback)', () => {
    const doc = {
      _id: { a: 1, b: 'k' },
      i: 5,
      n: -0,
      d: new Double(2.5),
      z: new Double(-0),
      l: Long.fromBigInt(-(2n ** 62n)),
      big: 2n ** 40n,
      s: 'ü"\n',
      t: true,
      f: false,
      nil: null,
      when: new Date(1),
      bin: new Binary(bytes(1, 2)),
      empty: new Binary(Buffer.alloc(0)),
      oid: new ObjectId(),
      dec: Decimal128.fromString('1.5'),
      list: [1, new Int32(2), [new Date(0)], {}],
      obj: Object.assign(Object.create(null), { x: 1 }),
    };
    const text = stringifyFastOnly(doc);
    assert.ok(text !== undefined, 'encoded without EJSON');
    assert.equal(text, EJSON.stringify(doc, CANONICAL));
    const parsed = parseFastOnly(`{"table":"t","collection":"c","doc":${text}}`);
    assert.ok(parsed !== undefined, 'decoded without EJSON');
    sameDecoded(parsed.value, EJSON.parse(`{"table":"t","collection":"c","doc":${text}}`, CANONICAL));
    assert.equal(stringifyFastOnly(new Map()), undefined);
    assert.equal(parseFastOnly('{"a":1}'), undefined);
  });

  it('a deeply nested value falls back to EJSON with the same result', () => {
    let v: unknown = 1;
    for (let i = 0; i < 300; i++) v = { x: v };
    checkRoundTrip(v);
  });

  it('circular structures fail exactly as EJSON does', () => {
    const o: Record<string, unknown> = { a: 1 };
    o.self = o;
    assert.throws(
      () => stringifyCanonical(o),
      (e: Error) => {
        assert.throws(() => EJSON.stringify(o, CANONICAL), { message: e.message });
        return true;
      },
    );
  });

  it('a shared (non-circular) object is written twice, as EJSON does', () => {
    const shared = { x: new Double(1) };
    checkRoundTrip({ a: shared, b: shared, c: [shared] });
  });

  it('the row line format round-trips', () => {
    const doc = { _id: Long.fromBigInt(1n << 40n), when: new Date(1), tags: [new Int32(1)] };
    const line = `{"table":"t","collection":"c","doc":${stringifyCanonical(doc)}}`;
    assert.equal(line, `{"table":"t","collection":"c","doc":${EJSON.stringify(doc, CANONICAL)}}`);
    sameDecoded(parseCanonical(line), EJSON.parse(line, CANONICAL));
  });

  describe('parsing text that is not what the writer produces', () => {
    const texts = [
      '{"a":1}',
      '{"a":1.5,"b":-0,"c":1e400,"d":9007199254740993}',
      '[1,2,3]',
      '5',
      '"s"',
      'null',
      '{"$numberInt":"5","extra":1}',
      '{"x":{"$numberInt":null}}',
      '{"x":{"$date":"2024-01-01T00:00:00Z"}}',
      '{"x":{"$date":{"$numberLong":"1704067200000"}}}',
      '{"x":{"$date":{"$numberLong":"99999999999999999"}}}',
      '{"x":{"$binary":{"base64":"AQI=","subType":"04"}}}',
      '{"x":{"$binary":{"base64":"","subType":""}}}',
      '{"x":{"$binary":{"subType":"00","base64":"AQI="}}}',
      '{"x":{"$binary":"AQI=","$type":"00"}}',
      '{"x":{"$uuid":"01234567-89ab-cdef-0123-456789abcdef"}}',
      '{"x":{"$numberLong":"-9223372036854775808"}}',
      '{"x":{"$numberLong":"+12"}}',
      '{"x":{"$numberDouble":"-0.0"}}',
      '{"x":{"$numberDouble":"Infinity"}}',
      '{"x":{"$numberDouble":"NaN"}}',
      '{"x":{"$numberDecimal":"1E+3"}}',
      '{"x":{"$oid":"65f0a1b2c3d4e5f601234567"}}',
      '{"x":{"$timestamp":{"t":1,"i":2}}}',
      '{"x":{"$regularExpression":{"pattern":"a","options":"i"}}}',
      '{"x":{"$undefined":true}}',
      '{"x":{"$minKey":1}}',
      '{"$ref":"c","$id":1}',
      '{"__proto__":{"a":{"$numberInt":"1"}}}',
      '{"a\\u0000b":1}',
    ];
    for (const t of texts) it(t, () => checkParse(t));
    it('invalid JSON fails with EJSON’s error', () => {
      for (const t of ['{', '{"a":}', '', 'nope']) {
        assert.throws(() => EJSON.parse(t, CANONICAL));
        assert.throws(() => parseCanonical(t));
      }
    });
    it('invalid wrapper contents fail with EJSON’s error', () => {
      for (const t of ['{"x":{"$numberLong":"12x"}}', '{"x":{"$oid":"zz"}}', '{"x":{"$numberDecimal":"abc"}}']) {
        let message = '';
        try {
          EJSON.parse(t, CANONICAL);
        } catch (e) {
          message = (e as Error).message;
        }
        assert.ok(message, `EJSON should refuse ${t}`);
        assert.throws(() => parseCanonical(t), { message });
      }
    });
  });

  it('agrees with EJSON on 3,000 random documents of the engine’s types', () => {
    let seed = 12345;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
    const scalar = (): unknown =>
      pick<() => unknown>([
        () => Math.floor((rnd() - 0.5) * 2 ** (rnd() * 70)),
        () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20),
        () =>
          new Double(
            pick([0, -0, 1, 2.5, 1e308, 5e-324, Infinity, -Infinity, NaN, rnd() * 1e6, Math.floor(rnd() * 1000)]),
          ),
        () => new Int32(Math.floor((rnd() - 0.5) * 2 ** 32)),
        () =>
          Long.fromBigInt(
            BigInt.asIntN(64, BigInt(Math.floor(rnd() * 2 ** 53)) * BigInt(Math.floor(rnd() * 2 ** 20)) - 2n ** 60n),
          ),
        () =>
          Array.from({ length: Math.floor(rnd() * 12) }, () =>
            String.fromCodePoint(pick([0x22, 0x5c, 0x0a, 0x41, 0xe9, 0x65e5, 0x1f680, 0xd800, 0x00, 0x7f])),
          ).join(''),
        () => rnd() < 0.5,
        () => null,
        () => new Date(Math.floor((rnd() - 0.5) * 2e13)),
        () =>
          new Binary(
            Buffer.from(Array.from({ length: Math.floor(rnd() * 20) }, () => Math.floor(rnd() * 256))),
            pick([0, 0, 0, 3, 5, 0x80]),
          ),
        () => new ObjectId(Buffer.from(Array.from({ length: 12 }, () => Math.floor(rnd() * 256)))),
        () =>
          Decimal128.fromString(
            `${Math.floor((rnd() - 0.5) * 1e9)}.${Math.floor(rnd() * 1000)}E${Math.floor((rnd() - 0.5) * 40)}`,
          ),
      ])();
    const value = (depth: number): unknown => {
      const r = rnd();
      if (depth < 3 && r < 0.12) return Array.from({ length: Math.floor(rnd() * 5) }, () => value(depth + 1));
      if (depth < 3 && r < 0.22)
        return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 5) }, (_, i) => [`k${i}`, value(depth + 1)]));
      return scalar();
    };
    for (let i = 0; i < 3000; i++) {
      const doc: Record<string, unknown> = { _id: i };
      const n = Math.floor(rnd() * 8);
      for (let f = 0; f < n; f++) doc[`f${f}`] = value(0);
      checkRoundTrip(doc);
    }
  });
});

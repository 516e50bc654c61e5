/**
 * The fast canonical Extended JSON codec writes and reads every value of the engine's types exactly as the driver's
 * EJSON does (test/helpers/ejsonOracle.ts), takes its fast path for them, and falls back to EJSON for the rest.
 */
import assert from 'node:assert/strict';
import { Binary, Decimal128, Double, Int32, Long, ObjectId, UUID, MinKey, Timestamp, BSONRegExp, Code } from 'mongodb';
import { parseCanonical, parseFastOnly, stringifyCanonical, stringifyFastOnly } from '../../../src/core/ndjson/ejson';
import { CANONICAL, checkRoundTrip, EJSON, sameDecoded } from '../../helpers/ejsonOracle';

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
});

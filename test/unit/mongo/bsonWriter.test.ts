import assert from 'node:assert/strict';
import {
  BSON,
  Binary,
  BSONRegExp,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
} from 'mongodb';
import { serializeDocument } from '../../../src/core/mongo/bsonWriter';
import { randomValues } from '../../helpers/randomValues';

/** Same bytes as BSON.serialize, or the same error. */
function same(doc: unknown, label = ''): void {
  let expected: Uint8Array | undefined;
  let error: string | undefined;
  try {
    expected = BSON.serialize(doc as BSON.Document);
  } catch (e) {
    error = (e as Error).message;
  }
  if (error !== undefined) {
    assert.throws(() => serializeDocument(doc as BSON.Document), { message: error }, label);
    return;
  }
  const got = serializeDocument(doc as BSON.Document);
  assert.equal(Buffer.from(got).toString('hex'), Buffer.from(expected as Uint8Array).toString('hex'), label);
}

const VALUES: Array<[string, unknown]> = [
  ['int32 edges', [0, 1, -1, 2147483647, -2147483648, 2147483648, -2147483649]],
  ['-0 and doubles', [-0, 0.5, 1e308, 5e-324, Infinity, -Infinity, NaN, 2 ** 53, 2 ** 53 + 2, -(2 ** 60)]],
  ['Double wrappers', [new Double(0), new Double(-0), new Double(2), new Double(NaN), new Double(1e-300)]],
  ['Int32, Long', [new Int32(-5), Long.fromBigInt(-(2n ** 63n)), Long.fromBigInt(2n ** 63n - 1n), Long.ZERO]],
  ['unsigned Long', [Long.fromString('18446744073709551615', true)]],
  ['bigint', [0n, -1n, 2n ** 63n - 1n, -(2n ** 63n)]],
  ['strings', ['', 'a', 'é', '日本語', '🚀', '\ud800', 'x\udc00y', 'a\u0000b', 'x'.repeat(24), 'é'.repeat(30)]],
  ['long string', ['ж漢😀'.repeat(100_000)]],
  ['booleans, null, undefined', [true, false, null, undefined]],
  ['dates', [new Date(0), new Date(-1), new Date(8.64e15), new Date(-8.64e15), new Date(1725555203116)]],
  ['invalid date', [new Date(NaN)]],
  ['binaries', [new Binary(Buffer.alloc(0)), new Binary(Buffer.from([1, 2, 3]), 0x80), new UUID()]],
  ['big binary', [new Binary(Buffer.alloc(70_000, 7))]],
  ['byte-array subtype', [new Binary(Buffer.from([1, 2]), 2)]],
  ['Uint8Array', [new Uint8Array([1, 2, 3]), Buffer.from('hi')]],
  ['ObjectId, Decimal128', [new ObjectId('0123456789abcdef01234567'), Decimal128.fromString('-12.50')]],
  ['others', [new Timestamp({ t: 1, i: 2 }), new MinKey(), new MaxKey(), new Code('x'), new BSONRegExp('a', 'i')]],
  ['RegExp and Map', [/a+/g, new Map([['k', 1]])]],
  ['nested', [{ a: { b: [1, { c: [] }] } }, [], {}, [[1, [2]]], Object.create(null)]],
];

describe('mongo/bsonWriter: the same bytes as BSON.serialize', () => {
  for (const [label, values] of VALUES as Array<[string, unknown[]]>) {
    it(label, () => {
      for (const v of values) {
        same({ _id: 1, v }, `${label}: ${typeof v}`);
        same({ v, list: [v, v] }, `${label} in an array`);
      }
    });
  }

  it('keys: unicode, __proto__, numeric-looking, NUL (refused like BSON.serialize)', () => {
    const doc: Record<string, unknown> = { é: 1, 日本: 2, '10': 3, '2': 4, 'a.b': 5, $x: 6 };
    Object.defineProperty(doc, '__proto__', { value: 7, enumerable: true, writable: true, configurable: true });
    same(doc);
    same({ 'a\u0000b': 1 });
    same({ toBSON: 'a field named toBSON' });
  });

  it('falls back to BSON.serialize for what it does not write: toBSON, class instances, deep nesting, cycles', () => {
    same({ v: { toBSON: () => ({ x: 1 }) } });
    class Point {
      constructor(
        readonly x: number,
        readonly y: number,
      ) {}
    }
    same({ p: new Point(1, 2) });
    let deep: Record<string, unknown> = { leaf: true };
    for (let i = 0; i < 120; i++) deep = { d: deep };
    same(deep);
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    same(cycle);
  });

  it('agrees on 5,000 random documents of the engine’s types', () => {
    const { documentOf } = randomValues(987);
    for (let n = 0; n < 5000; n++) same({ _id: n, ...documentOf(0) }, `document ${n}`);
  });
});

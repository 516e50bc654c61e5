import assert from 'node:assert/strict';
import { BSON } from 'mongodb';
import { compareElements, elementKey, idElement } from '../../../src/core/mongo/idOrder';

const { Int32, Long, Double, ObjectId, Binary } = BSON;

const id = (v: unknown) => idElement(BSON.serialize({ _id: v, other: 'x' }));
const cmp = (a: unknown, b: unknown) => compareElements(id(a), id(b));

/** Asserts that `values` are in strictly ascending MongoDB order, pair by pair and against every later value. */
function assertAscending(values: unknown[]): void {
  for (let i = 0; i < values.length; i++) {
    for (let j = i + 1; j < values.length; j++) {
      assert.equal(
        cmp(values[i], values[j]),
        -1,
        `${BSON.EJSON.stringify(values[i])} < ${BSON.EJSON.stringify(values[j])}`,
      );
      assert.equal(
        cmp(values[j], values[i]),
        1,
        `${BSON.EJSON.stringify(values[j])} > ${BSON.EJSON.stringify(values[i])}`,
      );
    }
  }
}

describe('idOrder: MongoDB sort order of _id values on raw BSON', () => {
  it('orders numbers by value across int32, int64 and double, negative first, exactly beyond 2^53', () => {
    assertAscending([
      -1e300,
      Long.fromString('-9223372036854775808'),
      new Int32(-5),
      new Double(-4.5),
      new Int32(0),
      new Double(0.5),
      new Int32(1),
      Long.fromString('2'),
      new Double(2.5),
      new Int32(2147483647),
      Long.fromString('9007199254740992'), // 2^53
      Long.fromString('9007199254740993'), // 2^53 + 1: not a double
      new Double(9007199254740994),
      Long.fromString('9223372036854775807'),
      Infinity,
    ]);
  });

  it('treats equal numbers of different types as equal (as a unique _id index does), with different keys', () => {
    assert.equal(cmp(new Int32(7), Long.fromNumber(7)), 0);
    assert.equal(cmp(new Double(7), new Int32(7)), 0);
    assert.notEqual(elementKey(id(new Int32(7))), elementKey(id(new Double(7))));
    assert.equal(elementKey(id(new Int32(7))), elementKey(idElement(BSON.serialize({ _id: new Int32(7) }))));
  });

  it('orders strings by UTF-8 bytes (so ASCII < Latin-1 < CJK < emoji) and shorter prefixes first', () => {
    assertAscending(['', 'A', 'Z', 'a', 'ab', 'abc', 'z', 'é', 'ö', '中', '😀']);
  });

  it('orders types: null < numbers < strings < documents < binary < ObjectId < bool < date', () => {
    assertAscending([
      null,
      new Int32(999),
      'a',
      { a: 1 },
      new Binary(Buffer.from([1])),
      new ObjectId('000000000000000000000001'),
      false,
      true,
      new Date(0),
    ]);
  });

  it('orders composite keys (sub-documents) field by field, numerically within a field', () => {
    const key = (a: number, b: string) => ({ order_id: new Int32(a), line: b });
    assertAscending([key(-1, 'z'), key(1, 'a'), key(1, 'b'), key(2, ''), key(10, 'a')]);
    assert.equal(cmp({ a: new Int32(1) }, { a: new Int32(1), b: new Int32(0) }), -1, 'a prefix sorts first');
  });

  it('orders ObjectIds by their bytes and binary by length, then subtype, then bytes', () => {
    assertAscending([
      new ObjectId('000000000000000000000000'),
      new ObjectId('00000000000000000000ffff'),
      new ObjectId('ff0000000000000000000000'),
    ]);
    assertAscending([
      new Binary(Buffer.from([9, 9])),
      new Binary(Buffer.from([1, 1]), 4),
      new Binary(Buffer.from([0, 0, 0])),
    ]);
  });

  it('finds _id wherever it is in the document', () => {
    const e = idElement(BSON.serialize({ a: 1, b: { c: 'x' }, _id: 'here' }));
    assert.equal(cmp('here', 'here'), 0);
    assert.equal(compareElements(e, id('here')), 0);
  });
});

import assert from 'node:assert/strict';
import { Binary, Double, Int32, Long } from 'mongodb';
import { compareDocuments } from '../../../src/core/validate/compare';

describe('compareDocuments', () => {
  const expected = {
    _id: 1,
    name: 'a',
    n: new Double(1.5),
    big: Long.fromBigInt(5n),
    when: new Date(0),
    tags: [1, 2],
    bin: new Binary(Buffer.from([1])),
    sub: { x: 1 },
  };
  it('equal documents (any field order, driver wrappers vs plain numbers) have no differences', () => {
    const actual = {
      sub: { x: new Int32(1) },
      _id: new Int32(1),
      name: 'a',
      n: new Double(1.5),
      big: Long.fromBigInt(5n),
      when: new Date(0),
      tags: [new Int32(1), new Int32(2)],
      bin: new Binary(Buffer.from([1])),
    };
    assert.deepEqual(compareDocuments(expected, actual, 'c', '1'), []);
  });
  it('names each difference with its path, expected and actual', () => {
    const actual = {
      _id: 1,
      name: 'b',
      n: 1.5,
      big: new Long(5),
      tags: [1],
      bin: new Binary(Buffer.from([2])),
      sub: { x: 1, y: 2 },
      extra: true,
    };
    const diffs = compareDocuments(expected, actual, 'c', '1').map(
      (d) => `${d.kind} ${d.path} ${d.expected ?? ''} | ${d.actual ?? ''}`,
    );
    assert.deepEqual(diffs, [
      'value-differs name "a" | "b"',
      'missing-field when {"$date":"1970-01-01T00:00:00Z"} | ',
      'missing-field tags.1 2 | ',
      'value-differs bin {"$binary":{"base64":"AQ==","subType":"00"}} | {"$binary":{"base64":"Ag==","subType":"00"}}',
      'extra-field sub.y  | 2',
      'extra-field extra  | true',
    ]);
  });
  it('treats -0 and 0 as different doubles (FerretDB stores -0 as 0)', () => {
    const diffs = compareDocuments({ v: new Double(-0) }, { v: new Double(0) }, 'c', '1');
    assert.equal(diffs[0]?.kind, 'value-differs');
  });
  it('an int64 stored as int32 is a type difference', () => {
    assert.equal(compareDocuments({ v: Long.fromBigInt(1n) }, { v: new Int32(1) }, 'c', '1')[0]?.kind, 'type-differs');
  });
});

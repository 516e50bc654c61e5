import assert from 'node:assert/strict';
import { BSON, Binary, Decimal128, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { validateCollection } from '../../../src/core/validate/validator';

/** A stand-in collection whose find() streams these raw BSON documents, in this order. */
function fakeCollection(docs: Document[]): Collection {
  const raws = docs.map((d) => Buffer.from(BSON.serialize(d)));
  return {
    find: () => ({
      async *[Symbol.asyncIterator]() {
        for (const r of raws) yield r;
      },
      close: async () => undefined,
    }),
  } as unknown as Collection;
}

const ids: unknown[] = [
  1,
  new Int32(2),
  Long.fromBigInt(3n),
  'four',
  new ObjectId('65f0a1b2c3d4e5f601234567'),
  { a: 1, b: 'x' },
  new Binary(Buffer.from([1, 2])),
  new Double(6.5),
  Decimal128.fromString('7.25'),
  new Date(8),
  true,
  null,
];
const docOf = (id: unknown, i: number): Document => ({
  _id: id,
  n: i,
  name: `doc ${i}`,
  list: [i, i + 1],
  when: new Date(i * 1000),
});

/** Validates `expected` (as the engine would rebuild them) against `actual` (as the server holds them, in order). */
const validate = (expected: Document[], actual: Document[], options: { allowOthers?: boolean } = {}) =>
  validateCollection(
    expected.map((doc) => ({ doc })),
    fakeCollection(actual),
    { collectionName: 'c', ...options },
  );

describe('validateCollection pairing', () => {
  it('matches documents whatever the server order, for every kind of _id', async () => {
    const expected = ids.map(docOf);
    const actual = [...expected].reverse();
    const v = await validate(expected, actual);
    assert.equal(v.matched, ids.length);
    assert.equal(v.mismatchCount, 0);
  });

  it('pairs documents whose _id is not the first field on the server', async () => {
    const expected = ids.map(docOf);
    const actual = expected.map(({ _id, ...rest }) => ({ ...rest, _id })).reverse();
    const v = await validate(expected, actual);
    // Same values in another field order: matched after a field-by-field comparison.
    assert.equal(v.matched, ids.length);
    assert.equal(v.mismatchCount, 0);
  });

  it('reports differing, missing and extra documents, in or out of step', async () => {
    const expected = [1, 2, 3, 4, 5].map(docOf);
    const actual = [
      docOf(5, 4),
      { ...docOf(2, 1), name: 'changed' },
      docOf(1, 0),
      docOf(99, 9),
      docOf(new Int32(4), 3),
    ];
    const v = await validate(expected, actual);
    assert.equal(v.matched, 3); // 5, 1 and 4 (int32 4 is the same BSON as the JS number 4)
    assert.equal(v.differing, 1);
    assert.equal(v.missing, 1); // 3
    assert.equal(v.extra, 1); // 99
    assert.deepEqual(v.mismatches.map((m) => `${m.kind} ${m.id}`).sort(), [
      'extra-document 99',
      'missing-document 3',
      'value-differs 2',
    ]);
  });

  it('an _id of another BSON type is another document (as before)', async () => {
    const v = await validate([docOf(1, 0)], [docOf(Long.fromBigInt(1n), 0)]);
    assert.equal(v.missing, 1);
    assert.equal(v.extra, 1);
  });

  it('counts documents of others as others when allowed', async () => {
    const v = await validate([docOf(1, 0)], [docOf(7, 7), docOf(1, 0)], { allowOthers: true });
    assert.equal(v.matched, 1);
    assert.equal(v.others, 1);
    assert.equal(v.mismatchCount, 0);
  });
});

/** The `_id` filter of replacement and --sync-deletes batches: its shape (what the server evaluates per document). */
import assert from 'node:assert/strict';
import { BSON, type Document } from 'mongodb';
import { idsFilter } from '../../../src/core/mongo/idFilter';

const { Long, ObjectId } = BSON;

describe('idsFilter: the filter that selects a batch of _ids', () => {
  it('keeps a plain $in for a few _ids', () => {
    assert.deepEqual(idsFilter([3, 1, 2]), { _id: { $in: [3, 1, 2] } });
  });

  it('cuts many numeric _ids into about √n sorted runs, each bounded by its first and last value', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => (i * 7919) % 1000); // every value once, shuffled
    const filter = idsFilter(ids);
    const runs = filter.$or as Document[];
    assert.equal(runs.length, 32); // ⌈√1000⌉ = 32 per run → 32 runs
    const listed = runs.flatMap((r) => r._id.$in as number[]);
    assert.deepEqual(listed, [...Array(1000).keys()], 'every _id once, in order');
    for (const { _id: range } of runs) {
      assert.equal(range.$gte, range.$in[0]);
      assert.equal(range.$lte, range.$in[range.$in.length - 1]);
    }
  });

  it('orders int32, int64 and double _ids by value (int64 exactly beyond 2^53) and keeps their types', () => {
    const big = [Long.fromString('9007199254740993'), Long.fromString('9007199254740992'), Long.fromString('-5')];
    const ids = [...big, 2.5, ...Array.from({ length: 80 }, (_, i) => i - 40)];
    const runs = idsFilter(ids).$or as Document[];
    const listed = runs.flatMap((r) => r._id.$in as unknown[]);
    assert.equal(listed.length, ids.length);
    assert.ok(listed[0] === -40 && listed.at(-1) === big[0] && listed.at(-2) === big[1]);
    assert.ok(listed.includes(big[2]) && listed.includes(2.5));
    assert.equal(listed.indexOf(2.5), listed.indexOf(2) + 1);
  });

  it('orders strings by their UTF-8 bytes, as MongoDB does', () => {
    const ids = [...Array.from({ length: 70 }, (_, i) => `k${String(i).padStart(2, '0')}`), '😀', 'ｚ', 'Z', 'é'];
    const listed = (idsFilter(ids).$or as Document[]).flatMap((r) => r._id.$in as string[]);
    // 'ｚ' (U+FF5A, 3 bytes) sorts before '😀' (4 bytes, F0…) in UTF-8 although it is after it in UTF-16 units.
    assert.deepEqual(listed.slice(0, 1), ['Z']);
    assert.deepEqual(listed.slice(-3), ['é', 'ｚ', '😀']);
  });

  it('keeps a plain $in where a range could miss: mixed numbers and strings, NaN, other _id types', () => {
    const numbers = Array.from({ length: 70 }, (_, i) => i);
    for (const odd of ['x', Number.NaN, new ObjectId(), { a: 1 }, null]) {
      const ids = [...numbers, odd];
      assert.deepEqual(idsFilter(ids), { _id: { $in: ids } });
    }
  });
});

/**
 * The `_id` filter of replacement and --sync-deletes batches, evaluated by the real server: a `deleteMany` with it
 * removes exactly the listed documents — numbers of every BSON type (int64 beyond 2^53, doubles between integers),
 * strings ordered by UTF-8 bytes, and mixed types that keep the plain `$in`.
 */
import assert from 'node:assert/strict';
import { BSON, type MongoClient } from 'mongodb';
import { idsFilter } from '../../src/core/mongo/idFilter';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';

const { Long, Double } = BSON;
const RAW = { promoteValues: false, promoteLongs: false } as const;

let client: MongoClient;
useTestMongoClient((c) => (client = c));

/** Inserts one document per `_id`, deletes `chosen` through idsFilter, and returns the `_id`s left (EJSON text). */
async function deleteThrough(all: unknown[], chosen: unknown[]): Promise<{ deleted: number; left: Set<string> }> {
  const db = client.db(uniqueDbName('idfilter'));
  try {
    const collection = db.collection('docs');
    await collection.insertMany(all.map((_id, i) => ({ _id, i })) as never[]);
    const { deletedCount } = await collection.deleteMany(idsFilter(chosen));
    const left = await collection.find({}, { projection: { _id: 1 }, ...RAW }).toArray();
    return { deleted: deletedCount, left: new Set(left.map((d) => BSON.EJSON.stringify(d._id, { relaxed: false }))) };
  } finally {
    await db.dropDatabase();
  }
}

const text = (ids: unknown[]) => new Set(ids.map((id) => BSON.EJSON.stringify(id, { relaxed: false })));

describe('idsFilter on the server: deleteMany removes exactly the chosen _ids', () => {
  it('numbers: int32, int64 beyond 2^53 and doubles, every third one chosen', async () => {
    const all: unknown[] = [];
    for (let i = -150; i < 150; i++) all.push(i);
    for (let i = 0; i < 60; i++) all.push(new Double(i + 0.5));
    for (const s of ['9007199254740992', '9007199254740993', '9007199254740995', '-9223372036854775808'])
      all.push(Long.fromString(s));
    const chosen = all.filter((_, i) => i % 3 === 0);
    const { deleted, left } = await deleteThrough(all, chosen);
    assert.equal(deleted, chosen.length);
    assert.deepEqual(left, text(all.filter((_, i) => i % 3 !== 0)));
  });

  it('strings, non-ASCII included, every other one chosen', async () => {
    const all = [...Array.from({ length: 150 }, (_, i) => `k${i}`), 'Z', 'é', 'ｚ', '😀', '中文', 'a b'];
    const chosen = all.filter((_, i) => i % 2 === 1);
    const { deleted, left } = await deleteThrough(all, chosen);
    assert.equal(deleted, chosen.length);
    assert.deepEqual(left, text(all.filter((_, i) => i % 2 === 0)));
  });

  it('mixed numbers and strings (a plain $in)', async () => {
    const all = Array.from({ length: 200 }, (_, i) => (i % 2 ? i : `s${i}`));
    const chosen = all.filter((_, i) => i % 4 < 2);
    const { deleted, left } = await deleteThrough(all, chosen);
    assert.equal(deleted, chosen.length);
    assert.deepEqual(left, text(all.filter((_, i) => i % 4 >= 2)));
  });
});

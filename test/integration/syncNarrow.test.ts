/**
 * The narrowed compare of a sync (src/core/sync/narrowApply.ts) against a real server: more exact ranges than the
 * server is asked for, so the target read covers documents outside them — which must be left alone, neither
 * counted nor deleted — while changed documents are replaced, missing ones inserted and gone ones deleted.
 */
import assert from 'node:assert/strict';
import { BSON, MongoClient, type Document } from 'mongodb';
import { BulkWriter } from '../../src/core/mongo/writer';
import { applyNarrowed, inRanges } from '../../src/core/sync/narrowApply';
import type { KeyRange } from '../../src/core/sync/ranges';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';

let client: MongoClient;
useTestMongoClient((c) => (client = c));

async function* built(docs: Document[]) {
  for (const doc of docs) yield { doc, bson: BSON.serialize(doc) };
}

describe('sync: narrowed compare-and-write', () => {
  it('inRanges finds a key in sorted, disjoint ranges', () => {
    const ranges: KeyRange[] = [
      { lo: -Infinity, hi: 0 },
      { lo: 5, hi: 5 },
      { lo: 10, hi: 20 },
    ];
    assert.deepEqual(
      [-7, 0, 1, 5, 6, 10, 20, 21].map((x) => inRanges(x, ranges)),
      [true, true, false, true, false, true, true, false],
    );
  });

  it('writes only the differences inside the exact ranges, leaves documents between them alone', async () => {
    const db = client.db(uniqueDbName('syncnarrow'));
    const collection = db.collection<Document>('items');
    await collection.insertMany(
      Array.from({ length: 100 }, (_, i) => ({ _id: (i + 1) as never, name: `item ${i + 1}` })),
    );
    // 20 exact ranges (every 5th key): more than the server is asked for, so its read spans the keys between them.
    const ranges: KeyRange[] = Array.from({ length: 20 }, (_, i) => ({ lo: 5 * (i + 1), hi: 5 * (i + 1) }));
    // In the ranges the source has 5 changed and 10 gone, the rest unchanged; 103 is new (a range of its own).
    const source = ranges
      .map((r) => r.lo)
      .filter((id) => id !== 10)
      .map((id) => ({ _id: id, name: id === 5 ? 'renamed' : `item ${id}` }));
    ranges.push({ lo: 103, hi: 103 });
    source.push({ _id: 103, name: 'new' });
    const writer = new BulkWriter(collection, { db, collectionName: 'items', onConflict: 'replace', onError: 'stop' });
    const counts = await applyNarrowed(collection, writer, built(source), ranges, { table: 'items' });
    const written = await writer.finish();
    assert.deepEqual(
      [counts.unchanged, counts.changed, counts.missing, counts.deleted, written.failed],
      [18, 1, 1, 1, 0],
    );
    const after = (await collection.find().sort({ _id: 1 }).toArray()) as unknown as Array<{
      _id: number;
      name: string;
    }>;
    assert.equal(after.length, 100, '100 - 1 gone + 1 new: nothing between the ranges was deleted');
    assert.equal(after.find((d) => d._id === 5)?.name, 'renamed');
    assert.equal(
      after.find((d) => d._id === 10),
      undefined,
    );
    assert.equal(after.find((d) => d._id === 103)?.name, 'new');
    assert.equal(after.find((d) => d._id === 7)?.name, 'item 7', 'between the ranges: untouched');
    await db.dropDatabase();
  });
});

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Binary, type MongoClient } from 'mongodb';
import { BulkWriter, MAX_BATCH_BYTES } from '../../src/core/mongo/writer';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';

describe('BulkWriter: batches of large documents', () => {
  let client: MongoClient;
  useTestMongoClient((c) => (client = c));

  it('closes a batch at MAX_BATCH_BYTES of BSON, not only at the document count, and writes every document', async () => {
    const db = client.db(uniqueDbName('writerbytes'));
    try {
      const sizes: number[] = [];
      const writer = new BulkWriter(db.collection('big'), {
        db,
        collectionName: 'big',
        onConflict: 'refuse',
        onError: 'stop',
        batchSize: 1000,
        onBatchDone: (d) => void sizes.push(d.size),
      });
      const payloads = Array.from({ length: 40 }, () => randomBytes(1024 * 1024));
      for (let i = 0; i < payloads.length; i++) await writer.add({ _id: i, payload: new Binary(payloads[i]) }, 'big');
      const counts = await writer.finish();
      assert.equal(counts.written, 40);
      // Each document is just over 1 MiB, so a 16 MiB batch holds 16 of them; without the bound, one batch of 40.
      const perBatch = Math.ceil(MAX_BATCH_BYTES / (1024 * 1024 + 64));
      assert.deepEqual(
        sizes.sort((a, b) => b - a),
        [perBatch, perBatch, 40 - 2 * perBatch],
      );
      const back = await db.collection<{ _id: number; payload: Binary }>('big').find({}).sort({ _id: 1 }).toArray();
      assert.equal(back.length, 40);
      back.forEach((d, i) => assert.ok(Buffer.from(d.payload.buffer).equals(payloads[i]), `document ${i}`));
    } finally {
      await db.dropDatabase().catch(() => undefined);
    }
  });
});

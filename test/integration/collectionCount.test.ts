/** The stored document count a rerun decides with (`$collStats`): exact after inserts and deletes, 0 when absent. */
import assert from 'node:assert/strict';
import type { MongoClient } from 'mongodb';
import { storedDocumentCount } from '../../src/core/mongo/collectionCount';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';

let client: MongoClient;
useTestMongoClient((c) => (client = c));

describe('storedDocumentCount', () => {
  it('counts the documents of a collection, after inserts and deletes; a missing collection has 0', async () => {
    const db = client.db(uniqueDbName('count'));
    try {
      const docs = db.collection('docs');
      await docs.insertMany(Array.from({ length: 2500 }, (_, i) => ({ _id: i as never, text: 'x'.repeat(i % 300) })));
      assert.equal(await storedDocumentCount(db, 'docs'), 2500);
      await docs.deleteMany({ _id: { $lt: 700 } } as never);
      assert.equal(await storedDocumentCount(db, 'docs'), 1800);
      assert.equal(await storedDocumentCount(db, 'absent'), 0);
    } finally {
      await db.dropDatabase();
    }
  });
});

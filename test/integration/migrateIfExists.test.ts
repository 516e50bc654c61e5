/**
 * The migration into a database that already has the collections (--if-exists ask, fail, drop, append, upsert),
 * against a real server.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MongoClient, type Db, type Document } from 'mongodb';
import { sharedFixturesDir } from '../helpers/fixtures';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs } from '../helpers/sqliteBuilders';
import { run } from '../helpers/migrateRun';

const FIXTURES = sharedFixturesDir();

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('migrate: existing data (--if-exists)', () => {
  const source = path.join(FIXTURES, 'app.db');
  async function seeded(): Promise<{ db: string; target: Db }> {
    const db = uniqueDbName('exists');
    const target = client.db(db);
    await target.collection('resources').insertMany([
      { _id: 3, name: 'old three' },
      { _id: 99, name: 'unrelated' },
    ] as Document[]);
    return { db, target };
  }

  it('ask without anyone to answer, and fail: refuse with TARGET_NOT_EMPTY and write nothing', async () => {
    for (const ifExists of ['ask', 'fail'] as const) {
      const { db, target } = await seeded();
      const { report } = await run(source, db, { ifExists });
      assert.equal(report.status, 'failed');
      assert.equal(report.error?.code, 'TARGET_NOT_EMPTY');
      assert.equal(report.exitCode, 24);
      assert.match(report.error?.message ?? '', /resources \(2 documents\)/);
      assert.equal(await target.collection('resources').countDocuments(), 2, `${ifExists}: untouched`);
    }
  });

  it('ask with an answer: the callback decides', async () => {
    const { db, target } = await seeded();
    let asked: unknown;
    const { report } = await run(source, db, {
      ifExists: 'ask',
      askExisting: async (existing) => ((asked = existing), 'drop'),
    });
    assert.deepEqual(asked, [{ collection: 'resources', documents: 2 }]);
    assert.equal(report.status, 'succeeded');
    assert.equal(await target.collection('resources').countDocuments(), 3);
  });

  it('drop: replaces the collection', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'drop' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.collections[0].existing.action, 'dropped');
    assert.deepEqual(
      (await target.collection('resources').find().toArray()).map((d) => d._id),
      [1, 2, 3],
    );
  });

  it('append: adds, reports the duplicate key and keeps the existing document', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'append', onError: 'skip' });
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 40);
    assert.equal(report.totals.duplicates, 1);
    assert.deepEqual(report.collections[0].duplicateKeys, ['3']);
    assert.equal(report.errors[0].code, 11000);
    assert.equal(await target.collection('resources').countDocuments(), 4);
    assert.equal((await target.collection('resources').findOne({ _id: 3 as never }))?.name, 'old three');
  });

  it('upsert: replaces by _id, keeps unrelated documents, validates clean', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'upsert' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(await target.collection('resources').countDocuments(), 4);
    assert.equal((await target.collection('resources').findOne({ _id: 3 as never }))?.name, 'api-report-3');
    assert.equal(report.collections[0].validation?.others, 1, 'the unrelated document is counted, not flagged');
    assert.equal(report.collections[0].validation?.matched, 3);
    const { unchanged, replaced, inserted, deleted } = report.collections[0];
    assert.deepEqual(
      { unchanged, replaced, inserted, deleted },
      { unchanged: 0, replaced: 1, inserted: 2, deleted: 0 },
      'only what differed was written',
    );
  });
});

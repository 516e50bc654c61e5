/** The two engine functions the VS Code panel and Validation view use: inspectSource with plan options, loadDocumentPair. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { inspectSource, loadDocumentPair, migrate } from '../../src/core';
import { sharedFixture } from '../helpers/fixtures';
import { getTestMongoUrl, uniqueDbName } from '../helpers/mongoServer';

describe('inspectSource and loadDocumentPair (for the VS Code extension)', () => {
  const appDb = sharedFixture('app.db');

  it('inspectSource builds the plan and sample documents with the given plan options', async () => {
    const keep = await inspectSource(appDb);
    assert.equal(keep.plan.options.nulls, 'keep');
    assert.deepEqual(
      keep.schema.tables.map((t) => [t.name, t.rowCount]),
      [
        ['resources', 3],
        ['resource_dependencies', 2],
      ],
    );
    assert.match(keep.samples.resources, /"_id": 1,/);
    const omit = await inspectSource(appDb, {
      planOptions: { nulls: 'omit', detectTextDates: false, timezone: '+02:00' },
    });
    assert.deepEqual(omit.plan.options, { nulls: 'omit', detectTextDates: false, timezone: '+02:00' });
    assert.equal(path.basename(omit.path), 'app.db');
  });

  it('loadDocumentPair returns the SQLite row as a document and the MongoDB document with the same _id', async () => {
    const database = uniqueDbName('pair');
    const { plan } = await inspectSource(appDb);
    const report = await migrate({ sqlitePath: appDb, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', report.error?.message);
    const client = await MongoClient.connect(getTestMongoUrl());
    try {
      await client
        .db(database)
        .collection<{ _id: number; name: string }>('resources')
        .updateOne({ _id: 2 }, { $set: { name: 'changed' } });
      await client.db(database).collection<{ _id: number }>('resources').deleteOne({ _id: 3 });
    } finally {
      await client.close();
    }
    const pair = await loadDocumentPair({
      sqlitePath: appDb,
      plan,
      collection: 'resources',
      id: '2',
      mongoUrl: getTestMongoUrl(),
      database,
    });
    assert.match(pair.expected ?? '', /"name": "(?!changed)[^"]+"/);
    assert.match(pair.actual ?? '', /"name": "changed"/);
    assert.match(pair.expected ?? '', /"created_at": \{\s*"\$date"/);
    const missing = await loadDocumentPair({
      sqlitePath: appDb,
      plan,
      collection: 'resources',
      id: '3',
      mongoUrl: getTestMongoUrl(),
      database,
    });
    assert.ok(missing.expected);
    assert.equal(missing.actual, null);
    const extra = await loadDocumentPair({
      sqlitePath: appDb,
      plan,
      collection: 'resources',
      id: '99',
      mongoUrl: getTestMongoUrl(),
      database,
    });
    assert.equal(extra.expected, null);
  });
});

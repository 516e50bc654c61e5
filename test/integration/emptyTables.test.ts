/** Tables without rows: each becomes an empty collection with its indexes, and the report says so consistently. */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { migrate, rollback } from '../../src/core';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';

const SQL = `
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT UNIQUE);
CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);
INSERT INTO items VALUES (1, 'a'), (2, 'b');
`;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

const names = async (database: string) =>
  (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

describe('empty tables', () => {
  const file = () => {
    const f = path.join(tempDir(), 'empty.db');
    makeDb(f, SQL);
    return f;
  };

  it('become empty collections with their indexes; validation, accounting and the notes agree; rollback drops them', async () => {
    const sqlitePath = file();
    const database = uniqueDbName('empty');
    const report = await migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.deepEqual(await names(database), ['_sqlite2mongo_migrations', 'items', 'notes', 'tags']);
    assert.equal(await client.db(database).collection('notes').countDocuments(), 0);
    const tagIndexes = await client.db(database).collection('tags').indexes();
    assert.deepEqual(
      tagIndexes.filter((ix) => ix.name !== '_id_').map((ix) => [ix.key, !!ix.unique]),
      [[{ label: 1 }, true]],
      'the empty collection has its planned index',
    );
    assert.ok(
      report.notes.includes('Created 2 empty collections (no rows to copy, indexes as planned): tags, notes.'),
      report.notes.join('\n'),
    );
    const notes = report.collections.find((c) => c.collection === 'notes')!;
    assert.deepEqual(
      [notes.sourceRows, notes.imported, notes.validation?.matched, notes.validation?.mismatches],
      [0, 0, 0, 0],
    );
    assert.deepEqual(
      report.accounting?.find((a) => a.table === 'notes'),
      { table: 'notes', read: 0, written: 0, folded: 0, refused: 0, skipped: 0, reasons: [], unaccounted: 0 },
    );
    await rollback({ mongoUrl: getTestMongoUrl(), database, runId: report.runId!, force: true });
    assert.deepEqual(await names(database), ['_sqlite2mongo_migrations'], 'the run created them, rollback drops them');
  });

  it('validation fails for a collection that is not there, even with no documents expected', async () => {
    const sqlitePath = file();
    const database = uniqueDbName('emptyv');
    await migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail' });
    await client.db(database).collection('notes').drop();
    const report = await migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, steps: ['validate'] });
    assert.equal(report.status, 'failed');
    assert.deepEqual(report.mismatches, [{ collection: 'notes', id: '', kind: 'missing-collection', path: '' }]);
    assert.equal(report.collections.find((c) => c.collection === 'tags')?.validation?.mismatches, 0);
  });
});

/**
 * `sync` against a real server (FerretDB, or MONGODB_URL), one pass at a time: exact counts of what a sync writes,
 * what it reads, where it starts after a migration, the schema-change stop and rollback. The CLI and `sync --watch`
 * are in syncWatch.test.ts.
 */
import assert from 'node:assert/strict';
import { type MongoClient } from 'mongodb';
import { HISTORY_COLLECTION, migrate, rollback, type MigrationRecord } from '../../src/core';
import { readStateToken } from '../../src/core/sync/snapshot';
import { appWrite } from '../helpers/liveDb';
import { getTestMongoUrl, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs } from '../helpers/sqliteBuilders';
import { migratedLiveDb, sync, validateAll } from '../helpers/syncTargets';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('sync: one pass', () => {
  it('writes exactly the changes (parents, junction rows, embedded children), reads only the changed tables, records each sync', async () => {
    const { file, database, plan } = await migratedLiveDb(300);

    // The file is byte-identical to what was migrated: nothing to compare.
    const first = await sync(file, database);
    assert.equal(first.status, 'unchanged', JSON.stringify(first.error));
    assert.deepEqual([first.changedTables, first.tablesRead, first.collections], [[], [], []]);

    // Nothing committed since: not a single page is read.
    const idle = await sync(file, database);
    assert.equal(idle.status, 'unchanged');
    assert.equal(idle.pagesHashed, 0);
    assert.deepEqual(idle.tablesRead, []);

    appWrite(
      file,
      `INSERT INTO resources VALUES (1001, 'brand new', 1, 'b'); INSERT INTO resource_tags VALUES (1001, 2), (1001, 4);
       INSERT INTO notes VALUES (5001, 1001, 'first note');
       UPDATE resources SET name = 'renamed' WHERE id = 5;
       DELETE FROM resource_tags WHERE resource_id = 6; DELETE FROM notes WHERE resource_id = 6; DELETE FROM resources WHERE id = 6;
       DELETE FROM resource_tags WHERE resource_id = 7 AND tag_id = 3;
       UPDATE notes SET text = 'edited' WHERE resource_id = 9;
       INSERT INTO audit VALUES (11, 'added');`,
    );
    const changed = await sync(file, database);
    assert.equal(changed.status, 'synced', JSON.stringify(changed.error));
    assert.deepEqual(changed.changedTables.sort(), ['audit', 'notes', 'resource_tags', 'resources']);
    assert.deepEqual(
      changed.tablesRead.sort(),
      ['audit', 'notes', 'resource_tags', 'resources'],
      'tags did not change: not read',
    );
    const byName = Object.fromEntries(changed.collections.map((c) => [c.collection, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['audit', 'resources']);
    assert.deepEqual(
      { ...byName.resources, unchanged: undefined },
      {
        collection: 'resources',
        table: 'resources',
        unchanged: undefined,
        replaced: 3,
        inserted: 1,
        deleted: 1,
        failed: 0,
      },
    );
    assert.equal(byName.resources.unchanged, 300 - 1 - 3);
    assert.deepEqual([byName.audit.inserted, byName.audit.replaced, byName.audit.deleted], [1, 0, 0]);
    await validateAll(client, file, database, plan);

    const runs = await client
      .db(database)
      .collection<MigrationRecord>(HISTORY_COLLECTION)
      .find()
      .sort({ startedAt: 1 })
      .toArray();
    assert.deepEqual(
      runs.map((r) => `${r.kind} ${r.status}`),
      ['full completed', 'sync completed', 'sync completed', 'sync completed'],
    );
    assert.equal(runs[3]._id, changed.runId);
    assert.deepEqual([runs[3].totals?.inserted, runs[3].totals?.replaced, runs[3].totals?.deleted], [2, 3, 1]);
  });

  it('narrows a collection to the rows whose pages changed when every child table has an index on its owner', async () => {
    const { file, database, plan } = await migratedLiveDb(3000, { indexedNotes: true });
    await sync(file, database); // byte-identical: records the WAL position the next sync starts from
    appWrite(
      file,
      `INSERT INTO resources VALUES (3001, 'brand new', 1, 'b'); INSERT INTO resource_tags VALUES (3001, 2), (3001, 4);
       INSERT INTO notes VALUES (9001, 3001, 'first note');
       UPDATE resources SET name = 'renamed' WHERE id = 1500;
       DELETE FROM resource_tags WHERE resource_id = 6; DELETE FROM notes WHERE resource_id = 6; DELETE FROM resources WHERE id = 6;
       DELETE FROM resource_tags WHERE resource_id = 2001 AND tag_id = 4;
       UPDATE notes SET text = 'edited' WHERE resource_id = 999;
       DELETE FROM notes WHERE resource_id = 2400;`,
    );
    const changed = await sync(file, database);
    assert.equal(changed.status, 'synced', JSON.stringify(changed.error));
    assert.equal(changed.detection, 'wal');
    const resources = changed.collections.find((c) => c.collection === 'resources');
    assert.deepEqual(
      [resources?.narrowed, resources?.replaced, resources?.inserted, resources?.deleted, resources?.failed],
      [true, 4, 1, 1, 0],
      'replaced: 1500 renamed, 2001 lost a tag, 999 an edited note, 2400 lost its note',
    );
    // A whole compare would count 3000 - 5 unchanged; a narrowed one only the rows of the changed leaf pages.
    assert.ok((resources?.unchanged ?? 0) < 2995, `only the changed pages' rows compared (${resources?.unchanged})`);

    // The next sync starts from the WAL position this one recorded.
    appWrite(file, `UPDATE resources SET size = 7 WHERE id = 10;`);
    const again = await sync(file, database);
    assert.equal(again.detection, 'wal');
    assert.deepEqual([again.totals.replaced, again.totals.inserted, again.totals.deleted], [1, 0, 0]);
    await validateAll(client, file, database, plan);
  });

  it('starts from the state the migration recorded: the first sync after it is narrowed; validation-only runs are no base', async () => {
    const { file, database, plan } = await migratedLiveDb(3000, { indexedNotes: true });
    const history = client.db(database).collection<MigrationRecord>(HISTORY_COLLECTION);
    const migration = (await history.findOne({ kind: 'full' }))!;
    assert.equal(migration.sync?.token, readStateToken(file), 'the state of the file as migrated');
    assert.ok((migration.sync?.wal?.frames ?? 0) > 0, 'the WAL position (the migrated rows are still in the -wal)');
    assert.ok(migration.sync?.tables.find((t) => t.table === 'resources')?.digest, 'page digests of the tables');

    // A validation-only run writes nothing and records nothing: it cannot become the base of a sync.
    const check = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, steps: ['validate'] });
    assert.equal(check.status, 'succeeded', JSON.stringify(check.error));
    assert.equal(await history.countDocuments(), 1);

    appWrite(file, "UPDATE resources SET name = 'renamed' WHERE id = 1500");
    const first = await sync(file, database);
    assert.equal(first.status, 'synced', JSON.stringify(first.error));
    assert.equal(first.detection, 'wal', 'the changes since the migration, from its WAL position');
    const resources = first.collections.find((c) => c.collection === 'resources');
    assert.deepEqual(
      [resources?.narrowed, resources?.replaced, resources?.inserted, resources?.deleted],
      [true, 1, 0, 0],
    );
    assert.ok((resources?.unchanged ?? 0) < 2999, `only the changed page's rows compared (${resources?.unchanged})`);
    const runs = await history.find().sort({ startedAt: 1 }).toArray();
    assert.deepEqual(
      runs.map((r) => `${r.kind} ${r.status} ${r.parent ?? '-'}`),
      [`full completed -`, `sync completed ${migration._id}`],
    );
    await validateAll(client, file, database, plan);
  });

  it('stops on a schema change, writing nothing, and says what to do', async () => {
    const { file, database } = await migratedLiveDb(50);
    await sync(file, database); // records the state the next sync compares with
    appWrite(file, "ALTER TABLE resources ADD COLUMN owner TEXT; UPDATE resources SET name = 'x' WHERE id = 1");
    const outcome = await sync(file, database);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.error?.code, 'SOURCE_SCHEMA_CHANGED');
    assert.match(outcome.error?.message ?? '', /resources was altered/);
    assert.match(outcome.error?.hint ?? '', /migrate/);
    assert.equal(
      (
        await client
          .db(database)
          .collection('resources')
          .findOne({ _id: 1 as never })
      )?.name,
      'resource 1',
    );
  });

  it('is rolled back with the migration it continues, not on its own', async () => {
    const { file, database } = await migratedLiveDb(20);
    appWrite(file, "UPDATE resources SET name = 'changed' WHERE id = 3");
    const synced = await sync(file, database);
    assert.equal(synced.status, 'synced', JSON.stringify(synced.error));
    await assert.rejects(
      rollback({ mongoUrl: getTestMongoUrl(), database, runId: synced.runId as string }),
      /is a sync/,
    );
    const migration = await client
      .db(database)
      .collection<MigrationRecord>(HISTORY_COLLECTION)
      .findOne({ kind: 'full' });
    const outcome = await rollback({ mongoUrl: getTestMongoUrl(), database, runId: migration!._id });
    assert.ok(outcome.dropped.includes('resources'));
    const statuses = await client
      .db(database)
      .collection<MigrationRecord>(HISTORY_COLLECTION)
      .find()
      .map((r) => `${r.kind} ${r.status}`)
      .toArray();
    assert.deepEqual(statuses.sort(), ['full rolled-back', 'sync rolled-back']);
    assert.equal((await sync(file, database)).error?.code, 'HISTORY_MISMATCH', 'nothing left to keep in sync');
  });
});

/**
 * Never lose or duplicate a document across a cancel, reruns, incremental sync and rollback: each followed by exact
 * counts and a full validation against the source.
 */
import assert from 'node:assert/strict';
import { MongoClient, type Document } from 'mongodb';
import { migrate, rollback, type MigrationReport } from '../../src/core';
import { getTestMongoUrl, uniqueDbName } from '../helpers/mongoServer';
import { cleanupTempDirs, py } from '../helpers/sqliteBuilders';
import { appDb } from '../helpers/migrateRun';
import { assertTargetEqualsSource, EVENTS, makeFaultSource, RESOURCES } from '../helpers/faultSource';

// At the root, like every file: a describe's after would remove the temp dirs other files still use.
after(() => cleanupTempDirs());

describe('faults: cancel, reruns, incremental sync, rollback', function () {
  this.timeout(300_000);
  const url = () => getTestMongoUrl();

  let source: string;
  before(function () {
    this.timeout(120_000);
    source = makeFaultSource();
  });

  it('a cancel from the AbortSignal stops cleanly and --resume finishes the job', async () => {
    const database = uniqueDbName('cancel');
    const controller = new AbortController();
    const first = await migrate({
      sqlitePath: source,
      mongoUrl: url(),
      database,
      ifExists: 'fail',
      batchSize: 500,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.step === 'import' && e.done >= 3000) controller.abort();
      },
    });
    assert.equal(first.status, 'cancelled');
    assert.equal(first.exitCode, 130);
    assert.ok(first.totals.imported >= 3000 && first.totals.imported < RESOURCES, `imported ${first.totals.imported}`);
    const resumed = await migrate({ sqlitePath: source, mongoUrl: url(), database, resume: true, batchSize: 500 });
    assert.equal(resumed.status, 'succeeded', JSON.stringify(resumed.error));
    await assertTargetEqualsSource(url(), database, source);
  });

  it('running the same migration twice (upsert) leaves exactly the same documents', async () => {
    const database = uniqueDbName('twice');
    const snapshot = async () => {
      const client = await MongoClient.connect(url());
      try {
        return JSON.stringify(await client.db(database).collection('resources').find().sort({ _id: 1 }).toArray());
      } finally {
        await client.close();
      }
    };
    const file = appDb(300);
    const one = await migrate({ sqlitePath: file, mongoUrl: url(), database, ifExists: 'upsert' });
    assert.equal(one.status, 'succeeded', JSON.stringify(one.error));
    const before = await snapshot();
    const two = await migrate({ sqlitePath: file, mongoUrl: url(), database, ifExists: 'upsert' });
    assert.equal(two.status, 'succeeded', JSON.stringify(two.error));
    assert.equal(two.totals.unchanged, 300, 'every document compared equal');
    assert.equal(two.totals.imported, 0, 'nothing rewritten');
    assert.equal(await snapshot(), before);
    assert.ok(before.length > 1000, 'the snapshot holds the documents');
  });

  it('--incremental --sync-deletes copies changed and new rows, deletes removed ones, and the target equals the new source', async () => {
    const database = uniqueDbName('incr');
    const file = appDb(500);
    // A table of its own (no arrays, no embeds): the one where the watermark alone decides what is copied.
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE audit (id INTEGER PRIMARY KEY, msg TEXT, updated_at DATETIME)')
con.executemany('INSERT INTO audit VALUES (?, ?, ?)', [(i, f'event {i}', '2024-01-01 00:%02d:%02d' % (i // 60 % 60, i % 60)) for i in range(1, 501)])
con.commit()`,
      file,
    );
    const full = await migrate({ sqlitePath: file, mongoUrl: url(), database, ifExists: 'fail' });
    assert.equal(full.status, 'succeeded', JSON.stringify(full.error));
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
later = '2030-01-01 00:00:00.000000'
for table in ('resources', 'audit'):
    for i in range(1, 11):
        con.execute(f'UPDATE {table} SET updated_at = ? WHERE id = ?', (later, i * 7))
    con.execute(f'DELETE FROM {table} WHERE id IN (499, 500)')
con.execute("UPDATE resources SET name = 'renamed' WHERE id = 7")
for i in range(5):
    con.execute('INSERT INTO resources (id, name, description, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)', (5001 + i, f'new-{i}', later, later))
    con.execute('INSERT INTO audit VALUES (?, ?, ?)', (5001 + i, f'new {i}', later))
con.execute('DELETE FROM resource_dependencies WHERE resource_id IN (499, 500) OR dependency_id IN (499, 500)')
# A change in the junction table alone: the owner's updated_at does not move, yet its array changes.
owner = con.execute('SELECT min(resource_id) FROM resource_dependencies WHERE resource_id > 100').fetchone()[0]
con.execute('DELETE FROM resource_dependencies WHERE resource_id = ?', (owner,))
con.commit()`,
      file,
    );
    const counts = (r: MigrationReport, name: string) => {
      const c = r.collections.find((x) => x.collection === name);
      return {
        exported: c?.exported,
        unchanged: c?.unchanged,
        replaced: c?.replaced,
        inserted: c?.inserted,
        deleted: c?.deleted,
      };
    };
    const incremental = await migrate({ sqlitePath: file, mongoUrl: url(), database, incremental: true });
    assert.equal(
      incremental.status,
      'succeeded',
      JSON.stringify(incremental.error) + JSON.stringify(incremental.mismatches.slice(0, 3)),
    );
    // audit: by its watermark, only the 10 changed and 5 new rows are read and written. (Rows at the previous
    // watermark would be re-copied too — the filter is >= — but the only one, id 500, was deleted.)
    assert.deepEqual(counts(incremental, 'audit'), {
      exported: 15,
      unchanged: 0,
      replaced: 10,
      inserted: 5,
      deleted: 0,
    });
    // resources: its dependencies come from another table, whose changes no watermark sees: compared whole, and
    // only the documents that differ are written (10 changed rows plus owners whose dependency arrays changed).
    const resources = counts(incremental, 'resources');
    assert.equal(resources.exported, 503);
    assert.equal(resources.inserted, 5);
    assert.ok((resources.replaced ?? 0) >= 11 && (resources.replaced ?? 0) < 40, `replaced ${resources.replaced}`);
    assert.equal((resources.unchanged ?? 0) + (resources.replaced ?? 0) + (resources.inserted ?? 0), 503);
    assert.equal(incremental.totals.deleted, 0, 'without --sync-deletes nothing is deleted');
    // --sync-deletes: every collection is compared whole; the rows gone from the source are deleted in the same pass.
    const synced = await migrate({ sqlitePath: file, mongoUrl: url(), database, incremental: true, syncDeletes: true });
    assert.equal(
      synced.status,
      'succeeded',
      JSON.stringify(synced.error) + JSON.stringify(synced.mismatches.slice(0, 3)),
    );
    assert.deepEqual(counts(synced, 'audit'), { exported: 503, unchanged: 503, replaced: 0, inserted: 0, deleted: 2 });
    assert.deepEqual(counts(synced, 'resources'), {
      exported: 503,
      unchanged: 503,
      replaced: 0,
      inserted: 0,
      deleted: 2,
    });
    const check = await migrate({ sqlitePath: file, mongoUrl: url(), database, steps: ['validate'] });
    assert.equal(check.status, 'succeeded', JSON.stringify(check.mismatches.slice(0, 5)));
    assert.equal(check.totals.validated, 503 + 503);
  });

  it('rollback removes what a run created and leaves an unrelated collection untouched', async () => {
    const database = uniqueDbName('rollback');
    const client = await MongoClient.connect(url());
    try {
      const db = client.db(database);
      await db.collection('unrelated').insertMany([
        { _id: 1, keep: 'me' },
        { _id: 2, keep: 'me too' },
      ] as Document[]);
      await db.collection('events').insertOne({ _id: 999_999, note: 'was here before' } as Document);
      const report: MigrationReport = await migrate({
        sqlitePath: source,
        mongoUrl: url(),
        database,
        ifExists: 'append',
      });
      assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
      assert.equal(await db.collection('events').countDocuments(), EVENTS + 1);
      const outcome = await rollback({ mongoUrl: url(), database, runId: report.runId as string });
      assert.deepEqual(outcome.dropped, ['resources']);
      assert.equal(outcome.removed.events, EVENTS);
      const names = (await db.listCollections().toArray())
        .map((c) => c.name)
        .filter((n) => !n.startsWith('_sqlite2mongo'))
        .sort();
      assert.deepEqual(names, ['events', 'unrelated']);
      assert.deepEqual(await db.collection('events').find().toArray(), [{ _id: 999_999, note: 'was here before' }]);
      assert.deepEqual(await db.collection('unrelated').find().sort({ _id: 1 }).toArray(), [
        { _id: 1, keep: 'me' },
        { _id: 2, keep: 'me too' },
      ]);
      const record = await db.collection('_sqlite2mongo_migrations').findOne({ _id: report.runId as never });
      assert.equal(record?.status, 'rolled-back');
      await assert.rejects(
        rollback({ mongoUrl: url(), database, runId: report.runId as string }),
        /already rolled back/,
      );
    } finally {
      await client.close();
    }
  });
});

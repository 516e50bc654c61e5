/**
 * `sync` against a real server (FerretDB, or MONGODB_URL): exact counts of what one sync writes, what it reads,
 * the schema-change stop, and `sync --watch` following an application that keeps writing — killed with SIGKILL
 * mid-sync and restarted — ending with a target that validates clean and matches Python's view of the file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import {
  HISTORY_COLLECTION,
  migrate,
  rollback,
  syncDatabase,
  type MappingPlan,
  type MigrationRecord,
  type SyncOutcome,
} from '../../src/core';
import { readStateToken } from '../../src/core/sync/snapshot';
import { appWrite, livePlan, makeLiveDb } from '../helpers/liveDb';
import { exited, startWriter } from '../helpers/liveWriter';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, pyJson, tempDir } from '../helpers/sqliteBuilders';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

/** A live database of `n` resources, migrated into a fresh database. */
async function migratedLiveDb(
  n: number,
  opts: { indexedNotes?: boolean } = {},
): Promise<{ file: string; database: string; plan: MappingPlan }> {
  const file = path.join(tempDir('s2m-sync-'), 'live.db');
  makeLiveDb(file, n, opts);
  const plan = await livePlan(file);
  const database = uniqueDbName('sync');
  const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
  assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
  return { file, database, plan };
}

/** Python's sqlite3 view of the resources: id → name, sorted tag ids, sorted note texts. */
function pythonResources(file: string): Record<string, { name: string; tags: number[]; notes: string[] }> {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
out = {}
for (i, name) in con.execute('SELECT id, name FROM resources'):
    out[str(i)] = {'name': name, 'tags': [], 'notes': []}
for (r, t) in con.execute('SELECT resource_id, tag_id FROM resource_tags ORDER BY tag_id'):
    out[str(r)]['tags'].append(t)
for (r, t) in con.execute('SELECT resource_id, text FROM notes ORDER BY text'):
    out[str(r)]['notes'].append(t)
print(json.dumps(out))`,
    file,
  );
}

/** The same view of the target's resources collection. */
async function targetResources(
  database: string,
): Promise<Record<string, { name: string; tags: number[]; notes: string[] }>> {
  const out: Record<string, { name: string; tags: number[]; notes: string[] }> = {};
  const tagsField = (d: Document) => Object.keys(d).find((k) => Array.isArray(d[k]) && k !== 'notes') as string;
  for await (const d of client.db(database).collection('resources').find()) {
    out[String(d._id)] = {
      name: d.name,
      tags: [...(d[tagsField(d)] as number[])].sort((a, b) => a - b),
      notes: (d.notes as Array<{ text: string }>).map((x) => x.text).sort(),
    };
  }
  return out;
}

async function validateAll(file: string, database: string, plan: MappingPlan): Promise<void> {
  const check = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, steps: ['validate'] });
  assert.equal(check.status, 'succeeded', JSON.stringify(check.error) + JSON.stringify(check.mismatches.slice(0, 5)));
  assert.equal(check.totals.mismatches, 0);
  assert.deepEqual(await targetResources(database), pythonResources(file));
}

function sync(file: string, database: string): Promise<SyncOutcome> {
  return syncDatabase({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database });
}

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
    await validateAll(file, database, plan);

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
    await validateAll(file, database, plan);
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
    await validateAll(file, database, plan);
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

describe('sync (CLI): output and exit codes', () => {
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, [CLI, 'sync', '--mongodb-url', getTestMongoUrl(), ...args], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('says nothing changed, then what it wrote; exit 19 with the hint on a schema change; exit 32 without a migration', async () => {
    const { file, database } = await migratedLiveDb(30);
    const idle = run('--sqlite-url', file, '--mongodb-db', database);
    assert.equal(idle.code, 0, idle.stderr);
    assert.match(idle.stdout, /in sync: nothing changed/);
    appWrite(
      file,
      'DELETE FROM resource_tags WHERE resource_id = 4; DELETE FROM notes WHERE resource_id = 3; DELETE FROM resources WHERE id IN (3, 4)',
    );
    const changed = run('--sqlite-url', file, '--mongodb-db', database);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /synced .*→ 0 inserted, 0 replaced, 2 deleted, 28 unchanged \(resources 0\+ 0~ 2-\)/);
    appWrite(file, 'ALTER TABLE tags ADD COLUMN colour TEXT');
    const altered = run('--sqlite-url', file, '--mongodb-db', database);
    assert.equal(altered.code, 19);
    assert.match(altered.stderr, /tags was altered[\s\S]*hint: Sync copies rows, not schema changes/);
    const never = run('--sqlite-url', file, '--mongodb-db', uniqueDbName('never'));
    assert.equal(never.code, 32);
    assert.match(never.stderr, /No completed migration in .* to keep in sync[\s\S]*Migrate first/);
  });
});

/** `sqlite2mongo sync --watch` as a child process; its JSON events are collected line by line. */
function startWatch(
  file: string,
  database: string,
): { child: ChildProcess; events: Document[]; next: (type: string) => Promise<Document> } {
  const child = spawn(
    process.execPath,
    [
      CLI,
      'sync',
      '--sqlite-url',
      file,
      '--mongodb-url',
      getTestMongoUrl(),
      '--mongodb-db',
      database,
      '--watch',
      '--interval',
      '500ms',
      '--json',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const events: Document[] = [];
  const waiting: Array<{ type: string; resolve: (e: Document) => void }> = [];
  let buffer = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      const event = JSON.parse(buffer.slice(0, nl)) as Document;
      buffer = buffer.slice(nl + 1);
      events.push(event);
      for (const w of waiting.filter((x) => x.type === event.type)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(event);
      }
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(`[sync --watch] ${chunk.toString()}`));
  return { child, events, next: (type) => new Promise((resolve) => waiting.push({ type, resolve })) };
}

describe('sync --watch: an application keeps writing', () => {
  it('follows inserts, updates and deletes through a kill -9 and a restart; ends identical and validated', async () => {
    assert.ok(fs.existsSync(CLI), 'dist/cli.js is built (npm run build)');
    const { file, database, plan } = await migratedLiveDb(5000, { indexedNotes: true });
    const history = client.db(database).collection<MigrationRecord>(HISTORY_COLLECTION);
    const writer = startWriter(file, 400);

    // First watcher: killed with SIGKILL as soon as a sync has started writing.
    const first = startWatch(file, database);
    await first.next('sync-start');
    first.child.kill('SIGKILL');
    await exited(first.child);
    const killed = await history.findOne({ kind: 'sync', status: 'running' });
    assert.ok(killed, 'the first watcher was killed in the middle of a sync');

    const second = startWatch(file, database);
    assert.equal(await exited(writer), 0, 'the writer finished');
    const finalToken = readStateToken(file);
    // Caught up: a completed sync recorded the state the file ends in.
    while (!(await history.findOne({ kind: 'sync', status: 'completed', 'sync.token': finalToken })))
      await new Promise((r) => setTimeout(r, 200));
    second.child.kill('SIGTERM');
    assert.equal(await exited(second.child), 0, 'SIGTERM stops the watcher cleanly');
    assert.equal(second.events.at(-1)?.type, 'watch-end');
    assert.equal(second.events.at(-1)?.reason, 'stopped');

    const interrupted = await history.findOne({ _id: killed._id });
    assert.equal(interrupted?.status, 'failed');
    assert.equal(interrupted?.error?.code, 'INTERRUPTED');
    const completed = second.events.filter((e) => e.type === 'sync-end' && e.outcome.status === 'synced');
    assert.ok(completed.length >= 2, `several syncs while the writer ran (${completed.length})`);
    assert.ok(completed.every((e) => e.outcome.collections.every((c: { failed: number }) => c.failed === 0)));
    await validateAll(file, database, plan);
  });
});

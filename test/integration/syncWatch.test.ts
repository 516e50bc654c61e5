/**
 * `sqlite2mongo sync` as a user runs it (the CLI's output and exit codes), and `sync --watch` following an
 * application that keeps writing — killed with SIGKILL mid-sync and restarted — ending with a target that validates
 * clean and matches Python's view of the file.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { type Document, type MongoClient } from 'mongodb';
import { HISTORY_COLLECTION, type MigrationRecord } from '../../src/core';
import { readStateToken } from '../../src/core/sync/snapshot';
import { appWrite } from '../helpers/liveDb';
import { exited, startWriter } from '../helpers/liveWriter';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs } from '../helpers/sqliteBuilders';
import { migratedLiveDb, validateAll } from '../helpers/syncTargets';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

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
    await validateAll(client, file, database, plan);
  });
});

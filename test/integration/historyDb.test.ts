/**
 * The run history kept in a separate database (--history-db): the target holds only the user's collections, and
 * resume, incremental, history and rollback find the runs there, each target's runs apart from the others'.
 * Also: a --no-validate run is recorded as not verified, and an incremental run on it says so.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { listHistory, migrate, rollback, type MigrateOptions } from '../../src/core';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';

const ROWS = 3000;
const SQL = `
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS}) INSERT INTO items SELECT i, 'item ' || i FROM n;
`;
const BOOKKEEPING = ['_sqlite2mongo_migrations', '_sqlite2mongo_inserted'];

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

const names = async (database: string) =>
  (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();

describe('run history in a separate database (--history-db)', function () {
  this.timeout(180_000);
  const history = uniqueDbName('hist');
  const target = uniqueDbName('histt');
  let file: string;
  let base: MigrateOptions;
  before(() => {
    file = path.join(tempDir(), 'items.db');
    makeDb(file, SQL);
    base = {
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database: target,
      historyDatabase: history,
      batchSize: 100,
    };
  });

  it('an interrupted run is recorded in the history database only, and --resume finds it there', async () => {
    const controller = new AbortController();
    const first = await migrate({
      ...base,
      ifExists: 'fail',
      concurrency: 1,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'progress' && e.step === 'import' && e.done >= ROWS / 3) controller.abort();
      },
    });
    assert.equal(first.status, 'cancelled', JSON.stringify(first.error));
    assert.deepEqual(first.target.historyDatabase, history);
    assert.deepEqual(await names(target), ['items'], 'no bookkeeping collection in the target');
    const record = await client
      .db(history)
      .collection('_sqlite2mongo_migrations')
      .findOne({ _id: first.runId as never });
    assert.equal(record?.database, target);
    assert.equal(record?.status, 'cancelled');

    // Without --history-db the target has nothing to resume.
    const nothing = await migrate({ ...base, historyDatabase: undefined, resume: true });
    assert.equal(nothing.error?.code, 'HISTORY_MISMATCH');
    assert.match(nothing.error?.message ?? '', /Nothing to resume/);
    const resumed = await migrate({ ...base, resume: true });
    assert.equal(resumed.status, 'succeeded', JSON.stringify(resumed.error));
    assert.equal(resumed.runId, first.runId, 'the same run continues');
    assert.equal(await client.db(target).collection('items').countDocuments(), ROWS);
    assert.equal(resumed.totals.mismatches, 0);
    assert.deepEqual(await names(target), ['items']);
  });

  it('two targets share the history database; history, incremental and rollback see only their own runs', async () => {
    const other = uniqueDbName('histo');
    const second = await migrate({ ...base, database: other, ifExists: 'fail' });
    assert.equal(second.status, 'succeeded');
    const listed = await listHistory({ mongoUrl: getTestMongoUrl(), database: target, historyDatabase: history });
    assert.equal(listed.length, 1);
    assert.equal(listed[0].database, target);

    makeDb(file, `INSERT INTO items VALUES (${ROWS + 1}, 'new');`);
    const incremental = await migrate({ ...base, incremental: true });
    assert.equal(incremental.status, 'succeeded', JSON.stringify(incremental.error));
    // From the watermark of the run kept in the history database: the boundary row again (>=) and the new one.
    assert.equal(incremental.totals.imported, 2);
    assert.deepEqual(await names(target), ['items']);

    const outcome = await rollback({
      mongoUrl: getTestMongoUrl(),
      database: target,
      historyDatabase: history,
      runId: incremental.runId!,
    });
    assert.deepEqual(outcome.removed, { items: 1 }, 'the inserted _ids were kept in the history database');
    assert.equal(await client.db(target).collection('items').countDocuments(), ROWS);
    for (const name of BOOKKEEPING) assert.ok(!(await names(target)).includes(name));
    assert.ok((await names(other)).every((n) => !BOOKKEEPING.includes(n)));
    const otherRuns = await listHistory({ mongoUrl: getTestMongoUrl(), database: other, historyDatabase: history });
    assert.deepEqual(
      otherRuns.map((r) => [r._id, r.status]),
      [[second.runId, 'completed']],
    );
  });

  it('a --no-validate run is recorded as not verified; an incremental run on it says so', async () => {
    const database = uniqueDbName('noval');
    const unverified = await migrate({ ...base, database, historyDatabase: undefined, skipValidation: true });
    assert.equal(unverified.status, 'succeeded');
    assert.equal(unverified.verified, false);
    const record = await client.db(database).collection('_sqlite2mongo_migrations').findOne({});
    assert.deepEqual([record?.status, record?.verified], ['completed', false]);
    const next = await migrate({ ...base, database, historyDatabase: undefined, incremental: true });
    assert.equal(next.status, 'succeeded', JSON.stringify(next.error));
    assert.ok(
      next.notes.some((n) => n.includes(`builds on run ${unverified.runId}, which was not validated`)),
      next.notes.join('\n'),
    );
  });

  it('the CLI: --history-db on migrate, history and rollback; the summary says where the run is recorded', () => {
    const database = uniqueDbName('histcli');
    const cli = (...args: string[]) => {
      const r = spawnSync(process.execPath, [path.resolve(__dirname, '../../dist/cli.js'), ...args], {
        encoding: 'utf8',
        input: '',
      });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const target = ['--mongodb-url', getTestMongoUrl(), '--mongodb-db', database, '--history-db', history];
    const migrated = cli('--sqlite-url', file, ...target);
    assert.equal(migrated.code, 0, migrated.out);
    assert.match(migrated.out, new RegExp(`Run +(\\S+), recorded in ${history}\\._sqlite2mongo_migrations`));
    const runId = /Run +(\S+),/.exec(migrated.out)![1];
    const listed = cli('history', ...target);
    assert.match(listed.out, new RegExp(`^${runId} +completed`, 'm'));
    const elsewhere = cli('history', '--mongodb-url', getTestMongoUrl(), '--mongodb-db', database);
    assert.match(elsewhere.out, /No migrations recorded for/);
    const rolled = cli('rollback', runId, ...target, '--yes');
    assert.equal(rolled.code, 0, rolled.out);
    assert.match(rolled.out, /dropped: items/);
  });
});

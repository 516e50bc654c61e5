/**
 * Never lose or duplicate a document when the server or the CLI is killed mid-import: --resume then finishes the
 * job, followed by exact counts and a full validation against the source (faultsReruns.test.ts: a cancel, reruns,
 * incremental sync and rollback).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { migrate, type MigrateOptions } from '../../src/core';
import { getTestMongoUrl, startFerretDb, uniqueDbName, type TestServer } from '../helpers/mongoServer';
import { cleanupTempDirs } from '../helpers/sqliteBuilders';
import { assertTargetEqualsSource, EVENTS, makeFaultSource, RESOURCES } from '../helpers/faultSource';

const ROOT = path.resolve(__dirname, '../..');

let source: string;
before(function () {
  this.timeout(120_000);
  source = makeFaultSource();
});
after(() => cleanupTempDirs());

describe('faults: the server dies mid-import (SIGKILL), then --resume', function () {
  this.timeout(300_000);
  let server: TestServer;
  before(async () => {
    server = await startFerretDb();
  });
  after(async () => server?.stop());
  // Each case starts with the server up, even when the one before failed between its kill and its restart.
  afterEach(async function () {
    if (this.currentTest?.state === 'failed') await server.restart();
  });

  for (const point of [0.15, 0.5, 0.85]) {
    it(`killed at ${point * 100}% of the import: resume completes with every document exactly once`, async () => {
      const database = uniqueDbName(`kill${point * 100}`);
      let killed: Promise<void> | undefined;
      const base: MigrateOptions = {
        sqlitePath: source,
        mongoUrl: server.url,
        database,
        ifExists: 'fail',
        batchSize: 500,
        connectTimeoutMs: 1500,
        retryAttempts: 2,
      };
      const first = await migrate({
        ...base,
        onEvent: (e) => {
          if (!killed && e.type === 'progress' && e.step === 'import' && e.done >= point * (RESOURCES + EVENTS))
            killed = server.kill('SIGKILL');
        },
      });
      await killed;
      assert.ok(killed, 'the server was killed during the import');
      assert.equal(first.status, 'failed', JSON.stringify(first.error));
      assert.ok(first.runId);
      // Says what happened, how much was written and checkpointed, and how to continue.
      assert.equal(first.error?.code, 'TARGET_UNREACHABLE', JSON.stringify(first.error));
      assert.match(
        first.error?.message ?? '',
        /server went away .*\. [\d,]+ documents were written by this run, [\d,]+ of them checkpointed in run /,
      );
      assert.match(first.error?.hint ?? '', /--resume/);
      await server.restart();
      const resumed = await migrate({ ...base, resume: true });
      assert.equal(resumed.status, 'succeeded', JSON.stringify(resumed.error));
      assert.equal(resumed.runId, first.runId, 'the same run continues');
      // How far the checkpoint got depends on timing, except that a finished collection is never copied again.
      assert.ok((resumed.steps.import?.items ?? 0) <= RESOURCES + EVENTS);
      if (point > 0.7) {
        assert.equal(
          resumed.collections.find((c) => c.collection === 'resources')?.imported,
          RESOURCES,
          'finished collection counted from its record',
        );
        assert.ok(
          (resumed.steps.import?.items ?? 0) <= EVENTS,
          'the finished resources collection was not copied again',
        );
      }
      await assertTargetEqualsSource(server.url, database, source);
    });
  }
});

describe('faults: the CLI is killed (SIGKILL) mid-batch, then --resume', function () {
  this.timeout(300_000);
  it('resumes to exactly the source', async () => {
    const url = getTestMongoUrl();
    const database = uniqueDbName('clikill');
    const cli = path.join(ROOT, 'dist/cli.js');
    const args = [
      '--sqlite-url',
      source,
      '--mongodb-url',
      url,
      '--mongodb-db',
      database,
      '--batch-size',
      '500',
      '--json',
    ];
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buffered = '';
    const killedAt = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (chunk: Buffer) => {
        buffered += chunk.toString();
        let nl;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffered.slice(0, nl));
          buffered = buffered.slice(nl + 1);
          if (event.type === 'progress' && event.step === 'import' && event.done >= 0.4 * (RESOURCES + EVENTS)) {
            child.kill('SIGKILL');
            resolve(event.done);
          }
        }
      });
      child.on('exit', () => reject(new Error('the CLI finished before it could be killed')));
    });
    await new Promise((r) => child.once('exit', r));
    assert.ok(killedAt > 0);
    const resumed = execFileSync(process.execPath, [cli, ...args.filter((a) => a !== '--json'), '--resume'], {
      encoding: 'utf8',
    });
    assert.match(resumed, /Migrated and validated 18,000 documents/);
    await assertTargetEqualsSource(url, database, source);
  });
});

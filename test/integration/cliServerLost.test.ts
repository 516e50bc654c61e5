/**
 * The CLI when the server dies mid-import (issue 16): its closing lines say that the server went away, how much was
 * written and checkpointed, and print the exact command that resumes — which, run as printed once the server is
 * back, finishes the migration with every document exactly once.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { sharedFixturesDir } from '../helpers/fixtures';
import { startFerretDb, uniqueDbName, type TestServer } from '../helpers/mongoServer';
import { cleanupTempDirs, tempDir } from '../helpers/sqliteBuilders';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const RESOURCES = 20_000;
// At the root, like the other files: temp dirs are shared by the whole run, and a describe's `after` would remove
// those that files running later still use.
after(cleanupTempDirs);

describe('CLI: the server dies mid-import', function () {
  this.timeout(300_000);
  let server: TestServer;
  let source: string;
  before(async () => {
    source = path.join(tempDir(), 'lost.db');
    execFileSync('python3', [
      path.join(sharedFixturesDir(), 'make_app_db.py'),
      source,
      '--resources',
      String(RESOURCES),
    ]);
    server = await startFerretDb();
  });
  after(async () => server?.stop());

  it('says what was written and checkpointed, and prints the resume command that finishes the job', async () => {
    const database = uniqueDbName('lost');
    const args = ['--sqlite-url', source, '--mongodb-url', server.url, '--mongodb-db', database];
    const child = spawn(process.execPath, [CLI, ...args, '--batch-size', '200', '--connect-timeout', '1500'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

    // Kill the server once part of the resources are written (watched through the collection's count).
    const watcher = await MongoClient.connect(server.url, { serverSelectionTimeoutMS: 2000 });
    try {
      for (;;) {
        const n = await watcher.db(database).collection('resources').estimatedDocumentCount();
        if (n >= 2000) break;
        assert.equal(child.exitCode, null, `the CLI ended before the server was killed:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await watcher.close(true).catch(() => undefined);
    }
    await server.kill('SIGKILL');
    const code = await exited;

    assert.equal(code, 21, output);
    assert.match(output, /✗ The MongoDB server went away while writing resources \(/);
    assert.match(output, /[\d,]+ documents were written by this run, [\d,]+ of them checkpointed in run \S+\./);
    const resume = /\n {2}resume: (.+)\n/.exec(output)?.[1];
    assert.ok(resume, `a resume command:\n${output}`);
    const printed = resume.split(' ');
    assert.deepEqual(printed.slice(0, 1), ['sqlite2mongo']);
    assert.deepEqual(printed.slice(-1), ['--resume']);
    assert.ok(resume.includes(args.join(' ')), resume);

    await server.restart();
    const resumed = execFileSync(process.execPath, [CLI, ...printed.slice(1)], { encoding: 'utf8' });
    assert.match(resumed, new RegExp(`Migrated and validated ${RESOURCES.toLocaleString('en-US')} documents`));
    const client = await MongoClient.connect(server.url);
    try {
      const ids = await client.db(database).collection('resources').distinct('_id');
      assert.equal(ids.length, RESOURCES, 'every resource exactly once');
    } finally {
      await client.close();
    }
  });
});

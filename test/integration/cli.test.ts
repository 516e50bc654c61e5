/** The CLI as a user runs it: a child process, no TTY, real server; exit codes, output and what lands in MongoDB. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { sharedFixture } from '../helpers/fixtures';
import {
  freePort,
  getTestMongoUrl,
  isRealMongo,
  startFerretDb,
  uniqueDbName,
  useTestMongoClient,
} from '../helpers/mongoServer';
import { cleanupTempDirs, tempDir } from '../helpers/sqliteBuilders';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist/cli.js');
const APP_DB = sharedFixture('app.db');

function cli(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', input: '', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, all: r.stdout + r.stderr };
}

let client: MongoClient;
before(() => {
  assert.ok(fs.existsSync(CLI), 'dist/cli.js is built (npm run build)');
});
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('CLI: the reference flags', () => {
  it('migrates with --sqlite-url sqlite+aiosqlite:///./app.db relative to the working directory, with steps 1/4..4/4 and a summary', () => {
    const dir = tempDir();
    fs.copyFileSync(APP_DB, path.join(dir, 'app.db'));
    const db = uniqueDbName('cli');
    const report = path.join(dir, 'report.json');
    const r = cli(
      [
        '--sqlite-url',
        'sqlite+aiosqlite:///./app.db',
        '--mongodb-url',
        getTestMongoUrl(),
        '--mongodb-db',
        db,
        '--output-file',
        'out.ndjson',
        '--report-file',
        report,
      ],
      dir,
    );
    assert.equal(r.code, 0, r.all);
    for (const step of ['[1/4] Exporting', '[2/4] Importing', '[3/4] Creating indexes', '[4/4] Validating'])
      assert.ok(r.stdout.includes(step), `${step} in:\n${r.stdout}`);
    assert.match(r.stdout, /✓ Migrated and validated 3 documents\./);
    assert.doesNotMatch(r.stdout, /\x1b\[/, 'no terminal control codes when not a TTY');
    assert.ok(fs.existsSync(path.join(dir, 'out.ndjson')));
    const json = JSON.parse(fs.readFileSync(report, 'utf8'));
    assert.equal(json.status, 'succeeded');
    assert.equal(json.totals.validated, 3);
    assert.equal(json.collections[0].collection, 'resources');
  });

  it('names the database after the file when --mongodb-db is absent, and accepts sqlite:////absolute URLs', async () => {
    const dir = tempDir();
    const name = uniqueDbName('auto');
    const file = path.join(dir, `${name}.sqlite`);
    fs.copyFileSync(APP_DB, file);
    const r = cli(['--sqlite-url', `sqlite:///${file}`, '--mongodb-url', getTestMongoUrl()]);
    assert.equal(r.code, 0, r.all);
    assert.equal(await client.db(name).collection('resources').countDocuments(), 3);
  });

  it('--dry-run writes nothing to MongoDB', async () => {
    const db = uniqueDbName('clidry');
    const r = cli(['--sqlite-url', APP_DB, '--mongodb-url', getTestMongoUrl(), '--mongodb-db', db, '--dry-run']);
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /Dry run: 3 documents converted; nothing was written to MongoDB/);
    const dbs = (await client.db().admin().listDatabases()).databases.map((d) => d.name);
    assert.ok(!dbs.includes(db));
  });

  it('without a terminal and without --if-exists, existing data stops the run before anything is written', async () => {
    const db = uniqueDbName('cliask');
    await client
      .db(db)
      .collection('resources')
      .insertOne({ _id: 7, keep: true } as never);
    const r = cli(['--sqlite-url', APP_DB, '--mongodb-url', getTestMongoUrl(), '--mongodb-db', db]);
    assert.equal(r.code, 24, r.all);
    assert.match(r.all, /already has resources \(1 documents\); nothing was written/);
    assert.match(r.all, /--if-exists drop/);
    assert.equal(await client.db(db).collection('resources').countDocuments(), 1);
  });

  it('export then import --input-file reproduces the migration without the SQLite file', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'data.ndjson');
    const e = cli(['export', '--sqlite-url', APP_DB, '--output-file', file]);
    assert.equal(e.code, 0, e.all);
    assert.match(e.stdout, /\[1\/1\] Exporting/);
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, 5, 'header + 3 rows + end marker');
    assert.equal(JSON.parse(lines[1]).doc._id.$numberInt, '1');
    const db = uniqueDbName('cliimp');
    const i = cli(['import', '--input-file', file, '--mongodb-url', getTestMongoUrl(), '--mongodb-db', db]);
    assert.equal(i.code, 0, i.all);
    assert.equal(await client.db(db).collection('resources').countDocuments(), 3);
    const v = cli(['validate', '--sqlite-url', APP_DB, '--mongodb-url', getTestMongoUrl(), '--mongodb-db', db]);
    assert.equal(v.code, 0, v.all);
  });

  it('--json prints one parseable event per line, ending with the report', () => {
    const r = cli([
      '--sqlite-url',
      APP_DB,
      '--mongodb-url',
      getTestMongoUrl(),
      '--mongodb-db',
      uniqueDbName('clijson'),
      '--json',
    ]);
    assert.equal(r.code, 0, r.all);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      events.filter((e) => e.type === 'step-end').map((e) => e.step),
      ['export', 'import', 'indexes', 'validate'],
    );
    assert.equal(events.at(-1).type, 'report');
    assert.equal(events.at(-1).report.status, 'succeeded');
  });

  it('plan prints the default mapping plan as JSON', () => {
    const r = cli(['plan', '--sqlite-url', APP_DB]);
    assert.equal(r.code, 0, r.all);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.collections.length, 1);
    assert.deepEqual(
      plan.collections[0].arrays.map((a: { field: string }) => a.field),
      ['dependencies'],
    );
    assert.deepEqual(
      plan.skipped.map((s: { table: string }) => s.table),
      ['resource_dependencies'],
    );
  });

  it('plan --naming camelCase writes the names in camelCase and records the convention', () => {
    const r = cli(['plan', '--sqlite-url', APP_DB, '--naming', 'camelCase']);
    assert.equal(r.code, 0, r.all);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.options.naming, 'camelCase');
    const fields = plan.collections[0].fields.map((f: { field: string }) => f.field);
    assert.ok(fields.includes('createdAt') && fields.includes('updatedAt'), fields.join(', '));
    assert.ok(!fields.some((f: string) => f.includes('_')), fields.join(', '));
  });
});

describe('CLI: bad input gets one clear line and its own exit code', () => {
  const url = () => getTestMongoUrl();
  const cases: Array<[string, () => string[], number, RegExp]> = [
    [
      'a missing file',
      () => ['--sqlite-url', '/nonexistent/app.db', '--mongodb-url', url()],
      10,
      /\/nonexistent\/app\.db/,
    ],
    [
      'a text file',
      () => {
        const f = path.join(tempDir(), 'notes.db');
        fs.writeFileSync(f, 'hello, not a database\n'.repeat(50));
        return ['--sqlite-url', f, '--mongodb-url', url()];
      },
      12,
      /notes\.db/,
    ],
    [
      'an empty file',
      () => {
        const f = path.join(tempDir(), 'empty.db');
        fs.writeFileSync(f, '');
        return ['--sqlite-url', f, '--mongodb-url', url()];
      },
      14,
      /empty\.db/,
    ],
    [
      'a malformed MongoDB URL',
      () => ['--sqlite-url', APP_DB, '--mongodb-url', 'http://localhost:27017'],
      20,
      /Malformed MongoDB URL/,
    ],
    [
      'an invalid database name',
      () => ['--sqlite-url', APP_DB, '--mongodb-url', url(), '--mongodb-db', 'bad/name'],
      23,
      /Invalid MongoDB database name/,
    ],
    ['an unknown option', () => ['--sqlite-url', APP_DB, '--frobnicate'], 2, /frobnicate/],
    [
      'a bad --if-exists value',
      () => ['--sqlite-url', APP_DB, '--if-exists', 'sometimes'],
      2,
      /--if-exists must be one of/,
    ],
  ];
  for (const [what, args, code, message] of cases) {
    it(`${what} → exit ${code}`, () => {
      const r = cli(args());
      assert.equal(r.code, code, r.all);
      assert.match(r.stderr + r.stdout, message);
      assert.doesNotMatch(r.all, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    });
  }

  it('a refused port fails fast with a hint, exit 21', async () => {
    const port = await freePort();
    const started = Date.now();
    const r = cli([
      '--sqlite-url',
      APP_DB,
      '--mongodb-url',
      `mongodb://127.0.0.1:${port}`,
      '--connect-timeout',
      '3000',
    ]);
    assert.equal(r.code, 21, r.all);
    assert.match(r.all, /Connection refused|No MongoDB server answered/);
    assert.match(r.all, /hint:/);
    assert.ok(Date.now() - started < 20_000);
  });

  it('an unknown host fails with exit 21', () => {
    const r = cli([
      '--sqlite-url',
      APP_DB,
      '--mongodb-url',
      'mongodb://no-such-host.invalid:27017',
      '--connect-timeout',
      '3000',
    ]);
    assert.equal(r.code, 21, r.all);
    assert.match(r.all, /Unknown host|No MongoDB server answered/);
  });

  it('a wrong password fails with exit 22 and the password is never printed', async function () {
    if (isRealMongo()) this.skip();
    this.timeout(60_000);
    const server = await startFerretDb({ auth: { username: 'alice', password: 's3cret', database: 'admin' } });
    try {
      const bad = server.url.replace('mongodb://', 'mongodb://alice:wrong-pass@') + '?authSource=admin';
      const r = cli(['--sqlite-url', APP_DB, '--mongodb-url', bad, '--mongodb-db', 'authdb']);
      assert.equal(r.code, 22, r.all);
      assert.match(r.all, /Authentication failed/);
      assert.doesNotMatch(r.all, /wrong-pass/);
    } finally {
      await server.stop();
    }
  });
});

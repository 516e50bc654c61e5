/**
 * What a migration refuses, counts or proves against a real server: documents over 16 MB and values the server
 * refuses (reported per row), a dry run, validation finding a changed document, and --output-file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { migrate } from '../../src/core';
import { sharedFixturesDir } from '../helpers/fixtures';
import { getTestMongoUrl, isRealMongo, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';
import { run } from '../helpers/migrateRun';

const FIXTURES = sharedFixturesDir();

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('migrate: refused rows, dry run, validation', () => {
  it('reports a document over 16 MB with its table and key; --on-error skip migrates the rest', async function () {
    this.timeout(120_000);
    const file = path.join(tempDir(), 'big.db');
    makeDb(
      file,
      `CREATE TABLE files (id INTEGER PRIMARY KEY, body BLOB); INSERT INTO files VALUES (1, x'01'), (2, zeroblob(17000000)), (3, x'03');`,
    );
    const db = uniqueDbName('big');
    const stopped = await run(file, db);
    assert.equal(stopped.report.status, 'failed');
    assert.equal(stopped.report.error?.code, 'ROWS_FAILED');
    assert.match(stopped.report.error?.message ?? '', /files: row 2 .*16 MiB/);
    const skipped = await run(file, uniqueDbName('big'), { onError: 'skip' });
    assert.equal(skipped.report.exitCode, 40);
    assert.equal(skipped.report.totals.imported, 2);
    assert.deepEqual(
      skipped.report.errors.map((e) => [e.table, e.key]),
      [['files', '2']],
    );
    assert.equal(skipped.report.collections[0].validation?.missing, 1, 'validation still notices the refused row');
  });

  it('reports a value the server refuses per row (FerretDB: Infinity; MongoDB accepts it)', async function () {
    const file = path.join(tempDir(), 'inf.db');
    makeDb(
      file,
      `CREATE TABLE m (id INTEGER PRIMARY KEY, v REAL); INSERT INTO m VALUES (1, 1.0), (2, 9e999), (3, 3.0);`,
    );
    const { report } = await run(file, uniqueDbName('inf'), { onError: 'skip' });
    if (isRealMongo()) {
      assert.equal(report.status, 'succeeded');
      return;
    }
    assert.equal(report.totals.imported, 2);
    assert.equal(report.errors.length, 1);
    assert.equal(report.errors[0].key, '2');
    assert.match(report.errors[0].reason, /infinity/i);
  });

  it('dry run reads, converts and counts everything but creates nothing on the server', async () => {
    const db = uniqueDbName('dry');
    const { report } = await run(path.join(FIXTURES, 'chinook.sqlite'), db, { dryRun: true });
    assert.equal(report.status, 'dry-run');
    assert.equal(report.exitCode, 0);
    assert.equal(report.totals.exported, 15607 - 8715);
    assert.equal(report.totals.imported, 0);
    const dbs = (await client.db().admin().listDatabases()).databases.map((d) => d.name);
    assert.ok(!dbs.includes(db));
  });

  it('validation finds a document changed afterwards and names the field', async () => {
    const db = uniqueDbName('tamper');
    const source = path.join(FIXTURES, 'app.db');
    await run(source, db);
    await client
      .db(db)
      .collection('resources')
      .updateOne({ _id: 2 as never }, { $set: { name: 'tampered' }, $unset: { description: '' } });
    await client
      .db(db)
      .collection('resources')
      .insertOne({ _id: 42, name: 'stray' } as Document);
    const { report } = await run(source, db, { steps: ['validate'] });
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 41);
    const found = report.mismatches.map((m) => `${m.id} ${m.kind} ${m.path}`).sort();
    assert.deepEqual(found, ['2 missing-field description', '2 value-differs name', '42 extra-document ']);
    const nameDiff = report.mismatches.find((m) => m.path === 'name');
    assert.equal(nameDiff?.expected, 'text "cache-export-2"');
    assert.equal(nameDiff?.actual, '"tampered"');
  });

  it('keeps the intermediate NDJSON with --output-file and imports it again without the SQLite file', async () => {
    const out = path.join(tempDir(), 'chinook.ndjson');
    const first = await run(path.join(FIXTURES, 'chinook.sqlite'), uniqueDbName('nd1'), { outputFile: out });
    assert.equal(first.report.status, 'succeeded');
    assert.ok(fs.existsSync(out) && !fs.existsSync(`${out}.partial`));
    const db = uniqueDbName('nd2');
    const report = await migrate({ inputFile: out, mongoUrl: getTestMongoUrl(), database: db, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.imported, first.report.totals.imported);
    assert.equal(report.totals.validated, first.report.totals.imported);
    assert.equal(await client.db(db).collection('Track').countDocuments(), 3503);
  });
});

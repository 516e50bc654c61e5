/**
 * The migration pipeline against a real server (FerretDB started by setup.ts, or MONGODB_URL): every document is
 * read back through the driver and its BSON types checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { Binary, Double, Int32, Long, MongoClient, type Db, type Document } from 'mongodb';
import { migrate, type MigrateOptions, type MigrationEvent } from '../../src/core';
import { sharedFixturesDir } from '../helpers/fixtures';
import { getTestMongoUrl, isRealMongo, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';

const FIXTURES = sharedFixturesDir();
const RAW = { promoteValues: false, promoteLongs: false } as const;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

function appDb(resources: number): string {
  const file = path.join(tempDir(), `app${resources}.db`);
  execFileSync('python3', [path.join(FIXTURES, 'make_app_db.py'), file, '--resources', String(resources)]);
  return file;
}

async function run(sqlitePath: string, database: string, extra: Partial<MigrateOptions> = {}) {
  const events: MigrationEvent[] = [];
  const report = await migrate({
    sqlitePath,
    mongoUrl: getTestMongoUrl(),
    database,
    ifExists: 'fail',
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { report, events };
}

/** Dependencies per resource as SQLite has them, for comparison. */
function sqliteDependencies(file: string): Record<string, number[]> {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
out = {}
for rid, dep in con.execute('SELECT resource_id, dependency_id FROM resource_dependencies ORDER BY 1, 2'):
    out.setdefault(str(rid), []).append(dep)
print(json.dumps(out))`,
    file,
  );
}

describe('migrate: the reference FastAPI app', () => {
  it('migrates app.db (3 resources) into one resources collection with ids, dates, dependency arrays and indexes', async () => {
    const db = uniqueDbName('ref3');
    const { report, events } = await run(path.join(FIXTURES, 'app.db'), db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.exitCode, 0);
    assert.deepEqual(
      events
        .filter((e) => e.type === 'step-start')
        .map((e) => (e.type === 'step-start' ? `${e.index}/${e.total} ${e.step}` : '')),
      ['1/4 export', '2/4 import', '3/4 indexes', '4/4 validate'],
    );
    const target = client.db(db);
    assert.deepEqual(
      (await target.listCollections().toArray())
        .map((c) => c.name)
        .filter((n) => !n.startsWith('_'))
        .sort(),
      ['resources'],
    );
    const docs = await target.collection('resources').find({}, RAW).sort({ _id: 1 }).toArray();
    assert.equal(docs.length, 3);
    for (const d of docs) {
      assert.ok(d._id instanceof Int32, `_id is int32, got ${d._id?.constructor?.name}`);
      assert.ok(d.created_at instanceof Date && d.updated_at instanceof Date);
      assert.ok(Array.isArray(d.dependencies));
      assert.deepEqual(Object.keys(d), ['_id', 'name', 'description', 'created_at', 'updated_at', 'dependencies']);
    }
    assert.equal(docs[2].name, 'api-report-3');
    assert.equal(docs[2].created_at.toISOString(), '2024-03-26T06:51:13.243Z');
    assert.deepEqual(
      docs[2].dependencies.map((v: Int32) => v.value),
      [1, 2],
    );
    assert.deepEqual(docs[0].dependencies, []);
    const indexes = await target.collection('resources').indexes();
    const keys = indexes.map((ix) => JSON.stringify(ix.key)).sort();
    assert.deepEqual(keys, ['{"_id":1}', '{"dependencies":1}', '{"name":1}']);
    assert.equal(report.collections[0].validation?.matched, 3);
  });

  it('migrates 10,000 resources: every dependency array equals the junction rows, zero mismatches', async function () {
    this.timeout(300_000);
    const file = appDb(10_000);
    const db = uniqueDbName('ref10k');
    const { report } = await run(file, db, { batchSize: 500 });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.imported, 10_000);
    assert.equal(report.totals.validated, 10_000);
    assert.equal(report.totals.mismatches, 0);
    const expected = sqliteDependencies(file);
    const coll = client.db(db).collection('resources');
    assert.equal(await coll.countDocuments(), 10_000);
    let checked = 0;
    for await (const d of coll.find({}, { projection: { dependencies: 1 } })) {
      assert.deepEqual(d.dependencies, expected[String(d._id)] ?? [], `dependencies of ${d._id}`);
      checked++;
    }
    assert.equal(checked, 10_000);
    // The multikey index answers "who depends on 1?".
    const dependents = await coll.find({ dependencies: 1 }).toArray();
    assert.equal(dependents.length, Object.values(expected).filter((deps) => deps.includes(1)).length);
  });
});

describe('migrate: chinook (a real sample database)', () => {
  it('migrates all tables with zero mismatches and folds PlaylistTrack into Playlist.Tracks', async function () {
    this.timeout(120_000);
    const db = uniqueDbName('chinook');
    const { report } = await run(path.join(FIXTURES, 'chinook.sqlite'), db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    const counts = pyJson<Record<string, number>>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
print(json.dumps({n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}))`,
      path.join(FIXTURES, 'chinook.sqlite'),
    );
    assert.equal(Object.keys(counts).length, 11);
    const target = client.db(db);
    const names = (await target.listCollections().toArray())
      .map((c) => c.name)
      .filter((n) => !n.startsWith('_sqlite2mongo'))
      .sort();
    assert.deepEqual(
      names,
      Object.keys(counts)
        .filter((n) => n !== 'PlaylistTrack')
        .sort(),
    );
    for (const n of names) assert.equal(await target.collection(n).countDocuments(), counts[n], n);
    const playlists = await target.collection('Playlist').find().toArray();
    const links = playlists.reduce((s, p) => s + p.Tracks.length, 0);
    assert.equal(links, counts.PlaylistTrack);
    const invoice = await target.collection('Invoice').findOne({ _id: 1 as never }, RAW);
    assert.ok(invoice?.InvoiceDate instanceof Date, 'DATETIME became a Date');
    assert.ok(invoice?.Total instanceof Double, 'NUMERIC(10,2) value stored as REAL stays a double');
    const trackIndexes = (await target.collection('Track').indexes()).map((ix) => Object.keys(ix.key).join(','));
    for (const fk of ['AlbumId', 'GenreId', 'MediaTypeId'])
      assert.ok(trackIndexes.includes(fk), `index on Track.${fk}`);
  });
});

describe('migrate: exact values and odd names', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'edge.db');
    makeDb(
      file,
      `CREATE TABLE "odd table" ("key" INTEGER PRIMARY KEY, "a.b" TEXT, "$price" REAL, "big" INTEGER, "blob" BLOB,
         "when" DATETIME, "_id" TEXT, "flag" BOOLEAN, "ünï cødé" TEXT);
       INSERT INTO "odd table" VALUES (1, 'dot', 1.5, 9223372036854775807, x'00ff10', '2024-02-29 23:59:59.999999', 'x', 1, '東京 🚀'),
         (2, NULL, 2.0, -9223372036854775808, x'', 'not a date', NULL, 0, 'مرحبا'),
         (3, 'n', 1e308, 9007199254740993, NULL, '2024-02-30 10:00:00', 'y', NULL, '');
       CREATE TABLE nokey (v TEXT);
       INSERT INTO nokey VALUES ('a'), ('b');
       CREATE TABLE pair (a TEXT, b INTEGER, v TEXT, PRIMARY KEY (a, b)) WITHOUT ROWID;
       INSERT INTO pair VALUES ('x', 1, 'one'), ('x', 2, 'two');`,
    );
  });

  it('keeps int64 extremes exact, BLOB bytes, doubles, renames dotted/$ names, and keeps unparseable dates as text with warnings', async () => {
    const db = uniqueDbName('edge');
    const { report } = await run(file, db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    assert.equal(report.warnings.byKind['unparseable-date'], 2);
    const docs = await client.db(db).collection('odd table').find({}, RAW).sort({ _id: 1 }).toArray();
    assert.deepEqual(Object.keys(docs[0]), ['_id', 'a_b', '_price', 'big', 'blob', 'when', '_id_', 'flag', 'ünï cødé']);
    assert.ok(docs[0].big instanceof Long && docs[0].big.toBigInt() === 9223372036854775807n);
    assert.ok(docs[1].big instanceof Long && docs[1].big.toBigInt() === -9223372036854775808n);
    assert.equal((docs[2].big as Long).toBigInt(), 9007199254740993n, 'beyond 2^53 stays exact');
    assert.ok(docs[0].blob instanceof Binary);
    assert.deepEqual([...docs[0].blob.buffer], [0, 255, 16]);
    assert.equal(docs[1].blob.buffer.length, 0);
    assert.equal(docs[2].blob, null);
    assert.ok(docs[1]._price instanceof Double && docs[1]._price.value === 2, 'a whole REAL stays a double');
    assert.equal((docs[2]._price as Double).value, 1e308);
    assert.equal(docs[0].when.toISOString(), '2024-02-29T23:59:59.999Z');
    assert.equal(docs[1].when, 'not a date');
    assert.equal(docs[2].when, '2024-02-30 10:00:00', 'an impossible day is not shifted to March');
    assert.equal(docs[0].flag, true);
    assert.equal(docs[1].flag, false);
    assert.equal(docs[0]['ünï cødé'], '東京 🚀');
    const nokey = await client.db(db).collection('nokey').find().sort({ _rowid: 1 }).toArray();
    assert.deepEqual(
      nokey.map((d) => [d._rowid, d.v]),
      [
        [1, 'a'],
        [2, 'b'],
      ],
    );
    assert.equal(nokey[0]._id.constructor.name, 'ObjectId');
    const pairs = await client.db(db).collection('pair').find().toArray();
    assert.deepEqual(
      pairs.map((d) => d._id),
      [
        { a: 'x', b: 1 },
        { a: 'x', b: 2 },
      ],
    );
  });

  it('gives a stable ObjectId to rows without a key, so a rerun with upsert does not duplicate them', async () => {
    const db = uniqueDbName('stable');
    await run(file, db);
    const first = await client.db(db).collection('nokey').find().sort({ _rowid: 1 }).toArray();
    const { report } = await run(file, db, { ifExists: 'upsert' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const second = await client.db(db).collection('nokey').find().sort({ _rowid: 1 }).toArray();
    assert.deepEqual(second, first);
  });
});

describe('migrate: existing data (--if-exists)', () => {
  const source = path.join(FIXTURES, 'app.db');
  async function seeded(): Promise<{ db: string; target: Db }> {
    const db = uniqueDbName('exists');
    const target = client.db(db);
    await target.collection('resources').insertMany([
      { _id: 3, name: 'old three' },
      { _id: 99, name: 'unrelated' },
    ] as Document[]);
    return { db, target };
  }

  it('ask without anyone to answer, and fail: refuse with TARGET_NOT_EMPTY and write nothing', async () => {
    for (const ifExists of ['ask', 'fail'] as const) {
      const { db, target } = await seeded();
      const { report } = await run(source, db, { ifExists });
      assert.equal(report.status, 'failed');
      assert.equal(report.error?.code, 'TARGET_NOT_EMPTY');
      assert.equal(report.exitCode, 24);
      assert.match(report.error?.message ?? '', /resources \(2 documents\)/);
      assert.equal(await target.collection('resources').countDocuments(), 2, `${ifExists}: untouched`);
    }
  });

  it('ask with an answer: the callback decides', async () => {
    const { db, target } = await seeded();
    let asked: unknown;
    const { report } = await run(source, db, {
      ifExists: 'ask',
      askExisting: async (existing) => ((asked = existing), 'drop'),
    });
    assert.deepEqual(asked, [{ collection: 'resources', documents: 2 }]);
    assert.equal(report.status, 'succeeded');
    assert.equal(await target.collection('resources').countDocuments(), 3);
  });

  it('drop: replaces the collection', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'drop' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.collections[0].existing.action, 'dropped');
    assert.deepEqual(
      (await target.collection('resources').find().toArray()).map((d) => d._id),
      [1, 2, 3],
    );
  });

  it('append: adds, reports the duplicate key and keeps the existing document', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'append', onError: 'skip' });
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 40);
    assert.equal(report.totals.duplicates, 1);
    assert.deepEqual(report.collections[0].duplicateKeys, ['3']);
    assert.equal(report.errors[0].code, 11000);
    assert.equal(await target.collection('resources').countDocuments(), 4);
    assert.equal((await target.collection('resources').findOne({ _id: 3 as never }))?.name, 'old three');
  });

  it('upsert: replaces by _id, keeps unrelated documents, validates clean', async () => {
    const { db, target } = await seeded();
    const { report } = await run(source, db, { ifExists: 'upsert' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(await target.collection('resources').countDocuments(), 4);
    assert.equal((await target.collection('resources').findOne({ _id: 3 as never }))?.name, 'api-report-3');
    assert.equal(report.collections[0].validation?.others, 1, 'the unrelated document is counted, not flagged');
    assert.equal(report.collections[0].validation?.matched, 3);
    const { unchanged, replaced, inserted, deleted } = report.collections[0];
    assert.deepEqual(
      { unchanged, replaced, inserted, deleted },
      { unchanged: 0, replaced: 1, inserted: 2, deleted: 0 },
      'only what differed was written',
    );
  });
});

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

describe('migrate: views', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'views.db');
    makeDb(
      file,
      `CREATE TABLE sales (id INTEGER PRIMARY KEY, region TEXT, amount REAL);
       INSERT INTO sales VALUES (1, 'north', 10.5), (2, 'south', 4.0), (3, 'north', 2.25);
       CREATE VIEW totals AS SELECT region, sum(amount) AS total, count(*) AS n FROM sales GROUP BY region;`,
    );
  });

  it('skips views by default and says so', async () => {
    const { report, events } = await run(file, uniqueDbName('noviews'));
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const plan = events.find((e) => e.type === 'plan');
    assert.ok(plan && plan.type === 'plan');
    assert.deepEqual(
      plan.plan.collections.map((c) => c.collection),
      ['sales'],
    );
    assert.match(plan.plan.skipped.find((s) => s.table === 'totals')?.reason ?? '', /--include-views/);
  });

  it('with includeViews migrates a view with stable _ids by row position, validated, and a rerun upserts the same documents', async () => {
    const database = uniqueDbName('views');
    const first = await run(file, database, { includeViews: true });
    assert.equal(first.report.status, 'succeeded', JSON.stringify(first.report.error));
    const totals = await client.db(database).collection('totals').find().sort({ region: 1 }).toArray();
    assert.deepEqual(
      totals.map((d) => [d.region, d.total, d.n]),
      [
        ['north', 12.75, 2],
        ['south', 4, 1],
      ],
    );
    assert.equal(totals[0]._id.constructor.name, 'ObjectId');
    const again = await run(file, database, { includeViews: true, ifExists: 'upsert' });
    assert.equal(again.report.status, 'succeeded', JSON.stringify(again.report.error));
    const after = await client.db(database).collection('totals').find().sort({ region: 1 }).toArray();
    assert.deepEqual(after, totals, 'same _ids, no duplicates');
  });
});

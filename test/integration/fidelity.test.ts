/**
 * The classes of silent loss found in issue 11, each migrated into a real server and read back, with Python's
 * sqlite3 saying what the file holds: nothing may be lost or changed without a word.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Binary, MongoClient } from 'mongodb';
import { migrate, type MigrateOptions } from '../../src/core';
import { INVALID_TEXT_SUBTYPE } from '../../src/core/plan/types';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';

const RAW = { promoteValues: false, promoteLongs: false } as const;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

async function migrated(sql: string, extra: Partial<MigrateOptions> = {}) {
  const file = makeDb(path.join(tempDir(), 'case.db'), sql);
  const database = uniqueDbName('fid');
  const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail', ...extra });
  return { file, report, db: client.db(database) };
}

/** Rows of a query as Python's sqlite3 returns them, bytes (and TEXT read as bytes) in hex. */
function pyRows(file: string, sql: string): unknown[][] {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
con.text_factory = bytes
rows = [[v.hex() if isinstance(v, bytes) else v for v in r] for r in con.execute(sys.argv[2])]
print(json.dumps(rows))`,
    file,
    sql,
  );
}

const hex = (b: Binary) => Buffer.from(b.buffer).toString('hex');

describe('fidelity: each class of silent loss', () => {
  it('1. TEXT that is not UTF-8 keeps its exact bytes (Binary subtype 0x80), keys stay distinct, each counted', async () => {
    // Latin-1 bytes: é (e9) and è (e8) are two different keys; decoded leniently both became U+FFFD.
    const { file, report, db } = await migrated(`
      CREATE TABLE names (k TEXT PRIMARY KEY, v TEXT);
      INSERT INTO names VALUES (CAST(x'e9' AS TEXT), CAST(x'43616ff8' AS TEXT)), (CAST(x'e8' AS TEXT), 'ok'),
        ('plain', CAST(x'4142434445464748494a4b4c4d4e4f5051e9' AS TEXT)), ('nul', CAST(x'610062' AS TEXT));`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    const python = pyRows(file, 'SELECT k, v FROM names ORDER BY rowid');
    const docs = await db.collection('names').find({}, RAW).toArray();
    assert.equal(docs.length, python.length, 'no two keys collapsed');
    const shown = (v: unknown) =>
      v instanceof Binary ? `${v.sub_type}:${hex(v)}` : Buffer.from(String(v)).toString('hex');
    const byKey = new Map(docs.map((d) => [shown(d._id), shown(d.v)]));
    assert.deepEqual(byKey.get(`${INVALID_TEXT_SUBTYPE}:e9`), `${INVALID_TEXT_SUBTYPE}:43616ff8`);
    assert.deepEqual(byKey.get(`${INVALID_TEXT_SUBTYPE}:e8`), shown('ok'));
    assert.deepEqual(byKey.get(shown('plain')), `${INVALID_TEXT_SUBTYPE}:${python[2][1]}`);
    assert.deepEqual(byKey.get(shown('nul')), '610062', 'a NUL inside valid UTF-8 text is kept');
    assert.equal(report.warnings.byKind['invalid-utf8'], 4);
  });

  it('2. columns and tables named after object internals (__proto__, constructor, toString, hasOwnProperty) are data', async () => {
    const { file, report, db } = await migrated(`
      CREATE TABLE "constructor" (id INTEGER PRIMARY KEY, "__proto__" TEXT, "constructor" TEXT, "toString" INTEGER, "hasOwnProperty" REAL);
      INSERT INTO "constructor" VALUES (1, 'p', 'c', 7, 1.5), (2, NULL, 'x', NULL, NULL);
      CREATE TABLE "__proto__" ("__proto__" TEXT, "toString" INTEGER, v TEXT, PRIMARY KEY ("__proto__", "toString"));
      INSERT INTO "__proto__" VALUES ('a', 1, 'one'), ('a', 2, 'two');
      CREATE TABLE "hasOwnProperty" (id INTEGER PRIMARY KEY, x TEXT);
      INSERT INTO "hasOwnProperty" VALUES (1, 'y');`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    const ctor = await db.collection('constructor').find().sort({ _id: 1 }).toArray();
    const python = pyJson<unknown[][]>(
      `import sqlite3, sys, json
print(json.dumps(sqlite3.connect(sys.argv[1]).execute('SELECT * FROM "constructor" ORDER BY id').fetchall()))`,
      file,
    );
    assert.deepEqual(
      ctor.map((d) => Object.keys(d)),
      python.map(() => ['_id', '__proto__', 'constructor', 'toString', 'hasOwnProperty']),
    );
    assert.deepEqual(
      ctor.map((d) => [d._id, d['__proto__'], d.constructor, d.toString, d.hasOwnProperty]),
      python,
    );
    const proto = await db.collection('__proto__').find().sort({ v: 1 }).toArray();
    assert.deepEqual(
      proto.map((d) => JSON.stringify(d._id)),
      ['{"__proto__":"a","toString":1}', '{"__proto__":"a","toString":2}'],
    );
    assert.equal(await db.collection('hasOwnProperty').countDocuments(), 1);
  });

  it('3. composite-key columns whose names collide after the rename rule (a.b, a_b) keep distinct _ids', async () => {
    const { file, report, db } = await migrated(`
      CREATE TABLE pairs ("a.b" INTEGER, a_b INTEGER, v TEXT, PRIMARY KEY ("a.b", a_b));
      INSERT INTO pairs VALUES (1, 2, 'x'), (2, 1, 'y'), (1, 1, 'z');`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const python = pyJson<unknown[][]>(
      `import sqlite3, sys, json
print(json.dumps(sqlite3.connect(sys.argv[1]).execute('SELECT "a.b", a_b, v FROM pairs ORDER BY 1, 2').fetchall()))`,
      file,
    );
    const docs = await db
      .collection<{ _id: { a_b: number; a_b_2: number }; v: string }>('pairs')
      .find()
      .sort({ '_id.a_b': 1, '_id.a_b_2': 1 })
      .toArray();
    assert.deepEqual(
      docs.map((d) => [d._id.a_b, d._id.a_b_2, d.v]),
      python,
    );
  });

  it('5. an ordinary table named like a shadow table (x_data next to an FTS4 table x) is migrated; an FTS-only file is refused by name', async () => {
    const { file, report, db } = await migrated(`
      CREATE VIRTUAL TABLE x USING fts4(body);
      INSERT INTO x VALUES ('hello');
      CREATE TABLE x_data (id INTEGER PRIMARY KEY, note TEXT);
      INSERT INTO x_data VALUES (1, 'mine');`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const tableList = pyJson<string[][]>(
      `import sqlite3, sys, json
print(json.dumps([[r[1], r[2]] for r in sqlite3.connect(sys.argv[1]).execute('PRAGMA table_list') if r[1] == 'x_data']))`,
      file,
    );
    assert.deepEqual(tableList, [['x_data', 'table']]);
    assert.deepEqual(
      (await db.collection('x_data').find().toArray()).map((d) => d.note),
      ['mine'],
    );

    const only = await migrated(`CREATE VIRTUAL TABLE docs USING fts5(body); INSERT INTO docs VALUES ('text');`);
    assert.equal(only.report.error?.code, 'SOURCE_EMPTY');
    assert.match(only.report.error?.message ?? '', /only virtual tables.*docs \(fts5\)/);
  });

  it("6. views and generated columns with math functions read as SQLite's own functions compute them", async () => {
    const { file, report, db } = await migrated(
      `
      CREATE TABLE n (id INTEGER PRIMARY KEY, x REAL, root REAL GENERATED ALWAYS AS (sqrt(x)) STORED);
      INSERT INTO n (id, x) VALUES (1, 2.0), (2, 100.0);
      CREATE VIEW logs AS SELECT id, log(x) AS lg, ln(x) AS natural, sqrt(x) AS sq FROM n;`,
      { includeViews: true },
    );
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const python = pyJson<number[][]>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps([list(r) for r in con.execute('SELECT lg, natural, sq FROM logs ORDER BY id')] + [[r[0]] for r in con.execute('SELECT root FROM n ORDER BY id')]))`,
      file,
    );
    const view = await db.collection('logs').find().sort({ id: 1 }).toArray();
    const table = await db.collection('n').find().sort({ _id: 1 }).toArray();
    const ours = [...view.map((d) => [d.lg, d.natural, d.sq]), ...table.map((d) => [d.root])];
    // The same functions, but two math libraries (wasm's and the system's): they may differ in the last bit.
    ours.forEach((row, i) =>
      row.forEach((v, j) =>
        assert.ok(Math.abs(v - python[i][j]) <= 1e-15 * Math.abs(python[i][j]), `${v} vs ${python[i][j]}`),
      ),
    );
    assert.equal(view[1].lg, 2, 'log(100) is the base-10 logarithm (the legacy extension function gave ln(100) = 4.6)');
    assert.equal(table[1].root, 10);
  });

  it('8. a table with 2,000 columns (with and without a key) is migrated whole', async function () {
    this.timeout(180_000);
    const cols = Array.from({ length: 1999 }, (_, i) => `c${i} INTEGER`).join(', ');
    const values = Array.from({ length: 1999 }, (_, i) => String(i)).join(', ');
    const { file, report, db } = await migrated(`
      CREATE TABLE wide (id INTEGER PRIMARY KEY, ${cols});
      INSERT INTO wide VALUES (1, ${values});
      CREATE TABLE widest (k INTEGER, ${cols});
      INSERT INTO widest VALUES (5, ${values});`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    const python = pyJson<number[]>(
      `import sqlite3, sys, json
print(json.dumps(list(sqlite3.connect(sys.argv[1]).execute('SELECT * FROM widest').fetchone())))`,
      file,
    );
    const [wide] = await db.collection('wide').find().toArray();
    const [widest] = await db.collection('widest').find().toArray();
    assert.equal(Object.keys(wide).length, 2000);
    assert.deepEqual([widest.k, ...Array.from({ length: 1999 }, (_, i) => widest[`c${i}`])], python);
  });

  it('9. tables named system.*, with $, empty, or like the history collection get names the server and the plan check accept', async () => {
    const { file, report, db } = await migrated(`
      CREATE TABLE "system.users" (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "system.users" VALUES (1, 'a');
      CREATE TABLE "pay$ments" (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "pay$ments" VALUES (1, 'b');
      CREATE TABLE "" (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "" VALUES (1, 'c');
      CREATE TABLE "_sqlite2mongo_migrations" (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO "_sqlite2mongo_migrations" VALUES (1, 'd');`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const tables = pyJson<string[]>(
      `import sqlite3, sys, json
print(json.dumps([r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY rowid")]))`,
      file,
    );
    assert.deepEqual(
      report.collections.map((c) => c.table),
      tables,
    );
    assert.deepEqual(
      report.collections.map((c) => c.collection),
      ['_system.users', 'pay_ments', '_', '_sqlite2mongo_migrations_2'],
    );
    for (const [i, c] of report.collections.entries())
      assert.equal((await db.collection(c.collection).findOne({ _id: 1 as never }))?.v, 'abcd'[i]);
  });

  it('10. impossible UTC offsets are not dates; lossy date conversions are counted; undeclared text keeps sub-milliseconds and offsets', async () => {
    const { file, report, db } = await migrated(`
      CREATE TABLE ev (id INTEGER PRIMARY KEY, at DATETIME, note TEXT);
      INSERT INTO ev VALUES (1, '2024-01-02T03:04:05+25:99', '2024-01-02 03:04:05.123456'),
        (2, '2024-01-02 03:04:05.123456', '2024-01-02T03:04:05+02:00'),
        (3, '2024-01-02T03:04:05+02:00', '2024-01-02 03:04:05.123');`);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const docs = await db.collection('ev').find().sort({ _id: 1 }).toArray();
    assert.equal(docs[0].at, '2024-01-02T03:04:05+25:99', 'kept as text');
    assert.equal((docs[1].at as Date).toISOString(), '2024-01-02T03:04:05.123Z');
    assert.equal((docs[2].at as Date).toISOString(), '2024-01-02T01:04:05.000Z');
    const notes = pyJson<string[]>(
      `import sqlite3, sys, json
print(json.dumps([r[0] for r in sqlite3.connect(sys.argv[1]).execute('SELECT note FROM ev ORDER BY id')]))`,
      file,
    );
    assert.deepEqual(
      docs.map((d) => d.note),
      notes,
      'a column not declared as dates is not turned into lossy Dates',
    );
    assert.deepEqual(report.warnings.byKind, { 'unparseable-date': 1, 'date-precision': 1, 'date-offset': 1 });
  });

  it('11. export warns about a document over 16 MiB (not only a dry run of migrate)', async function () {
    this.timeout(120_000);
    const dir = tempDir();
    const out = path.join(dir, 'out.ndjson');
    const { report } = await migrated(
      `
      CREATE TABLE big (id INTEGER PRIMARY KEY, data BLOB);
      INSERT INTO big VALUES (1, zeroblob(17 * 1024 * 1024)), (2, x'00');`,
      { steps: ['export'], outputFile: out },
    );
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.warnings.byKind['document-too-large'], 1);
    assert.equal(report.warnings.samples.find((w) => w.kind === 'document-too-large')?.key, '1');
    assert.ok(fs.existsSync(out));
  });
});

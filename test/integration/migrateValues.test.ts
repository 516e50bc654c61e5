/**
 * The migration against a real server: exact values (int64 extremes, BLOBs, doubles), odd names, rows without a
 * key, and views; every document read back through the driver with its BSON types.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Binary, Double, Long, MongoClient } from 'mongodb';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';
import { RAW, run } from '../helpers/migrateRun';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

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

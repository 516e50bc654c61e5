/**
 * The migration pipeline against a real server (FerretDB started by setup.ts, or MONGODB_URL) on real databases:
 * the reference FastAPI app and chinook. Every document is read back through the driver and its BSON types checked.
 * The other migrate*.test.ts files: exact values, existing data, refused rows and validation.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Double, Int32, MongoClient } from 'mongodb';
import { sharedFixturesDir } from '../helpers/fixtures';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, pyJson } from '../helpers/sqliteBuilders';
import { appDb, RAW, run } from '../helpers/migrateRun';

const FIXTURES = sharedFixturesDir();

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

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

/**
 * The independent proof and the row accounting against a real server: a converter bug injected into the document
 * builder is caught by validation, and every source row ends up written, folded, refused or skipped with a reason
 * — counted against what Python's sqlite3 says the file holds.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { migrate, type MigrateOptions } from '../../src/core';
import { DocumentBuilder } from '../../src/core/convert/documents';
import { defaultPlanOf } from '../helpers/plans';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, pyCounts, pyJson, tempDir } from '../helpers/sqliteBuilders';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

function run(sqlitePath: string, database: string, extra: Partial<MigrateOptions> = {}) {
  return migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, ifExists: 'fail', ...extra });
}

const SHOP = `
  CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
  CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, price REAL, qty INTEGER, made DATETIME);
  CREATE TABLE item_tags (item_id INTEGER REFERENCES items(id), tag_id INTEGER REFERENCES tags(id), PRIMARY KEY (item_id, tag_id));
  INSERT INTO tags VALUES (1, 'red'), (2, 'blue'), (3, 'green');
  INSERT INTO items VALUES (1, 'cup', 2.5, 10, '2024-01-02 03:04:05'), (2, 'mug', 4.0, 3, '2024-05-06 07:08:09'), (3, 'jar', NULL, 7, NULL);
  INSERT INTO item_tags VALUES (1, 1), (1, 3), (2, 2);`;

describe('proof: validation independent of the converter', () => {
  it('catches a converter bug that swaps two values (both sides built by the converter would agree)', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const original = DocumentBuilder.prototype.documents;
    // The injected bug: every document gets name and qty swapped, on the way to MongoDB and in any rebuild.
    DocumentBuilder.prototype.documents = function* (this: DocumentBuilder, ...args: Parameters<typeof original>) {
      for (const built of original.apply(this, args)) {
        const d = built.doc as Document;
        if ('name' in d && 'qty' in d) [d.name, d.qty] = [d.qty, d.name];
        yield built;
      }
    };
    let report;
    try {
      report = await run(file, uniqueDbName('swap'));
    } finally {
      DocumentBuilder.prototype.documents = original;
    }
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 41);
    const paths = new Set(report.mismatches.map((m) => `${m.collection}.${m.path}`));
    assert.deepEqual([...paths].sort(), ['items.name', 'items.qty']);
    const cup = report.mismatches.find((m) => m.id === '1' && m.path === 'name');
    assert.equal(cup?.expected, 'text "cup"');
    assert.equal(cup?.actual, '10');
  });

  it('validates a healthy copy with zero mismatches, and a tampered array entry by its path', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const db = uniqueDbName('proof');
    const report = await run(file, db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.validated, 6);
    await client
      .db(db)
      .collection('items')
      .updateOne({ _id: 1 as never }, { $set: { 'tags.1': 2 } });
    const again = await run(file, db, { steps: ['validate'] });
    assert.equal(again.exitCode, 41);
    assert.deepEqual(
      again.mismatches.map((m) => `${m.id} ${m.path} ${m.expected} → ${m.actual}`),
      ['1 tags.1 integer 3 → 2'],
    );
  });
});

describe('row accounting', () => {
  it('accounts for every row of every table: written, folded into arrays, and the counts match Python', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const report = await run(file, uniqueDbName('acct'));
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const counts = pyCounts(file);
    const byTable = Object.fromEntries((report.accounting ?? []).map((a) => [a.table, a]));
    assert.deepEqual(Object.keys(byTable).sort(), Object.keys(counts).sort());
    for (const [table, n] of Object.entries(counts)) {
      const a = byTable[table];
      assert.equal(a.read, n, table);
      assert.equal(a.unaccounted, 0, table);
      assert.equal(a.written + a.folded + a.refused + a.skipped, n, table);
    }
    assert.equal(byTable.item_tags.folded, 3);
    assert.equal(byTable.items.written, 3);
  });

  it('junction rows without an owner: the default plan keeps the junction as a collection; a plan that folds it counts them as skipped', async () => {
    // SQLite does not enforce foreign keys by default: item 9 does not exist, and one item_id is NULL.
    const file = makeDb(path.join(tempDir(), 'orphans.db'), `${SHOP}\nINSERT INTO item_tags VALUES (9, 1), (NULL, 2);`);
    const plan = await defaultPlanOf(file);
    assert.ok(
      plan.collections.some((c) => c.collection === 'item_tags'),
      'kept as a collection',
    );
    const kept = await run(file, uniqueDbName('orph'), { plan });
    assert.equal(kept.status, 'succeeded', JSON.stringify(kept.error));
    assert.equal(kept.collections.find((c) => c.collection === 'item_tags')?.imported, pyCounts(file).item_tags);

    // A hand-made plan that folds it anyway: the two rows are skipped, with the reason, and the run says so.
    const folded = structuredClone(plan);
    folded.collections = folded.collections.filter((c) => c.collection !== 'item_tags');
    folded.collections
      .find((c) => c.collection === 'items')
      ?.arrays.push({
        field: 'tags',
        junctionTable: 'item_tags',
        ownerColumn: 'item_id',
        valueColumn: 'tag_id',
        ownerKeyColumn: 'id',
      });
    folded.skipped.push({ table: 'item_tags', reason: 'junction table folded into items.tags' });
    const report = await run(file, uniqueDbName('orph'), { plan: folded });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const a = report.accounting?.find((x) => x.table === 'item_tags');
    assert.deepEqual([a?.read, a?.folded, a?.skipped, a?.unaccounted], [5, 3, 2, 0]);
    assert.match(a?.reasons[0] ?? '', /^2 rows: junction rows whose items row is missing or whose item_id is NULL/);
  });

  it('a table the plan neither maps nor lists as skipped fails the run with exit 42, naming it', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await defaultPlanOf(file);
    plan.collections = plan.collections.filter((c) => c.table !== 'tags');
    const report = await run(file, uniqueDbName('unacc'), { plan });
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 42);
    assert.equal(report.error?.code, 'ROWS_UNACCOUNTED');
    assert.match(report.error?.message ?? '', /tags \(3 of 3 rows\)/);
  });

  it('rows whose key is NULL are refused by name, never written as several _id: null documents', async () => {
    const file = makeDb(
      path.join(tempDir(), 'nullkey.db'),
      `
      CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);
      INSERT INTO codes VALUES ('a', 'one'), (NULL, 'two'), (NULL, 'three'), ('b', 'four');`,
    );
    const python = pyJson<Array<[string | null, string]>>(
      `import sqlite3, sys, json
print(json.dumps(sqlite3.connect(sys.argv[1]).execute('SELECT code, label FROM codes ORDER BY rowid').fetchall()))`,
      file,
    );
    assert.equal(python.filter(([c]) => c === null).length, 2);

    // Default plan: the rowid keys the documents, the key column is a field; every row arrives.
    const db = uniqueDbName('nullkey');
    const report = await run(file, db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const docs = await client.db(db).collection('codes').find().sort({ _rowid: 1 }).toArray();
    assert.deepEqual(
      docs.map((d) => [d.code, d.label]),
      python,
    );

    // A plan keyed by the column: the NULL-key rows are refused, each named, and the run fails with exit 40.
    const plan = await defaultPlanOf(file);
    plan.collections[0].id = { kind: 'column', column: 'code' };
    plan.collections[0].fields = plan.collections[0].fields.filter((f) => f.column !== 'code');
    const keyed = await run(file, uniqueDbName('nullkey'), { plan });
    assert.equal(keyed.exitCode, 40);
    assert.equal(keyed.errors.filter((e) => /holds NULL/.test(e.reason)).length, 2);
    const a = keyed.accounting?.find((x) => x.table === 'codes');
    assert.deepEqual([a?.written, a?.refused, a?.unaccounted], [2, 2, 0]);
  });
});

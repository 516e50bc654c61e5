/**
 * Plan rules beyond one-to-one columns, against a real server: a row filter, computed fields and a relationship the
 * file never declared survive migrate, validation and a rerun; filtered rows are accounted as skipped with the
 * filter as reason; a row whose computed field cannot be evaluated is refused and reported, never written; a stored
 * computed value that is wrong is a mismatch. Expected values come from Python's sqlite3.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MongoClient, type Document } from 'mongodb';
import { migrate, type MigrateOptions } from '../../src/core';
import { defaultPlanFor } from '../../src/core/plan/defaultPlan';
import { applyEmbed } from '../../src/core/plan/relationships';
import { withDeclaredRelationships } from '../../src/core/plan/suggest';
import type { MappingPlan } from '../../src/core/plan/types';
import { introspect, openSqliteSource } from '../../src/core/sqlite';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';

// No FOREIGN KEY clauses, as in many SQLite apps: lines → orders is declared by the plan.
const SHOP = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, email TEXT, deleted_at TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, total_cents INTEGER, placed TEXT);
  CREATE TABLE lines (order_id INTEGER, line_no INTEGER, sku TEXT, qty INTEGER, PRIMARY KEY (order_id, line_no));
  INSERT INTO customers VALUES (1, 'Ada', 'Lovelace', 'ADA@EXAMPLE.COM', NULL), (2, 'Grace', 'Hopper', NULL, NULL),
    (3, 'Gone', 'Away', 'gone@example.com', '2024-01-01'), (4, 'Alan', 'Turing', 'alan@example.com', NULL);
  INSERT INTO orders VALUES (10, 1, 1999, '2024-05-01 10:00:00'), (11, 2, 250, 'not a date'), (12, 4, 0, '2024-06-01');
  INSERT INTO lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (12, 1, 'A-1', 3);`;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

async function shopPlan(file: string): Promise<MappingPlan> {
  const source = await openSqliteSource(file);
  try {
    const schema = introspect(source);
    let plan = defaultPlanFor(source, schema).plan;
    plan.relationships = [{ table: 'lines', columns: ['order_id'], refTable: 'orders', refColumns: ['id'] }];
    plan = applyEmbed(plan, withDeclaredRelationships(schema, plan.relationships), {
      into: 'orders',
      table: 'lines',
      kind: 'array',
    });
    const customers = plan.collections.find((c) => c.table === 'customers')!;
    customers.filter = 'deleted_at IS NULL';
    customers.computed = [
      { field: 'full_name', expression: `first_name || ' ' || upper(last_name)` },
      { field: 'email_lower', expression: 'lower(email)' },
    ];
    plan.collections.find((c) => c.table === 'orders')!.computed = [
      { field: 'total', expression: 'total_cents / 100.0' },
      { field: 'placed_on', expression: 'date(placed)' },
    ];
    return plan;
  } finally {
    source.close();
  }
}

const run = (sqlitePath: string, database: string, plan: MappingPlan, extra: Partial<MigrateOptions> = {}) =>
  migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail', ...extra });

describe('plan rules: filters, computed fields, declared relationships', () => {
  it('migrates, validates and reruns; filtered rows are skipped with a reason; an uncomputable row is refused', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await shopPlan(file);
    const db = uniqueDbName('rules');
    const report = await run(file, db, plan, { onError: 'skip' });
    // Order 11's date cannot be computed: refused (listed), everything else written and proven.
    assert.deepEqual(
      report.errors.map((e) => `${e.collection} ${e.key}: ${e.reason}`),
      [`orders 11: computed field placed_on: date() cannot read text 'not a date' as a date`],
    );
    assert.equal(report.totals.mismatches, 0, JSON.stringify(report.mismatches));
    const customers = await client
      .db(db)
      .collection('customers')
      .find({}, { sort: { _id: 1 } })
      .toArray();
    const expected = pyJson<Array<[number, string, string | null]>>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps(con.execute("SELECT id, first_name || ' ' || upper(last_name), lower(email) FROM customers WHERE deleted_at IS NULL ORDER BY id").fetchall()))`,
      file,
    );
    assert.deepEqual(
      customers.map((c: Document) => [c._id, c.full_name, c.email_lower]),
      expected,
    );
    const orders = await client
      .db(db)
      .collection('orders')
      .find({}, { sort: { _id: 1 } })
      .toArray();
    assert.deepEqual(
      orders.map((o: Document) => o._id),
      [10, 12],
    );
    assert.equal(orders[0].total, 19.99);
    assert.deepEqual(orders[0].placed_on, new Date('2024-05-01T10:00:00Z'));
    assert.deepEqual(
      orders[0].lines.map((l: Document) => [l.line_no, l.sku, l.qty]),
      [
        [1, 'A-1', 1],
        [2, 'B-2', 40],
      ],
    );
    const account = (t: string) => report.accounting?.find((a) => a.table === t);
    assert.equal(account('customers')?.skipped, 1);
    assert.match(account('customers')?.reasons.join(' ') ?? '', /left out by the plan's filter "deleted_at IS NULL"/);
    assert.equal(account('orders')?.refused, 1);
    assert.equal(account('lines')?.folded, 3);
    for (const a of report.accounting ?? []) assert.equal(a.unaccounted, 0, a.table);
    // A rerun of the same plan writes nothing new and validates clean again.
    const again = await run(file, db, plan, { onError: 'skip', ifExists: 'upsert' });
    assert.equal(again.totals.mismatches, 0, JSON.stringify(again.mismatches));
    assert.equal(again.totals.imported, 0, 'the rerun compares and writes nothing');
    assert.equal(again.totals.unchanged, again.totals.exported);
    for (const a of again.accounting ?? []) assert.equal(a.unaccounted, 0, a.table);
    assert.equal(await client.db(db).collection('customers').countDocuments(), 3);
  });

  it('a wrong computed value in MongoDB is a mismatch; a bad filter or expression stops before writing', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await shopPlan(file);
    plan.collections.find((c) => c.table === 'orders')!.computed = [
      { field: 'total', expression: 'total_cents / 100.0' },
    ];
    const db = uniqueDbName('rules-bad');
    assert.equal((await run(file, db, plan)).status, 'succeeded');
    await client
      .db(db)
      .collection('customers')
      .updateOne({ _id: 1 as never }, { $set: { full_name: 'Ada lovelace' } });
    const check = await run(file, db, plan, { steps: ['validate'] });
    assert.deepEqual(
      check.mismatches.map((m) => `${m.collection} ${m.id} ${m.path} ${m.expected}`),
      [`customers 1 full_name computed text "Ada LOVELACE"`],
    );

    const badFilter = structuredClone(plan);
    badFilter.collections.find((c) => c.table === 'customers')!.filter = 'deleted IS NULL';
    const refused = await run(file, uniqueDbName('rules-filter'), badFilter);
    assert.equal(refused.status, 'failed');
    assert.match(
      refused.error?.message ?? '',
      /filter of customers \("deleted IS NULL"\) is not valid SQL for customers: no such column: deleted/,
    );
    const badExpr = structuredClone(plan);
    badExpr.collections.find((c) => c.table === 'customers')!.computed = [{ field: 'x', expression: 'constructor(1)' }];
    const refusedExpr = await run(file, uniqueDbName('rules-expr'), badExpr);
    assert.match(refusedExpr.error?.message ?? '', /computed field "x": unknown function constructor\(\)/);
  });
});

describe('generated $jsonSchema: checked on our side, applied on request', () => {
  const NARROW = `
    CREATE TABLE people (id INTEGER PRIMARY KEY, code VARCHAR(3) NOT NULL, kind TEXT CHECK (kind IN ('a', 'b')));
    INSERT INTO people VALUES (1, 'abc', 'a'), (2, 'x', NULL);
    PRAGMA ignore_check_constraints = ON;
    INSERT INTO people VALUES (3, 'toolong', 'z');`;

  it('validation reports the documents that break the generated schema, without failing the run', async () => {
    const file = makeDb(path.join(tempDir(), 'narrow.db'), NARROW);
    const report = await migrate({
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database: uniqueDbName('schema'),
      ifExists: 'fail',
    });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.collections.find((c) => c.collection === 'people')?.schemaViolations, 1);
    assert.ok(
      report.notes.some((n) =>
        /1 document\(s\) of people do not fit the generated \$jsonSchema .*_id 3: code 7 characters, more than 3; kind "z" is not one of "a", "b", null/.test(
          n,
        ),
      ),
      report.notes.join('\n'),
    );
  });

  it('--apply-schema sets the validator where the server has validators, and otherwise stops before writing', async () => {
    const file = makeDb(path.join(tempDir(), 'narrow.db'), NARROW.replace("'toolong', 'z'", "'ok', 'b'"));
    const database = uniqueDbName('apply');
    const report = await migrate({
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database,
      ifExists: 'fail',
      applySchema: true,
    });
    const infos = await client.db(database).listCollections().toArray();
    if (report.status === 'failed') {
      // FerretDB v1: no validators. Nothing was written, not even the probe.
      assert.equal(report.exitCode, 26);
      assert.match(
        report.error?.message ?? '',
        /--apply-schema needs collection validators, and this server refuses them .*Nothing was written/,
      );
      assert.deepEqual(
        infos.map((c) => c.name).filter((n) => !n.startsWith('_sqlite2mongo_migrations')),
        [],
      );
      assert.equal(await client.db(database).collection('people').countDocuments(), 0);
    } else {
      const people = infos.find((c) => c.name === 'people') as {
        options?: { validator?: { $jsonSchema?: { required?: string[] } } };
      };
      assert.deepEqual(people.options?.validator?.$jsonSchema?.required, ['_id', 'code', 'kind']);
      await assert.rejects(
        client
          .db(database)
          .collection('people')
          .insertOne({ _id: 9 as never, code: 'much too long', kind: 'a' }),
      );
    }
  });
});

describe('text dates in a named time zone', () => {
  it('Europe/Paris across both daylight-saving changes: stored instants equal zoneinfo, and the proof passes', async () => {
    const file = makeDb(
      path.join(tempDir(), 'paris.db'),
      `CREATE TABLE events (id INTEGER PRIMARY KEY, at DATETIME);
       INSERT INTO events VALUES (1, '2024-01-15 12:00:00'), (2, '2024-07-15 12:00:00'), (3, '2024-03-31 02:30:00'), (4, '2024-10-27 02:30:00'), (5, '2024-07-15 12:00:00Z');`,
    );
    const source = await openSqliteSource(file);
    let plan: MappingPlan;
    try {
      plan = defaultPlanFor(source, undefined, { timezone: 'Europe/Paris' }).plan;
    } finally {
      source.close();
    }
    const db = uniqueDbName('paris');
    const report = await run(file, db, plan);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.totals.mismatches, 0);
    const stored = (
      await client
        .db(db)
        .collection('events')
        .find({}, { sort: { _id: 1 } })
        .toArray()
    ).map((d: Document) => (d.at as Date).getTime());
    const expected = pyJson<number[]>(
      `import sqlite3, sys, json
from datetime import datetime, timezone
from zoneinfo import ZoneInfo
rows = sqlite3.connect(sys.argv[1]).execute('SELECT at FROM events ORDER BY id').fetchall()
def instant(t):
    d = datetime.fromisoformat(t.replace('Z', '+00:00'))
    return round((d if d.tzinfo else d.replace(tzinfo=ZoneInfo('Europe/Paris'))).timestamp() * 1000)
print(json.dumps([instant(r[0]) for r in rows]))`,
      file,
    );
    assert.deepEqual(stored, expected);
  });
});

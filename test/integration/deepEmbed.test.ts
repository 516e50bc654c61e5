/**
 * Deep embedding against a real server: three and four levels (customers → orders → lines → product). Documents
 * are read back and compared with what Python's sqlite3 reads; validation proves them independently (an injected
 * converter bug at depth 3 fails it, naming the path); the 16 MiB policy at depth 2; an unchanged sync writes
 * nothing. deepEmbedNorthwind.test.ts: names with spaces, composite keys at depth 3 and 4, junction sub-documents.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Document, MongoClient } from 'mongodb';
import { syncDatabase } from '../../src/core';
import { EmbedFiller, type EmbedNode } from '../../src/core/convert/embedTree';
import type { EmbedPlan } from '../../src/core/plan/types';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { appWrite } from '../helpers/liveDb';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../helpers/shop';
import { f, planWith, readAll, runPlan } from '../helpers/embedPlans';

// 50 customers (46–50 without orders), 200 orders (every 13th without a customer), 0–4 lines each, some lines
// naming a product that does not exist (product: null).
const SHOP = `${SHOP_SCHEMA}
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50)
  INSERT INTO customers SELECT i, 'Customer ' || i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'c' || i || '@example.com' END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
  INSERT INTO products SELECT 'P-' || i, 'Product ' || i, i * 1.25 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200)
  INSERT INTO orders SELECT i, CASE WHEN i % 13 = 0 THEN NULL ELSE (i * 7) % 45 + 1 END,
    '2024-05-' || printf('%02d', i % 28 + 1) || ' 10:00:00', CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200), l(j) AS (VALUES (1), (2), (3), (4))
  INSERT INTO order_lines SELECT i, j, 'P-' || ((i * j) % 23 + 1), i + j FROM n, l WHERE j <= i % 5;
`;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

function shopEmbeds(): EmbedPlan[] {
  const product: EmbedPlan = {
    field: 'product',
    kind: 'document',
    table: 'products',
    parentColumns: ['sku'],
    childColumns: ['sku'],
    fields: [f('title'), f('price')],
  };
  const lines: EmbedPlan = {
    field: 'lines',
    kind: 'array',
    table: 'order_lines',
    parentColumns: ['id'],
    childColumns: ['order_id'],
    fields: [f('line_no'), f('sku'), f('qty')],
    embeds: [product],
  };
  return [
    {
      field: 'orders',
      kind: 'array',
      table: 'orders',
      parentColumns: ['id'],
      childColumns: ['customer_id'],
      fields: [f('id'), f('placed_at', 'date'), f('note')],
      embeds: [lines],
    },
  ];
}

describe('deep embedding: any depth, built by ordered passes and proven independently', () => {
  it('customers → orders → lines → product: documents equal sqlite3, validation clean, every row accounted', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await planWith(file, 'customers', shopEmbeds(), ['orders', 'order_lines']);
    const database = uniqueDbName('deep');
    const report = await runPlan(file, database, plan);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error) + JSON.stringify(report.mismatches[0]));
    assert.equal(report.totals.mismatches, 0);
    const expected = pyJson(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
q = lambda sql, *a: con.execute(sql, a).fetchall()
iso = lambda t: t.replace(' ', 'T') + '.000Z'
def product(sku):
    r = q('SELECT title, price FROM products WHERE sku = ?', sku)
    return {'title': r[0][0], 'price': r[0][1]} if r else None
def lines(order):
    return [{'line_no': n, 'sku': s, 'qty': k, 'product': product(s)} for n, s, k in q('SELECT line_no, sku, qty FROM order_lines WHERE order_id = ? ORDER BY line_no', order)]
def orders(customer):
    return [{'id': i, 'placed_at': iso(p), 'note': n, 'lines': lines(i)} for i, p, n in q('SELECT id, placed_at, note FROM orders WHERE customer_id = ? ORDER BY id', customer)]
print(json.dumps([{'_id': i, 'name': n, 'email': e, 'orders': orders(i)} for i, n, e in q('SELECT id, name, email FROM customers ORDER BY id')]))`,
      file,
    );
    assert.deepEqual(await readAll(client, database, 'customers'), expected);
    const account = (t: string) => report.accounting?.find((a) => a.table === t);
    const [orphanOrders, placedLines] = pyJson<[number, number]>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps([con.execute('SELECT count(*) FROM orders WHERE customer_id IS NULL').fetchone()[0],
  con.execute('SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE o.customer_id IS NOT NULL').fetchone()[0]]))`,
      file,
    );
    assert.deepEqual([account('orders')?.folded, account('orders')?.skipped], [200 - orphanOrders, orphanOrders]);
    assert.equal(account('order_lines')?.folded, placedLines, 'lines folded at depth 2');
    assert.match(account('order_lines')?.reasons.join(' ') ?? '', /not embedded in customers\.orders\.lines/);
    for (const a of report.accounting ?? []) assert.equal(a.unaccounted, 0, a.table);

    // An unchanged rerun compares and writes nothing.
    const again = await runPlan(file, database, plan, { ifExists: 'upsert' });
    assert.equal(again.status, 'succeeded', JSON.stringify(again.error));
    assert.equal(again.totals.imported, 0, 'an unchanged rerun writes nothing');
    assert.equal(again.totals.unchanged, again.totals.exported);
  });

  it('a converter bug at depth 3 fails validation (exit 41) with the path of the changed value', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await planWith(file, 'customers', shopEmbeds(), ['orders', 'order_lines']);
    const proto = EmbedFiller.prototype as unknown as {
      convert: (target: Document, n: EmbedNode, ...r: unknown[]) => void;
    };
    const original = proto.convert;
    // The injected bug: one product title swapped while building; validation never calls the converter.
    proto.convert = function (this: unknown, target: Document, n: EmbedNode, ...rest: unknown[]) {
      original.call(this, target, n, ...rest);
      if (n.path === 'orders.lines.product' && target.title === 'Product 3') target.title = 'Product 4';
    };
    let report;
    try {
      report = await runPlan(file, uniqueDbName('deepbug'), plan);
    } finally {
      proto.convert = original;
    }
    assert.equal(report.exitCode, 41, JSON.stringify(report.error));
    assert.ok(report.mismatches.length > 0);
    for (const m of report.mismatches) {
      assert.match(m.path, /^orders\.\d+\.lines\.\d+\.product\.title$/);
      assert.equal(`${m.expected} ${m.actual}`, 'text "Product 3" "Product 4"');
    }
  });

  it('the 16 MiB policy at depth 2: reference keeps the nested child keys of that document only; fail refuses it', async function () {
    this.timeout(180_000);
    const file = makeDb(
      path.join(tempDir(), 'big.db'),
      `CREATE TABLE galleries (id INTEGER PRIMARY KEY, name TEXT);
       CREATE TABLE albums (id INTEGER PRIMARY KEY, gallery_id INTEGER REFERENCES galleries(id), title TEXT);
       CREATE TABLE photos (id INTEGER PRIMARY KEY, album_id INTEGER REFERENCES albums(id), data BLOB);
       INSERT INTO galleries VALUES (1, 'small'), (2, 'huge');
       INSERT INTO albums VALUES (10, 1, 'a'), (20, 2, 'b'), (21, 2, 'c');
       INSERT INTO photos VALUES (1, 10, x'0102'), (2, 21, x'03');
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
       INSERT INTO photos SELECT 100 + i, 20, zeroblob(2000000) FROM n;`,
    );
    const embeds = (onTooLarge: 'fail' | 'reference'): EmbedPlan[] => [
      {
        field: 'albums',
        kind: 'array',
        table: 'albums',
        parentColumns: ['id'],
        childColumns: ['gallery_id'],
        fields: [f('title')],
        embeds: [
          {
            field: 'photos',
            kind: 'array',
            table: 'photos',
            parentColumns: ['id'],
            childColumns: ['album_id'],
            fields: [f('data')],
            onTooLarge,
          },
        ],
      },
    ];
    const failing = await planWith(file, 'galleries', embeds('fail'), ['albums', 'photos']);
    const failed = await runPlan(file, uniqueDbName('deephuge'), failing, { onError: 'skip' });
    assert.equal(failed.exitCode, 40, JSON.stringify(failed.error));
    assert.deepEqual(
      failed.errors.map((e) => [e.collection, e.key]),
      [['galleries', '2']],
    );

    const plan = await planWith(file, 'galleries', embeds('reference'), ['albums', 'photos']);
    const database = uniqueDbName('deepref');
    const report = await runPlan(file, database, plan);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error) + JSON.stringify(report.mismatches[0]));
    assert.equal(report.totals.mismatches, 0);
    assert.equal(report.warnings.byKind['embed-too-large'], 1);
    const galleries = await client.db(database).collection('galleries').find().sort({ _id: 1 }).toArray();
    assert.deepEqual(galleries[0].albums[0].photos[0].data.buffer, Buffer.from([1, 2]), 'the small gallery embeds');
    assert.deepEqual(
      galleries[1].albums.map((a: Document) => a.photos),
      [[101, 102, 103, 104, 105, 106, 107, 108, 109], [2]],
      'the huge gallery references the photos of each album',
    );
    for (const a of report.accounting ?? []) assert.equal(a.unaccounted, 0, a.table);
  });

  it('sync: an unchanged file writes nothing; a product renamed at depth 3 replaces exactly the customers that hold it', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await planWith(file, 'customers', shopEmbeds(), ['orders', 'order_lines']);
    const database = uniqueDbName('deepsync');
    assert.equal((await runPlan(file, database, plan)).status, 'succeeded');
    const sync = () => syncDatabase({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, validate: true });
    const idle = await sync();
    assert.equal(idle.status, 'unchanged', JSON.stringify(idle.error));

    appWrite(file, `UPDATE products SET title = 'Renamed' WHERE sku = 'P-3'`);
    const holders = pyJson<number>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps(con.execute("SELECT count(DISTINCT o.customer_id) FROM order_lines l JOIN orders o ON o.id = l.order_id WHERE l.sku = 'P-3' AND o.customer_id IS NOT NULL").fetchone()[0]))`,
      file,
    );
    assert.ok(holders > 0);
    const changed = await sync();
    assert.equal(changed.status, 'synced', JSON.stringify(changed.error));
    assert.deepEqual(changed.changedTables, ['products']);
    const customers = changed.collections.find((c) => c.collection === 'customers');
    assert.deepEqual(
      [customers?.replaced, customers?.inserted, customers?.deleted, customers?.mismatches],
      [holders, 0, 0, 0],
    );
    assert.equal(customers?.unchanged, 50 - holders);
    const renamed = await client
      .db(database)
      .collection('customers')
      .countDocuments({ 'orders.lines.product.title': 'Renamed' });
    assert.equal(renamed, holders);
  });
});

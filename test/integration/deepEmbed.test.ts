/**
 * Deep embedding against a real server: three and four levels (customers → orders → lines → product), a
 * Northwind-like schema (names with spaces, composite keys at depth 3 and 4), and a junction array of sub-documents.
 * Documents are read back and compared with what Python's sqlite3 reads; validation proves them independently (an
 * injected converter bug at depth 3 fails it, naming the path); an unchanged rerun writes nothing.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Document, MongoClient } from 'mongodb';
import { inspectSource, migrate, syncDatabase, type MappingPlan, type MigrateOptions } from '../../src/core';
import { EmbedFiller, type EmbedNode } from '../../src/core/convert/embedTree';
import type { EmbedPlan, FieldPlan, FieldType } from '../../src/core/plan/types';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { appWrite } from '../helpers/liveDb';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../helpers/shop';

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

const NORTHWIND = `
CREATE TABLE "Customers" ("CustomerID" TEXT PRIMARY KEY, "Company Name" TEXT NOT NULL, "Country" TEXT);
CREATE TABLE "Products" ("ProductID" INTEGER PRIMARY KEY, "Product Name" TEXT, "Unit Price" REAL);
CREATE TABLE "Orders" ("OrderID" INTEGER PRIMARY KEY, "CustomerID" TEXT REFERENCES "Customers", "Order Date" TEXT);
CREATE TABLE "Order Details" ("OrderID" INTEGER REFERENCES "Orders", "ProductID" INTEGER REFERENCES "Products",
  "Unit Price" REAL, "Quantity" INTEGER, PRIMARY KEY ("OrderID", "ProductID"));
CREATE TABLE "Order Detail Notes" ("OrderID" INTEGER, "ProductID" INTEGER, "Seq" INTEGER, "Text" TEXT,
  PRIMARY KEY ("OrderID", "ProductID", "Seq"), FOREIGN KEY ("OrderID", "ProductID") REFERENCES "Order Details");
CREATE TABLE "Employees" ("EmployeeID" INTEGER PRIMARY KEY, "Last Name" TEXT);
CREATE TABLE "Territories" ("TerritoryID" TEXT PRIMARY KEY, "Territory Description" TEXT);
CREATE TABLE "Employee Territories" ("EmployeeID" INTEGER REFERENCES "Employees", "TerritoryID" TEXT REFERENCES "Territories",
  PRIMARY KEY ("EmployeeID", "TerritoryID"));
INSERT INTO "Customers" VALUES ('ALFKI', 'Alfreds Futterkiste', 'Germany'), ('ANATR', 'Ana Trujillo', 'Mexico'), ('BONAP', 'Bon app''', NULL);
INSERT INTO "Products" VALUES (1, 'Chai', 18.0), (2, 'Chang', 19.0), (3, 'Aniseed Syrup', 10.0);
INSERT INTO "Orders" VALUES (10248, 'ALFKI', '1996-07-04'), (10249, 'ALFKI', '1996-07-05'), (10250, 'ANATR', '1996-07-08'), (10251, NULL, '1996-07-08');
INSERT INTO "Order Details" VALUES (10248, 1, 14.0, 12), (10248, 3, 9.8, 10), (10249, 2, 18.6, 9), (10250, 1, 7.7, 10), (10250, 9, 42.4, 35), (10251, 2, 1.0, 1);
INSERT INTO "Order Detail Notes" VALUES (10248, 3, 2, 'second'), (10248, 3, 1, 'first'), (10250, 9, 1, 'discontinued');
INSERT INTO "Employees" VALUES (1, 'Davolio'), (2, 'Fuller'), (3, 'Leverling');
INSERT INTO "Territories" VALUES ('01581', 'Westboro'), ('01730', 'Bedford'), ('02116', 'Boston');
INSERT INTO "Employee Territories" VALUES (1, '02116'), (1, '01581'), (2, '01730'), (2, '99999');
`;

const f = (column: string, type: FieldType = 'auto', field = column): FieldPlan => ({ column, field, type });

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

/** The default plan with `embeds` put into `into`'s collection; the embedded tables' own collections removed. */
async function planWith(file: string, into: string, embeds: EmbedPlan[], folded: string[]): Promise<MappingPlan> {
  const { plan } = await inspectSource(file);
  plan.collections.find((c) => c.table === into)!.embeds = embeds;
  plan.collections = plan.collections.filter((c) => !folded.includes(c.table));
  plan.skipped.push(...folded.map((table) => ({ table, reason: `embedded in ${into}` })));
  return plan;
}

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

/** A document as JSON: Dates as ISO text (what the Python oracle writes). */
function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

async function readAll(database: string, collection: string): Promise<unknown[]> {
  const docs = await client.db(database).collection(collection).find().sort({ _id: 1 }).toArray();
  return docs.map(plain);
}

const run = (sqlitePath: string, database: string, plan: MappingPlan, extra: Partial<MigrateOptions> = {}) =>
  migrate({ sqlitePath, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail', ...extra });

describe('deep embedding: any depth, built by ordered passes and proven independently', () => {
  it('customers → orders → lines → product: documents equal sqlite3, validation clean, every row accounted', async () => {
    const file = makeDb(path.join(tempDir(), 'shop.db'), SHOP);
    const plan = await planWith(file, 'customers', shopEmbeds(), ['orders', 'order_lines']);
    const database = uniqueDbName('deep');
    const report = await run(file, database, plan);
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
    assert.deepEqual(await readAll(database, 'customers'), expected);
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
    const again = await run(file, database, plan, { ifExists: 'upsert' });
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
      report = await run(file, uniqueDbName('deepbug'), plan);
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

  it('Northwind-like: names with spaces, composite keys at depth 3 and 4, a junction array of sub-documents', async () => {
    const file = makeDb(path.join(tempDir(), 'northwind.db'), NORTHWIND);
    const details: EmbedPlan = {
      field: 'details',
      kind: 'array',
      table: 'Order Details',
      parentColumns: ['OrderID'],
      childColumns: ['OrderID'],
      fields: [f('ProductID'), f('Unit Price'), f('Quantity')],
      embeds: [
        {
          field: 'product',
          kind: 'document',
          table: 'Products',
          parentColumns: ['ProductID'],
          childColumns: ['ProductID'],
          fields: [f('Product Name', 'auto', 'name')],
        },
        {
          field: 'notes',
          kind: 'array',
          table: 'Order Detail Notes',
          parentColumns: ['OrderID', 'ProductID'],
          childColumns: ['OrderID', 'ProductID'],
          fields: [f('Seq'), f('Text')],
        },
      ],
    };
    const orders: EmbedPlan = {
      field: 'orders',
      kind: 'array',
      table: 'Orders',
      parentColumns: ['CustomerID'],
      childColumns: ['CustomerID'],
      fields: [f('OrderID'), f('Order Date')],
      embeds: [details],
    };
    const plan = await planWith(file, 'Customers', [orders], ['Orders', 'Order Details', 'Order Detail Notes']);
    const employees = plan.collections.find((c) => c.table === 'Employees')!;
    employees.arrays = [
      {
        field: 'territories',
        junctionTable: 'Employee Territories',
        ownerColumn: 'EmployeeID',
        valueColumn: 'TerritoryID',
        ownerKeyColumn: 'EmployeeID',
        valueDocument: {
          table: 'Territories',
          keyColumn: 'TerritoryID',
          fields: [f('TerritoryID', 'auto', '_id'), f('Territory Description', 'auto', 'name')],
        },
      },
    ];
    plan.collections = plan.collections.filter((c) => c.table !== 'Employee Territories');
    plan.skipped.push({ table: 'Employee Territories', reason: 'folded into Employees' });
    const database = uniqueDbName('northwind');
    const report = await run(file, database, plan);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error) + JSON.stringify(report.mismatches[0]));
    assert.equal(report.totals.mismatches, 0);
    assert.equal(report.warnings.byKind['dangling-reference'], 1, 'territory 99999 does not exist: kept as its id');
    const collection = (t: string) => plan.collections.find((c) => c.table === t)!.collection;
    const expected = pyJson<{ customers: unknown; employees: unknown }>(
      `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
q = lambda sql, *a: con.execute(sql, a).fetchall()
def product(p):
    r = q('SELECT "Product Name" FROM "Products" WHERE "ProductID" = ?', p)
    return {'name': r[0][0]} if r else None
def notes(o, p):
    return [{'Seq': s, 'Text': t} for s, t in q('SELECT "Seq", "Text" FROM "Order Detail Notes" WHERE "OrderID" = ? AND "ProductID" = ? ORDER BY "Seq"', o, p)]
def details(o):
    return [{'ProductID': p, 'Unit Price': u, 'Quantity': n, 'product': product(p), 'notes': notes(o, p)}
            for p, u, n in q('SELECT "ProductID", "Unit Price", "Quantity" FROM "Order Details" WHERE "OrderID" = ? ORDER BY "ProductID"', o)]
def orders(c):
    return [{'OrderID': o, 'Order Date': d, 'details': details(o)} for o, d in q('SELECT "OrderID", "Order Date" FROM "Orders" WHERE "CustomerID" = ? ORDER BY "OrderID"', c)]
def territory(t):
    r = q('SELECT "TerritoryID", "Territory Description" FROM "Territories" WHERE "TerritoryID" = ?', t)
    return {'_id': r[0][0], 'name': r[0][1]} if r else t
print(json.dumps({
  'customers': [{'_id': c, 'Company Name': n, 'Country': k, 'orders': orders(c)} for c, n, k in q('SELECT * FROM "Customers" ORDER BY 1')],
  'employees': [{'_id': e, 'Last Name': n, 'territories': [territory(t) for (t,) in q('SELECT "TerritoryID" FROM "Employee Territories" WHERE "EmployeeID" = ? ORDER BY 1', e)]}
                for e, n in q('SELECT * FROM "Employees" ORDER BY 1')]}))`,
      file,
    );
    assert.deepEqual(await readAll(database, collection('Customers')), expected.customers);
    assert.deepEqual(await readAll(database, collection('Employees')), expected.employees);
    for (const a of report.accounting ?? []) assert.equal(a.unaccounted, 0, `${a.table}: ${JSON.stringify(a)}`);
    assert.equal(report.accounting?.find((a) => a.table === 'Order Detail Notes')?.folded, 3, 'depth-3 notes folded');

    // A changed territory name (a table the employees' documents read) is a mismatch at its path.
    await client
      .db(database)
      .collection(collection('Employees'))
      .updateOne({ _id: 1 as never }, { $set: { 'territories.0.name': 'Boston' } });
    const check = await run(file, database, plan, { steps: ['validate'] });
    assert.equal(check.exitCode, 41);
    assert.deepEqual(
      check.mismatches.map((m) => `${m.id} ${m.path} ${m.expected} ${m.actual}`),
      ['1 territories.0.name text "Westboro" "Boston"'],
    );
    const again = await run(file, database, plan, { ifExists: 'upsert' });
    assert.equal(again.totals.imported, 1, 'the rerun repairs only the changed document');
    const clean = await run(file, database, plan, { ifExists: 'upsert' });
    assert.equal(clean.totals.imported, 0, 'an unchanged rerun writes nothing');
    assert.equal(clean.totals.mismatches, 0);
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
    const failed = await run(file, uniqueDbName('deephuge'), failing, { onError: 'skip' });
    assert.equal(failed.exitCode, 40, JSON.stringify(failed.error));
    assert.deepEqual(
      failed.errors.map((e) => [e.collection, e.key]),
      [['galleries', '2']],
    );

    const plan = await planWith(file, 'galleries', embeds('reference'), ['albums', 'photos']);
    const database = uniqueDbName('deepref');
    const report = await run(file, database, plan);
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
    assert.equal((await run(file, database, plan)).status, 'succeeded');
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

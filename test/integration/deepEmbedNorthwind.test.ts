/**
 * Deep embedding against a real server on a Northwind-like schema: names with spaces, composite keys at depth 3 and
 * 4, and a junction array of sub-documents; documents compared with what Python's sqlite3 reads.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import type { EmbedPlan } from '../../src/core/plan/types';
import { uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../helpers/sqliteBuilders';
import { f, planWith, readAll, runPlan } from '../helpers/embedPlans';

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

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('deep embedding: a Northwind-like schema', () => {
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
    const report = await runPlan(file, database, plan);
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
    assert.deepEqual(await readAll(client, database, collection('Customers')), expected.customers);
    assert.deepEqual(await readAll(client, database, collection('Employees')), expected.employees);
    for (const a of report.accounting ?? []) assert.equal(a.unaccounted, 0, `${a.table}: ${JSON.stringify(a)}`);
    assert.equal(report.accounting?.find((a) => a.table === 'Order Detail Notes')?.folded, 3, 'depth-3 notes folded');

    // A changed territory name (a table the employees' documents read) is a mismatch at its path.
    await client
      .db(database)
      .collection(collection('Employees'))
      .updateOne({ _id: 1 as never }, { $set: { 'territories.0.name': 'Boston' } });
    const check = await runPlan(file, database, plan, { steps: ['validate'] });
    assert.equal(check.exitCode, 41);
    assert.deepEqual(
      check.mismatches.map((m) => `${m.id} ${m.path} ${m.expected} ${m.actual}`),
      ['1 territories.0.name text "Westboro" "Boston"'],
    );
    const again = await runPlan(file, database, plan, { ifExists: 'upsert' });
    assert.equal(again.totals.imported, 1, 'the rerun repairs only the changed document');
    const clean = await runPlan(file, database, plan, { ifExists: 'upsert' });
    assert.equal(clean.totals.imported, 0, 'an unchanged rerun writes nothing');
    assert.equal(clean.totals.mismatches, 0);
  });
});

/** The mapping designer's rules in the engine: embedded arrays and documents, read back and validated. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Binary, MongoClient } from 'mongodb';
import { applyEmbed, inspectSource, migrate, type MappingPlan } from '../../src/core';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../helpers/shop';

const SHOP = `${SHOP_SCHEMA}
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 2, '2024-05-02 11:30:00', NULL), (12, NULL, '2024-05-03 09:15:00', 'walk-in'),
  (13, 1, '2024-05-04 08:00:00', 'no lines');
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3), (12, 2, 'A-1', 2), (12, 1, 'B-2', 5);
`;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

async function shopPlan(file: string): Promise<MappingPlan> {
  const { plan, schema } = await inspectSource(file);
  const withLines = applyEmbed(plan, schema, { into: 'orders', table: 'order_lines', kind: 'array', field: 'lines' });
  return applyEmbed(withLines, schema, { into: 'orders', table: 'customers', kind: 'document', field: 'customer' });
}

describe('embedding: orders with their lines and customer', () => {
  it('embeds order lines as an array and the customer as a sub-document; validates with zero mismatches', async () => {
    const file = path.join(tempDir(), 'shop.db');
    makeDb(file, SHOP);
    const plan = await shopPlan(file);
    assert.deepEqual(
      plan.collections.map((c) => c.collection).sort(),
      ['customers', 'orders', 'products'],
      'order_lines is no longer its own collection',
    );
    const database = uniqueDbName('shop');
    const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
    assert.equal(
      report.status,
      'succeeded',
      JSON.stringify(report.error) + JSON.stringify(report.mismatches.slice(0, 3)),
    );
    assert.equal(report.totals.mismatches, 0);
    const orders = await client.db(database).collection('orders').find().sort({ _id: 1 }).toArray();
    assert.deepEqual(orders[0], {
      _id: 10,
      customer_id: 1,
      placed_at: new Date('2024-05-01T10:00:00Z'),
      note: 'first',
      customer: { id: 1, name: 'Ada', email: 'ada@example.com' },
      lines: [
        { line_no: 1, sku: 'A-1', qty: 1 },
        { line_no: 2, sku: 'B-2', qty: 40 },
      ],
    });
    assert.deepEqual(
      orders[2].lines,
      [
        { line_no: 1, sku: 'B-2', qty: 5 },
        { line_no: 2, sku: 'A-1', qty: 2 },
      ],
      'lines in key order',
    );
    assert.equal(orders[2].customer, null, 'no customer: null');
    assert.deepEqual(orders[3].lines, [], 'an order without lines has an empty array');
    assert.equal(orders[1].customer.email, null);
  });

  it('validation notices a changed embedded line and names its path', async () => {
    const file = path.join(tempDir(), 'shop2.db');
    makeDb(file, SHOP);
    const plan = await shopPlan(file);
    const database = uniqueDbName('shopv');
    await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
    await client
      .db(database)
      .collection('orders')
      .updateOne({ _id: 10 as never }, { $set: { 'lines.1.qty': 41 } });
    const check = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, steps: ['validate'] });
    assert.equal(check.status, 'failed');
    assert.deepEqual(
      check.mismatches.map((m) => `${m.id} ${m.path} ${m.expected} ${m.actual}`),
      ['10 lines.1.qty integer 40 41'],
    );
  });

  it('merges a looked-up row into the parent fields when asked', async () => {
    const file = path.join(tempDir(), 'shop3.db');
    makeDb(file, SHOP);
    const { plan, schema } = await inspectSource(file);
    const merged = applyEmbed(plan, schema, { into: 'orders', table: 'customers', kind: 'document', merge: true });
    const database = uniqueDbName('shopm');
    const report = await migrate({
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database,
      plan: merged,
      ifExists: 'fail',
    });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const order = await client
      .db(database)
      .collection('orders')
      .findOne({ _id: 11 as never });
    assert.equal(order?.customers_name, 'Grace');
    assert.ok(!('customer' in (order ?? {})));
  });

  it('the 16 MB policy: fail reports the parent row; reference keeps child keys for that document only', async function () {
    this.timeout(180_000);
    const file = path.join(tempDir(), 'big.db');
    makeDb(
      file,
      `CREATE TABLE albums (id INTEGER PRIMARY KEY, title TEXT);
       CREATE TABLE photos (id INTEGER PRIMARY KEY, album_id INTEGER REFERENCES albums(id), data BLOB);
       INSERT INTO albums VALUES (1, 'small'), (2, 'huge');
       INSERT INTO photos VALUES (1, 1, x'0102');
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 9)
       INSERT INTO photos SELECT 100 + i, 2, zeroblob(2000000) FROM n;`,
    );
    const { plan, schema } = await inspectSource(file);
    const failing = applyEmbed(plan, schema, { into: 'albums', table: 'photos', kind: 'array', onTooLarge: 'fail' });
    const failed = await migrate({
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database: uniqueDbName('huge'),
      plan: failing,
      ifExists: 'fail',
      onError: 'skip',
    });
    assert.equal(failed.exitCode, 40, JSON.stringify(failed.error));
    assert.deepEqual(
      failed.errors.map((e) => [e.collection, e.key]),
      [['albums', '2']],
    );
    assert.match(failed.errors[0].reason, /16 MiB/);

    const referencing = applyEmbed(plan, schema, {
      into: 'albums',
      table: 'photos',
      kind: 'array',
      onTooLarge: 'reference',
    });
    const database = uniqueDbName('hugeref');
    const report = await migrate({
      sqlitePath: file,
      mongoUrl: getTestMongoUrl(),
      database,
      plan: referencing,
      ifExists: 'fail',
    });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    assert.equal(report.warnings.byKind['embed-too-large'], 1);
    const albums = await client.db(database).collection('albums').find().sort({ _id: 1 }).toArray();
    assert.ok(albums[0].photos[0].data instanceof Binary, 'the small album embeds its photos');
    assert.deepEqual(albums[1].photos, [101, 102, 103, 104, 105, 106, 107, 108, 109], 'the huge album references them');
  });
});

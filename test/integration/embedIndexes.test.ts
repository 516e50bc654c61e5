/** A designer plan that embeds child rows: the reference inside the embedded array is indexed on the server. */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import { designSource } from '../../src/core/design';
import { migrate } from '../../src/core';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../helpers/shop';

const SHOP = `${SHOP_SCHEMA}
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 1, '2024-05-02 11:30:00', NULL);
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3);
`;

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

describe('indexes on references inside embedded arrays', () => {
  it('order lines embedded by the designer: orders gets a multikey index on order_lines.sku, read back from the server', async () => {
    const file = path.join(tempDir(), 'shop.db');
    makeDb(file, SHOP);
    const { plan } = await designSource({
      file,
      edit: { kind: 'relationship', id: 'order_lines(order_id)->orders', mode: 'array' },
    });
    const database = uniqueDbName('embedix');
    const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const orders = client.db(database).collection('orders');
    const indexes = await orders.indexes();
    const lines = indexes.find((ix) => ix.name === 'order_lines.sku_fk');
    assert.deepEqual(lines?.key, { 'order_lines.sku': 1 }, JSON.stringify(indexes));
    assert.deepEqual(
      report.collections.find((c) => c.collection === 'orders')?.indexes?.map((o) => `${o.name} ${o.status}`),
      ['customer_id_fk created', 'order_lines.sku_fk created'],
    );
    // The index answers "orders containing product B-2" (a multikey match on the embedded lines).
    const withBolt = await orders.find({ 'order_lines.sku': 'B-2' }, { projection: { _id: 1 } }).toArray();
    assert.deepEqual(
      withBolt.map((d) => d._id),
      [10, 11],
    );
  });
});

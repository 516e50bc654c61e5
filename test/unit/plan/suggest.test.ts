/** Relationships SQLite never declared: suggested from names, confirmed by the data, declared in the plan. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { suggestRelationships, withDeclaredRelationships } from '../../../src/core/plan/suggest';
import { listRelationships } from '../../../src/core/plan/relationships';
import { introspect, openSqliteSource } from '../../../src/core/sqlite';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const NO_FOREIGN_KEYS = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE categories (id INTEGER PRIMARY KEY, label TEXT);
CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT, category_id INTEGER);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customerId INTEGER, status_id INTEGER, placed_at TEXT);
CREATE TABLE order_lines (order_id INTEGER, line_no INTEGER, sku TEXT, qty INTEGER, PRIMARY KEY (order_id, line_no));
CREATE TABLE "Artist" ("ArtistId" INTEGER PRIMARY KEY, "Name" TEXT);
CREATE TABLE "Album" ("AlbumId" INTEGER PRIMARY KEY, "ArtistId" INTEGER, "Title" TEXT);
INSERT INTO customers VALUES (1, 'Ada'), (2, 'Grace');
INSERT INTO categories VALUES (1, 'tools');
INSERT INTO products VALUES ('A-1', 'Anvil', 1), ('B-2', 'Bolt', 7);
INSERT INTO orders VALUES (10, 1, 3, '2024-05-01'), (11, 2, 4, '2024-05-02'), (12, NULL, 3, '2024-05-03');
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3), (99, 1, 'A-1', 1);
INSERT INTO "Artist" VALUES (1, 'AC/DC');
INSERT INTO "Album" VALUES (1, 1, 'Back in Black');
`;

describe('suggested relationships', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'nofk.db');
    makeDb(file, NO_FOREIGN_KEYS);
  });
  after(cleanupTempDirs);

  it('suggests customerId → customers, ArtistId → Artist, sku → products; refuses names the data contradicts', async () => {
    const source = await openSqliteSource(file);
    try {
      const got = suggestRelationships(source, introspect(source));
      const summary = got.map(
        (s) => `${s.table}(${s.columns}) → ${s.refTable}(${s.refColumns}) ${s.matched}/${s.checked}`,
      );
      assert.deepEqual(
        summary.sort(),
        [
          'Album(ArtistId) → Artist(ArtistId) 1/1',
          'order_lines(sku) → products(sku) 2/2',
          'orders(customerId) → customers(id) 2/2',
        ].sort(),
      );
      // order_lines.order_id: 2 of 3 distinct values match (a line of order 99 that does not exist) — below 90 %;
      // products.category_id: 1 of 2; orders.status_id: no statuses table.
      assert.ok(got.every((s) => s.share >= 0.9));
      assert.match(
        got.find((s) => s.table === 'orders')!.reason,
        /customerId names customers; 2 of 2 distinct values match customers\.id/,
      );
    } finally {
      source.close();
    }
  });

  it('a declared relationship is a foreign key to the designer and embeds', async () => {
    const source = await openSqliteSource(file);
    try {
      const schema = introspect(source);
      assert.equal(listRelationships(schema).length, 0);
      const declared = withDeclaredRelationships(schema, [
        { table: 'order_lines', columns: ['order_id'], refTable: 'orders', refColumns: ['id'] },
      ]);
      assert.deepEqual(listRelationships(declared), [
        { child: 'order_lines', columns: ['order_id'], parent: 'orders', refColumns: ['id'] },
      ]);
      assert.equal(listRelationships(schema).length, 0, 'the schema itself is not changed');
    } finally {
      source.close();
    }
  });
});

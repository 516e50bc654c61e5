import path from 'node:path';
import { makeDb, tempDir } from './sqliteBuilders';

/** A small shop database (customers, products, orders, order lines with foreign keys) for the embedding tests. */
export const SHOP_SCHEMA = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE);
CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT, price REAL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), placed_at DATETIME, note TEXT);
CREATE TABLE order_lines (order_id INTEGER REFERENCES orders(id), line_no INTEGER, sku TEXT REFERENCES products(sku), qty INTEGER,
  PRIMARY KEY (order_id, line_no));
`;

/** Two customers, two products, two orders with three lines between them: the designer tests' shop rows. */
export const SHOP_ROWS = `
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL);
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 2, '2024-05-02 11:30:00', NULL);
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3);
`;

/** One order without a customer, with one line: what the designer tests start from. */
export const ONE_ORDER = `
INSERT INTO orders VALUES (10, NULL, '2024-05-01 10:00:00', 'first');
INSERT INTO order_lines VALUES (10, 1, 'A-1', 2);`;

/** shop.db in a fresh temp directory (removed by cleanupTempDirs()): the shop schema, then `rows` (SQL). */
export function makeShopDb(dirPrefix: string, rows: string): string {
  return makeDb(path.join(tempDir(dirPrefix), 'shop.db'), `${SHOP_SCHEMA}${rows}`);
}

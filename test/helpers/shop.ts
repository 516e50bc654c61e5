/** A small shop database (customers, products, orders, order lines with foreign keys) for the embedding tests. */
export const SHOP_SCHEMA = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT UNIQUE);
CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT, price REAL);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), placed_at DATETIME, note TEXT);
CREATE TABLE order_lines (order_id INTEGER REFERENCES orders(id), line_no INTEGER, sku TEXT REFERENCES products(sku), qty INTEGER,
  PRIMARY KEY (order_id, line_no));
`;

/**
 * Reruns compare instead of rewriting (--if-exists upsert --sync-deletes): exact counts of unchanged, replaced,
 * inserted and deleted documents for a single-key, a composite-key and an embedded collection, and the final
 * documents equal to the source. Keys chosen to stress the _id order the merge relies on: negative and int64
 * values beyond 2^53, non-ASCII text, composite keys.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { BSON, MongoClient, type Document } from 'mongodb';
import {
  applyEmbed,
  inspectSource,
  migrate,
  type MappingPlan,
  type MigrateOptions,
  type MigrationReport,
} from '../../src/core';
import { compareElements, idElement } from '../../src/core/mongo/idOrder';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { SHOP_SCHEMA } from '../helpers/shop';
import { cleanupTempDirs, py, tempDir } from '../helpers/sqliteBuilders';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

const BIG = ['9007199254740993', '1152921504606846976', '9223372036854775807', '-9223372036854775808'];

function makeSource(): string {
  const file = path.join(tempDir(), 'rerun.db');
  py(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript(sys.argv[2])
ids = list(range(-40, 0)) + list(range(1, 161)) + [${BIG.join(', ')}]
con.executemany('INSERT INTO items VALUES (?, ?, ?)', [(i, f'item {i}', i % 7) for i in ids])
codes = ['A', 'Z', 'a', 'ab', 'abc', 'b', 'z', 'é', 'éa', 'ö', 'Ω', '中', '中文', '😀', 'x y'] + [f'k{i:03}' for i in range(60)]
con.executemany('INSERT INTO tags VALUES (?, ?)', [(c, f'label {c}') for c in codes])
con.executemany('INSERT INTO lines VALUES (?, ?, ?)', [(o, l, o * 10) for o in range(-3, 20) for l in ('a', 'b', 'é', '中')])
con.executemany('INSERT INTO customers VALUES (?, ?, ?)', [(i, f'c{i}', f'c{i}@example.com') for i in range(1, 21)])
con.executemany('INSERT INTO products VALUES (?, ?, ?)', [('P-%d' % i, f'product {i}', i * 1.5) for i in range(1, 6)])
con.executemany('INSERT INTO orders VALUES (?, ?, ?, ?)', [(i, 1 + i % 20, '2024-05-01 10:00:00', f'order {i}') for i in range(1, 101)])
con.executemany('INSERT INTO order_lines VALUES (?, ?, ?, ?)', [(o, n, 'P-%d' % (1 + n % 5), n) for o in range(1, 101) for n in range(1, 1 + o % 4)])
con.commit()`,
    file,
    `${SHOP_SCHEMA}
CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, qty INTEGER);
CREATE TABLE tags (code TEXT PRIMARY KEY, label TEXT);
CREATE TABLE lines (order_id INTEGER, line TEXT, qty INTEGER, PRIMARY KEY (order_id, line));`,
  );
  return file;
}

/** The changes between the first run and the rerun: per collection, what the rerun must find. */
const CHANGES = `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
# items: 5 changed (two of them int64 beyond 2^53), 3 deleted, 4 inserted
con.execute("UPDATE items SET name = 'changed' WHERE id IN (-40, -1, 77, 9007199254740993, -9223372036854775808)")
con.execute('DELETE FROM items WHERE id IN (-20, 5, 1152921504606846976)')
con.executemany('INSERT INTO items VALUES (?, ?, ?)', [(i, 'new', 0) for i in (-1000, 500, 9007199254740995, 2**62)])
# tags: 3 changed, 2 deleted, 3 inserted (non-ASCII in each)
con.execute("UPDATE tags SET label = 'changed' WHERE code IN ('é', '中', 'k010')")
con.execute("DELETE FROM tags WHERE code IN ('Ω', 'a')")
con.executemany('INSERT INTO tags VALUES (?, ?)', [('éé', 'new'), ('😀😀', 'new'), ('0', 'new')])
# lines (composite key): 2 changed, 2 deleted, 3 inserted
con.execute("UPDATE lines SET qty = -1 WHERE (order_id, line) IN ((-3, 'é'), (7, '中'))")
con.execute("DELETE FROM lines WHERE (order_id, line) IN ((-2, 'a'), (19, '中'))")
con.executemany('INSERT INTO lines VALUES (?, ?, ?)', [(-4, 'a', 0), (7, 'c', 0), (99, 'ö', 0)])
# orders (embedded lines and customer): a changed line, a changed customer (embedded in orders 1, 21, 41, 61, 81),
# a deleted order, 2 new orders
con.execute('UPDATE order_lines SET qty = 99 WHERE order_id = 3 AND line_no = 1')
con.execute("UPDATE customers SET name = 'renamed' WHERE id = 2")
con.execute('DELETE FROM order_lines WHERE order_id = 50')
con.execute('DELETE FROM orders WHERE id = 50')
con.executemany('INSERT INTO orders VALUES (?, ?, ?, ?)', [(i, 1, '2024-06-01 10:00:00', 'new') for i in (101, 102)])
con.commit()`;

async function planFor(file: string): Promise<MappingPlan> {
  const { plan, schema } = await inspectSource(file);
  const withLines = applyEmbed(plan, schema, { into: 'orders', table: 'order_lines', kind: 'array', field: 'lines' });
  return applyEmbed(withLines, schema, { into: 'orders', table: 'customers', kind: 'document', field: 'customer' });
}

/** Migrates `file` into `database` on the test server. */
const migrateTo = (
  file: string,
  database: string,
  options: Omit<MigrateOptions, 'sqlitePath' | 'mongoUrl' | 'database'>,
) => migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, ...options });
/** A rerun: changed documents replaced, new ones inserted, those whose rows are gone deleted. */
const RERUN = { ifExists: 'upsert', syncDeletes: true } as const;

function counts(r: MigrationReport, name: string): Record<string, number | undefined> {
  const c = r.collections.find((x) => x.collection === name);
  return { unchanged: c?.unchanged, replaced: c?.replaced, inserted: c?.inserted, deleted: c?.deleted };
}

describe('reruns compare with the target and write only what changed', function () {
  this.timeout(180_000);

  it('upsert + sync-deletes: exact counts for single-key, composite-key and embedded collections; then an unchanged rerun writes nothing', async () => {
    const file = makeSource();
    const plan = await planFor(file);
    const database = uniqueDbName('rerun');
    const first = await migrateTo(file, database, { plan, ifExists: 'fail' });
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error) + JSON.stringify(first.mismatches.slice(0, 3)));
    py(CHANGES, file);

    const rerun = await migrateTo(file, database, { plan, ...RERUN });
    assert.equal(rerun.status, 'succeeded', JSON.stringify(rerun.error) + JSON.stringify(rerun.mismatches.slice(0, 3)));
    assert.deepEqual(counts(rerun, 'items'), { unchanged: 204 - 5 - 3, replaced: 5, inserted: 4, deleted: 3 });
    assert.deepEqual(counts(rerun, 'tags'), { unchanged: 75 - 3 - 2, replaced: 3, inserted: 3, deleted: 2 });
    assert.deepEqual(counts(rerun, 'lines'), { unchanged: 92 - 2 - 2, replaced: 2, inserted: 3, deleted: 2 });
    // orders: order 3 (its line), orders of customer 2 (1, 21, 41, 61, 81 — customer_id = 1 + i % 20), 50 deleted, 101-102 new
    assert.deepEqual(counts(rerun, 'orders'), { unchanged: 100 - 1 - 6, replaced: 6, inserted: 2, deleted: 1 });
    assert.deepEqual(counts(rerun, 'customers'), { unchanged: 19, replaced: 1, inserted: 0, deleted: 0 });
    assert.equal(rerun.totals.mismatches, 0);

    // The final documents: validation from scratch, exact counts and no duplicate _id.
    const check = await migrateTo(file, database, { plan, steps: ['validate'] });
    assert.equal(check.status, 'succeeded', JSON.stringify(check.mismatches.slice(0, 3)));
    const db = client.db(database);
    for (const [name, rows] of Object.entries({ items: 205, tags: 76, lines: 93, orders: 101 })) {
      assert.equal(await db.collection(name).countDocuments(), rows, name);
      assert.equal((await db.collection(name).distinct('_id')).length, rows, `${name}: distinct _ids`);
    }
    const big = await db.collection('items').findOne({ _id: BSON.Long.fromString('9007199254740993') as never });
    assert.equal(big?.name, 'changed', 'the int64 key beyond 2^53 was matched exactly');
    const order3 = await db.collection('orders').findOne({ _id: 3 as never });
    assert.equal(order3?.lines[0].qty, 99);
    assert.equal((await db.collection('orders').findOne({ _id: 21 as never }))?.customer.name, 'renamed');

    const again = await migrateTo(file, database, { plan, ...RERUN });
    assert.equal(again.status, 'succeeded', JSON.stringify(again.error));
    assert.equal(again.totals.imported, 0, 'an unchanged rerun writes nothing');
    assert.equal(again.totals.deleted, 0);
    assert.equal(again.totals.unchanged, again.totals.exported);
  });

  it('stays exact when SQLite orders keys differently from the server (COLLATE NOCASE)', async () => {
    const file = path.join(tempDir(), 'nocase.db');
    const letters = "['a', 'B', 'c', 'D', 'e', 'F', 'g', 'H', 'Zz', 'yY', 'É', 'é1']";
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE codes (code TEXT PRIMARY KEY COLLATE NOCASE, n INTEGER)')
con.executemany('INSERT INTO codes VALUES (?, ?)', [(c, i) for i, c in enumerate(${letters})])
con.commit()`,
      file,
    );
    const database = uniqueDbName('nocase');
    const first = await migrateTo(file, database, { ifExists: 'fail' });
    assert.equal(first.status, 'succeeded', JSON.stringify(first.error));
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE codes SET n = -1 WHERE code IN ('a', 'Zz')")
con.execute("DELETE FROM codes WHERE code IN ('B', 'yY')")
con.execute("INSERT INTO codes VALUES ('AA', 0)")
con.commit()`,
      file,
    );
    const rerun = await migrateTo(file, database, RERUN);
    assert.equal(rerun.status, 'succeeded', JSON.stringify(rerun.error) + JSON.stringify(rerun.mismatches.slice(0, 3)));
    assert.deepEqual(counts(rerun, 'codes'), { unchanged: 8, replaced: 2, inserted: 1, deleted: 2 });
    assert.equal(await client.db(database).collection('codes').countDocuments(), 11);
  });

  it('the server sorts _id exactly as the merge expects (numbers, int64, text, composite keys, ObjectIds)', async () => {
    const coll = client.db(uniqueDbName('idorder')).collection<Document>('ids');
    const { Int32, Long, Double, ObjectId } = BSON;
    const ids: unknown[] = [
      new Int32(-5),
      new Int32(0),
      new Int32(3),
      Long.fromString('-9223372036854775808'),
      Long.fromString('9007199254740993'),
      Long.fromString('9007199254740992'),
      new Double(9007199254740994),
      new Double(-4.5),
      new Double(2.5),
      Long.fromString('2'),
      'A',
      'a',
      'ab',
      'é',
      '中',
      '😀',
      '',
      { k: new Int32(1), l: 'b' },
      { k: new Int32(1), l: 'a' },
      { k: new Int32(-1), l: 'z' },
      new ObjectId('00000000000000000000ffff'),
      new ObjectId('ff0000000000000000000000'),
      new ObjectId('000000000000000000000001'),
    ];
    // Shuffled, deterministically.
    const docs = ids.map((_id, i) => ({ _id, i })).sort((x, y) => ((x.i * 7) % 23) - ((y.i * 7) % 23));
    await coll.insertMany(docs as Document[]);
    const sorted = (await coll.find({}, { raw: true, sort: { _id: 1 } } as never).toArray()) as unknown as Buffer[];
    assert.equal(sorted.length, ids.length);
    for (let i = 1; i < sorted.length; i++) {
      const [a, b] = [idElement(sorted[i - 1]), idElement(sorted[i])];
      assert.equal(
        compareElements(a, b),
        -1,
        `server order at ${i}: ${JSON.stringify(BSON.deserialize(sorted[i - 1])._id)} before ${JSON.stringify(BSON.deserialize(sorted[i])._id)}`,
      );
    }
  });
});

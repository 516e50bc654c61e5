import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  introspect,
  iterateQuery,
  iterateRows,
  keyOrderColumns,
  openSqliteSource,
  type SqliteSource,
  type Statement,
  type TableInfo,
} from '../../../src/core/sqlite';
import { cleanupTempDirs, py, pyJson, tempDir } from '../../helpers/sqliteBuilders';

/** Rows inserted in a shuffled order (fixed seed), so physical insertion order differs from key order. */
const BUILD = `import sqlite3, sys, random, json
rnd = random.Random(7)
con = sqlite3.connect(sys.argv[1])
con.executescript('''
CREATE TABLE plain (v TEXT);
CREATE TABLE ipk (id INTEGER PRIMARY KEY, v TEXT);
CREATE TABLE comp (a INTEGER, b TEXT, v TEXT, PRIMARY KEY (b, a));
CREATE TABLE wr (k TEXT PRIMARY KEY, n INTEGER) WITHOUT ROWID;
CREATE TABLE wr2 (x INTEGER, y INTEGER, PRIMARY KEY (x DESC, y)) WITHOUT ROWID;
CREATE TABLE nullpk (code TEXT PRIMARY KEY, n INTEGER);
CREATE TABLE link (owner INTEGER, dep INTEGER, PRIMARY KEY (owner, dep));
''')
rowids = list(range(1, 301)); rnd.shuffle(rowids)
con.executemany('INSERT INTO plain (rowid, v) VALUES (?, ?)', [(r, 'p%d' % r) for r in rowids])
con.execute('DELETE FROM plain WHERE rowid % 7 = 0')
ids = [2**62, -2**62, 2**53 + 1, 2**53, -1, 0, 1] + list(range(100, 400)); rnd.shuffle(ids)
con.executemany('INSERT INTO ipk VALUES (?, ?)', [(i, 'i%d' % i) for i in ids])
pairs = [(a, b) for a in range(20) for b in ['b', 'A', 'a', 'é', 'z', '']]; rnd.shuffle(pairs)
con.executemany('INSERT INTO comp VALUES (?, ?, ?)', [(a, b, '%s/%d' % (b, a)) for a, b in pairs])
keys = ['apple', 'Apple', 'banana', 'ä', 'Z', '10', '9', '名前', '😀', ''] + ['k%03d' % i for i in range(200)]; rnd.shuffle(keys)
con.executemany('INSERT INTO wr VALUES (?, ?)', [(k, i) for i, k in enumerate(keys)])
xy = [(x, y) for x in range(10) for y in range(5)]; rnd.shuffle(xy)
con.executemany('INSERT INTO wr2 VALUES (?, ?)', xy)
con.executemany('INSERT INTO nullpk VALUES (?, ?)', [(None, 1), ('b', 2), (None, 3), ('a', 4), (None, 5)])
links = [(o, d) for o in range(1, 30) for d in range(1, 4)]; rnd.shuffle(links)
con.executemany('INSERT INTO link VALUES (?, ?)', links)
con.commit()
exp = {}
exp['plain'] = [list(r) for r in con.execute('SELECT rowid, v FROM plain ORDER BY rowid')]
exp['ipk'] = [[str(r[0]), r[1]] for r in con.execute('SELECT id, v FROM ipk ORDER BY id')]
exp['comp'] = [list(r) for r in con.execute('SELECT a, b, v FROM comp ORDER BY b, a')]
exp['wr'] = [list(r) for r in con.execute('SELECT k, n FROM wr ORDER BY k')]
exp['wr2'] = [list(r) for r in con.execute('SELECT x, y FROM wr2 ORDER BY x DESC, y')]
exp['nullpk'] = [list(r) for r in con.execute('SELECT code, n FROM nullpk ORDER BY code, rowid')]
print(json.dumps(exp))`;

describe('sqlite/rows: streaming in key order', () => {
  let src: SqliteSource;
  let tables: Map<string, TableInfo>;
  let exp: Record<string, unknown[][]>;
  const t = (name: string) => tables.get(name) as TableInfo;
  const plainRows = (it: Iterable<unknown[]>) =>
    [...it].map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

  before(async () => {
    const file = path.join(tempDir(), 'order.db');
    exp = pyJson(BUILD, file);
    src = await openSqliteSource(file);
    tables = new Map(introspect(src).tables.map((x) => [x.name, x]));
  });
  after(() => {
    src?.close();
    cleanupTempDirs();
  });

  it('a table without primary key comes back in rowid order (withRowid prepends the rowid)', () => {
    assert.deepEqual(keyOrderColumns(t('plain')), ['rowid']);
    assert.deepEqual(plainRows(iterateRows(src, t('plain'), { withRowid: true })), exp.plain);
    assert.equal(exp.plain.length, 300 - 42);
  });

  it('an INTEGER PRIMARY KEY table comes back in id order, ids exact beyond 2^53', () => {
    const rows = [...iterateRows(src, t('ipk'))].map((r) => [String(r[0]), r[1]]);
    assert.deepEqual(rows, exp.ipk);
    assert.ok(rows.some((r) => r[0] === String(2n ** 53n + 1n)));
  });

  it('a composite primary key orders by the key columns in key order (b, a), BINARY collation', () => {
    assert.deepEqual(keyOrderColumns(t('comp')), ['b', 'a']);
    assert.deepEqual(plainRows(iterateRows(src, t('comp'))), exp.comp);
  });

  it('WITHOUT ROWID tables come back in key order, including a DESC key column', () => {
    assert.deepEqual(plainRows(iterateRows(src, t('wr'))), exp.wr);
    assert.deepEqual(keyOrderColumns(t('wr2')), ['x', 'y']);
    // Key order means the PK columns ascending; the DESC in the declaration only affects storage.
    const rows = plainRows(iterateRows(src, t('wr2'))) as number[][];
    assert.deepEqual(
      rows,
      [...rows].sort((p, q) => p[0] - q[0] || p[1] - q[1]),
    );
    assert.equal(rows.length, 50);
    assert.throws(() => [...iterateRows(src, t('wr'), { withRowid: true })], /no rowid/);
  });

  it('NULLs in a non-INTEGER primary key (legacy SQLite quirk) are ordered first, ties broken by rowid', () => {
    assert.deepEqual(plainRows(iterateRows(src, t('nullpk'))), exp.nullpk);
    assert.deepEqual(
      exp.nullpk.map((r) => r[1]),
      [1, 3, 5, 4, 2],
    );
  });

  it('where + params, with bigint params (small and beyond 2^53)', () => {
    assert.deepEqual(
      plainRows(iterateRows(src, t('ipk'), { columns: ['v'], where: 'id BETWEEN ? AND ?', params: [100n, 102n] })),
      [['i100'], ['i101'], ['i102']],
    );
    assert.deepEqual(
      [...iterateRows(src, t('ipk'), { columns: ['id'], where: 'id = ?', params: [2n ** 62n] })],
      [[2n ** 62n]],
    );
    assert.deepEqual(
      [...iterateRows(src, t('ipk'), { columns: ['id'], where: 'id >= ?', params: [2n ** 53n + 1n] })],
      [[2n ** 53n + 1n], [2n ** 62n]],
    );
    assert.deepEqual([...iterateRows(src, t('wr'), { columns: ['n'], where: 'k = ?', params: ['名前'] })].length, 1);
  });

  it('iterateQuery runs arbitrary SQL (junction rows grouped by owner)', () => {
    const rows = [...iterateQuery(src, 'SELECT owner, dep FROM link WHERE owner <= ? ORDER BY owner, dep', [2n])];
    assert.deepEqual(rows, [
      [1n, 1n],
      [1n, 2n],
      [1n, 3n],
      [2n, 1n],
      [2n, 2n],
      [2n, 3n],
    ]);
  });

  it('the statement is freed when the consumer stops early, finishes, or the query fails', () => {
    const freed: boolean[] = [];
    const original = src.db.prepare.bind(src.db);
    src.db.prepare = ((sql: string) => {
      const stmt: Statement = original(sql);
      const free = stmt.free.bind(stmt);
      const i = freed.push(false) - 1;
      stmt.free = () => {
        freed[i] = true;
        return free();
      };
      return stmt;
    }) as typeof src.db.prepare;
    try {
      for (const _row of iterateRows(src, t('ipk'))) break; // early stop
      assert.ok([...iterateRows(src, t('plain'))].length > 0); // to the end
      const gen = iterateQuery(src, 'SELECT v FROM plain ORDER BY rowid');
      gen.next();
      gen.return(undefined); // abandoned explicitly
      assert.throws(() => [...iterateRows(src, t('ipk'), { where: 'no_such_column = 1' })], /no such column/);
      assert.deepEqual(freed, [true, true, true]); // the failed prepare created no statement
    } finally {
      src.db.prepare = original;
    }
  });

  it('reading is lazy: a table is not materialised before the first row is consumed', () => {
    const gen = iterateRows(src, t('plain'));
    const first = gen.next();
    assert.equal(first.done, false);
    gen.return(undefined);
  });
});

describe('sqlite/rows: a large table streams with bounded memory', () => {
  it('iterates 300,000 rows without holding them', async function () {
    this.timeout(120_000);
    const file = path.join(tempDir(), 'large.db');
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE big (id INTEGER PRIMARY KEY, payload TEXT)')
con.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) INSERT INTO big SELECT i, printf('%0200d', i) FROM n")
con.commit()`,
      file,
    );
    const src = await openSqliteSource(file, { verifyIntegrity: false });
    try {
      const [big] = introspect(src).tables;
      let n = 0;
      let last = 0n;
      const heapBefore = process.memoryUsage().heapUsed;
      for (const row of iterateRows(src, big)) {
        assert.ok((row[0] as bigint) > last);
        last = row[0] as bigint;
        n++;
      }
      assert.equal(n, 300_000);
      // 300k rows × ~200-char strings would be > 60 MB if kept; streaming stays far below.
      assert.ok(process.memoryUsage().heapUsed - heapBefore < 50 * 1024 * 1024);
    } finally {
      src.close();
      cleanupTempDirs();
    }
  });
});

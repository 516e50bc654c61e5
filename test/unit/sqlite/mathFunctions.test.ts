import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { findRelation, introspect, iterateQuery, iterateRows, openSqliteSource } from '../../../src/core/sqlite';
import { cleanupTempDirs, makeDb, pyJson, tempDir } from '../../helpers/sqliteBuilders';

/** Expressions whose results Python's sqlite3 (built with the math functions) gives exactly the same way. */
const EXPRESSIONS = [
  'sqrt(4)', 'sqrt(-1)', 'pi()', 'log(100)', 'log(2, 8)', 'log(1, 8)', 'ln(0)', 'ln(2.5)', 'log2(8)', 'mod(7, 3)',
  'mod(-7.5, 2)', 'mod(1, 0)', 'ceil(1.2)', 'ceil(-1.2)', 'ceil(5)', 'floor(-1.5)', 'trunc(-2.7)',
  'trunc(9007199254740993)', "ceiling('abc')", "sqrt('16')", 'pow(2, 10)', 'power(2, 0.5)', 'atan2(1, 1)',
  'degrees(pi())', 'radians(180)', 'exp(1)', 'acos(2)', 'sin(NULL)', "cos('x')", 'tanh(0.5)', 'typeof(ceil(5))',
  'typeof(ceil(5.5))',
];

/**
 * Exact for everything but transcendental results: V8's Math (fdlibm) and the C library may differ in the last bit
 * (e.g. atan2(2.25, -1.5)), so floats are compared within 4 ulps.
 */
function assertSameResults(actual: unknown[][], expected: unknown[][]): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((row, i) =>
    row.forEach((a, j) => {
      const e = expected[i][j];
      if (typeof a === 'number' && typeof e === 'number' && !Number.isInteger(e)) {
        assert.ok(Math.abs(a - e) <= 4 * Number.EPSILON * Math.max(Math.abs(a), Math.abs(e)), `row ${i} column ${j}: ${a} vs ${e}`);
      } else assert.deepEqual(a, e, `row ${i} column ${j}`);
    }),
  );
}

describe('sqlite: the math functions views and generated columns may use', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  it('give what Python sqlite3 gives, through a view and a generated column', async () => {
    const file = makeDb(
      path.join(dir, 'math.db'),
      `CREATE TABLE pts (id INTEGER PRIMARY KEY, x REAL, y REAL, dist REAL GENERATED ALWAYS AS (sqrt(x * x + y * y)) VIRTUAL);
       INSERT INTO pts (id, x, y) VALUES (1, 3, 4), (2, -1.5, 2.25), (3, NULL, 1);
       CREATE VIEW angles AS SELECT id, degrees(atan2(y, x)) AS deg, round(ln(abs(x) + 1), 12) AS l FROM pts;
       CREATE VIEW calc AS SELECT ${EXPRESSIONS.join(', ')};`,
    );
    const expected = pyJson<unknown[][]>(
      `import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
print(json.dumps([list(r) for r in con.execute('SELECT * FROM calc')] + [list(r) for r in con.execute('SELECT dist FROM pts ORDER BY id')] + [list(r) for r in con.execute('SELECT * FROM angles ORDER BY id')]))`,
      file,
    );
    const src = await openSqliteSource(file);
    try {
      const toJson = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
      const schema = introspect(src);
      const calc = [...iterateQuery(src, 'SELECT * FROM calc')].map((r) => r.map(toJson));
      const pts = schema.tables.find((t) => t.name === 'pts');
      assert.ok(pts);
      const dist = [...iterateRows(src, pts, { columns: ['dist'] })].map((r) => r.map(toJson));
      const angles = [...iterateQuery(src, 'SELECT * FROM angles ORDER BY id')].map((r) => r.map(toJson));
      assert.ok(findRelation(schema, 'angles'));
      assertSameResults([...calc, ...dist, ...angles], expected);
      assert.equal(dist[0][0], 5);
    } finally {
      src.close();
    }
  });

  it('ceil/floor/trunc keep an INTEGER exact beyond 2^53', async () => {
    const file = makeDb(path.join(dir, 'int.db'), 'CREATE TABLE t (id INTEGER PRIMARY KEY);');
    const src = await openSqliteSource(file);
    try {
      assert.deepEqual([...iterateQuery(src, 'SELECT ceil(9223372036854775807), floor(-9223372036854775808), trunc(9007199254740993)')], [[9223372036854775807n, -9223372036854775808n, 9007199254740993n]]);
    } finally {
      src.close();
    }
  });
});

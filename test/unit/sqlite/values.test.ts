import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import {
  introspect,
  iterateRows,
  openSqliteSource,
  type SqliteSource,
  type SqlValue,
  type TableInfo,
} from '../../../src/core/sqlite';
import { InvalidText } from '../../../src/core/sqlite/types';
import { cleanupTempDirs, pyJson, tempDir } from '../../helpers/sqliteBuilders';

/**
 * Python writes every awkward value into a table and reports how it reads each one back, as an exact fingerprint:
 * integers as decimal text, floats as their 8 IEEE-754 bytes (so -0.0 ≠ 0.0), text and blobs as sha256 + length.
 */
const BUILD = `import sqlite3, sys, json, struct, hashlib, os
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE v (id INTEGER PRIMARY KEY, label TEXT NOT NULL, x, r REAL, i INTEGER)')
vals = [
  ('int64 max', 9223372036854775807), ('int64 min', -9223372036854775808),
  ('2^53+1', 2**53 + 1), ('-(2^53+1)', -(2**53 + 1)), ('zero', 0), ('answer', 42),
  ('negative zero', -0.0), ('1e308', 1e308), ('denormal', 5e-324), ('inf', float('inf')), ('-inf', float('-inf')),
  ('pi', 3.141592653589793), ('0.1', 0.1), ('max double', 1.7976931348623157e308),
  ('empty blob', b''), ('all bytes', bytes(range(256))), ('5 MB blob', os.urandom(5 * 1024 * 1024)),
  ('empty text', ''), ('cjk', '漢字かなカナ 한국어 中文'), ('arabic', 'مرحبا بالعالم'), ('hebrew', 'שלום עולם'),
  ('emoji', '👩‍👩‍👧‍👦 🏳️‍🌈 😀'), ('combining', 'e\\u0301 a\\u0308 \\u212b Z\\u0335\\u0321'), ('devanagari', 'नमस्ते'),
  ('thai', 'สวัสดี'), ('nul inside', 'a\\x00b'), ('1 MB text', ('ж漢😀' * 120000)[:400000]), ('null', None),
]
for label, x in vals:
    con.execute('INSERT INTO v (label, x) VALUES (?, ?)', (label, x))
# Affinity conversions done by SQLite itself
con.execute("INSERT INTO v (label, r) VALUES ('real col -0.0', -0.0)")
con.execute("INSERT INTO v (label, r) VALUES ('real col 3', 3)")
con.execute("INSERT INTO v (label, i) VALUES ('int col text 12', '12')")
con.execute("INSERT INTO v (label, i) VALUES ('int col 1.5', 1.5)")
con.execute("INSERT INTO v (label, i) VALUES ('int col 2.0', 2.0)")
con.commit()
def fp(v):
    if v is None: return ['null']
    if isinstance(v, int): return ['int', str(v)]
    if isinstance(v, float): return ['real', struct.pack('>d', v).hex()]
    if isinstance(v, str):
        b = v.encode('utf-8'); return ['text', hashlib.sha256(b).hexdigest(), len(b)]
    return ['blob', hashlib.sha256(v).hexdigest(), len(v)]
out = []
for row in con.execute('SELECT id, label, x, r, i FROM v ORDER BY id'):
    out.append([row[1]] + [fp(v) for v in row[2:]])
print(json.dumps(out))`;

function fingerprint(v: SqlValue): unknown[] {
  if (v === null) return ['null'];
  if (typeof v === 'bigint') return ['int', v.toString()];
  if (typeof v === 'number') {
    const b = Buffer.alloc(8);
    b.writeDoubleBE(v);
    return ['real', b.toString('hex')];
  }
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return ['text', createHash('sha256').update(b).digest('hex'), b.length];
  }
  assert.ok(v instanceof Uint8Array, `unexpected value type ${typeof v}`);
  return ['blob', createHash('sha256').update(v).digest('hex'), v.length];
}

describe('sqlite/rows: values come back exactly as SQLite stores them', () => {
  let src: SqliteSource;
  let table: TableInfo;
  let expected: Array<[string, ...unknown[][]]>;
  let rows: Map<string, SqlValue[]>;

  before(async () => {
    const file = path.join(tempDir(), 'values.db');
    expected = pyJson(BUILD, file);
    src = await openSqliteSource(file);
    table = introspect(src).tables[0];
    rows = new Map(
      [...iterateRows(src, table, { columns: ['label', 'x', 'r', 'i'] })].map((r) => [r[0] as string, r.slice(1)]),
    );
  });
  after(() => {
    src?.close();
    cleanupTempDirs();
  });

  it('every value matches what Python sqlite3 reads back (type and exact bits)', () => {
    assert.equal(rows.size, expected.length);
    for (const [label, ...fps] of expected) {
      const got = rows.get(label);
      assert.ok(got, `row ${label} missing`);
      assert.deepEqual(got.map(fingerprint), fps, `row ${label}`);
    }
  });

  it('int64 extremes and 2^53+1 are exact bigints', () => {
    assert.equal(rows.get('int64 max')?.[0], 9223372036854775807n);
    assert.equal(rows.get('int64 min')?.[0], -9223372036854775808n);
    assert.equal(rows.get('2^53+1')?.[0], 9007199254740993n);
    assert.equal(rows.get('-(2^53+1)')?.[0], -9007199254740993n);
    assert.equal(rows.get('zero')?.[0], 0n);
    assert.equal(typeof rows.get('answer')?.[0], 'bigint');
  });

  it('REAL: -0.0 (untyped column keeps the sign, REAL column stores 0), 1e308, 5e-324, ±Infinity', () => {
    assert.ok(Object.is(rows.get('negative zero')?.[0], -0));
    assert.ok(Object.is(rows.get('real col -0.0')?.[1], 0)); // what Python reads back too (checked above)
    assert.equal(rows.get('1e308')?.[0], 1e308);
    assert.equal(rows.get('denormal')?.[0], 5e-324);
    assert.equal(rows.get('inf')?.[0], Infinity);
    assert.equal(rows.get('-inf')?.[0], -Infinity);
    assert.equal(rows.get('real col 3')?.[1], 3);
    assert.equal(typeof rows.get('real col 3')?.[1], 'number');
    assert.equal(rows.get('int col text 12')?.[2], 12n);
    assert.equal(rows.get('int col 1.5')?.[2], 1.5);
    assert.equal(rows.get('int col 2.0')?.[2], 2n);
  });

  it('BLOB: empty, every byte value, 5 MB', () => {
    const empty = rows.get('empty blob')?.[0];
    assert.ok(empty instanceof Uint8Array);
    assert.equal(empty.length, 0);
    assert.deepEqual(
      [...(rows.get('all bytes')?.[0] as Uint8Array)],
      Array.from({ length: 256 }, (_, i) => i),
    );
    assert.equal((rows.get('5 MB blob')?.[0] as Uint8Array).length, 5 * 1024 * 1024);
  });

  it('TEXT: many scripts, combining marks, emoji, embedded NUL, a large string; NULL is null', () => {
    assert.equal(rows.get('cjk')?.[0], '漢字かなカナ 한국어 中文');
    assert.equal(rows.get('arabic')?.[0], 'مرحبا بالعالم');
    assert.equal(rows.get('emoji')?.[0], '👩‍👩‍👧‍👦 🏳️‍🌈 😀');
    assert.equal(rows.get('combining')?.[0], 'e\u0301 a\u0308 \u212b Z\u0335\u0321');
    assert.equal(rows.get('nul inside')?.[0], 'a\u0000b');
    assert.equal(rows.get('empty text')?.[0], '');
    assert.ok(Buffer.byteLength(rows.get('1 MB text')?.[0] as string) > 1_000_000);
    assert.equal(rows.get('null')?.[0], null);
  });
});

/** TEXT whose bytes are stored by Python as given (CAST of a blob): valid UTF-8, or not. */
const TEXT_BYTES = `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE t (label TEXT PRIMARY KEY, x TEXT)')
cases = {
  'stored U+FFFD': 'a\\ufffdb'.encode(), 'only U+FFFD': '\\ufffd'.encode(), 'ascii': b'plain',
  'latin-1': b'caf\\xe9', 'lone surrogate (CESU)': b'\\xed\\xa0\\x80', 'overlong': b'\\xc0\\xaf',
  'cut sequence': b'ab\\xe2\\x82', 'U+FFFD then a bad byte': 'x\\ufffd'.encode() + b'\\xff',
}
for label, b in cases.items():
    con.execute('INSERT INTO t VALUES (?, CAST(? AS TEXT))', (label, b))
con.commit()
print(json.dumps({k: v.hex() for k, v in cases.items()}))`;

describe('sqlite/statement: TEXT is a string exactly when its bytes are UTF-8', () => {
  let src: SqliteSource;
  let stored: Record<string, string>;
  let rows: Map<string, SqlValue>;

  before(async () => {
    const file = path.join(tempDir(), 'text-bytes.db');
    stored = pyJson(TEXT_BYTES, file);
    src = await openSqliteSource(file);
    const table = introspect(src).tables[0];
    rows = new Map([...iterateRows(src, table)].map((r) => [r[0] as string, r[1]]));
  });
  after(() => {
    src?.close();
    cleanupTempDirs();
  });

  it('valid text, also holding a stored U+FFFD, is a string with the same bytes', () => {
    for (const label of ['stored U+FFFD', 'only U+FFFD', 'ascii']) {
      const v = rows.get(label);
      assert.equal(typeof v, 'string', label);
      assert.equal(Buffer.from(v as string, 'utf8').toString('hex'), stored[label], label);
    }
  });

  it('bytes that are not UTF-8 stay exact as InvalidText, never U+FFFD', () => {
    for (const label of ['latin-1', 'lone surrogate (CESU)', 'overlong', 'cut sequence', 'U+FFFD then a bad byte']) {
      const v = rows.get(label);
      assert.ok(v instanceof InvalidText, `${label}: ${String(v)}`);
      assert.equal(Buffer.from(v.bytes).toString('hex'), stored[label], label);
    }
  });
});

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import {
  introspect,
  iterateRows,
  keyOrderColumns,
  listSkippedTables,
  openSqliteSource,
  quoteIdent,
  rowidAlias,
  type SchemaInfo,
  type SqliteSource,
  type TableInfo,
} from '../../../src/core/sqlite';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const DDL = `
CREATE TABLE "order" ("id" INTEGER PRIMARY KEY, "group" TEXT NOT NULL DEFAULT 'x', "select" REAL DEFAULT (1.5 * 2));
CREATE TABLE "my table" ("first name" TEXT, "quote""d" TEXT, "ünïcødé 名前" TEXT, [bracket col] INT, \`back tick\` BLOB);
CREATE TABLE kv (k TEXT, v BLOB, PRIMARY KEY (k)) WITHOUT ROWID;
CREATE TABLE comp (a INTEGER, b TEXT, c, PRIMARY KEY (b, a));
CREATE TABLE parent (p1 INTEGER, p2 TEXT, PRIMARY KEY (p1, p2));
CREATE TABLE child (
  id INTEGER PRIMARY KEY,
  o INTEGER REFERENCES "order",            -- no column list: means the PK of "order"
  x INTEGER, y TEXT,
  FOREIGN KEY (x, y) REFERENCES PARENT (p1, p2),   -- table name in another case
  FOREIGN KEY (y) REFERENCES "my table" ("first name")
);
CREATE TABLE gchild (g INTEGER, h TEXT, FOREIGN KEY (g, h) REFERENCES parent);  -- composite, implicit PK
CREATE UNIQUE INDEX ix_u ON child (y);
CREATE INDEX ix_comp ON child (x, y DESC);
CREATE INDEX ix_partial ON child (x) WHERE x > 0;
CREATE INDEX ix_expr ON child (lower(y), x);
CREATE TABLE uq (a, b, UNIQUE (a, b));
CREATE TABLE gen (a INTEGER, b INTEGER, s INTEGER GENERATED ALWAYS AS (a + b) STORED, v TEXT GENERATED ALWAYS AS (a || '-' || b) VIRTUAL);
CREATE TABLE st (id INTEGER PRIMARY KEY, n INT NOT NULL) STRICT;
CREATE TABLE wr_st (k TEXT PRIMARY KEY, n INT) STRICT, WITHOUT ROWID;
CREATE TABLE "views and ""quotes"" 😀" (n);
CREATE VIEW v_child AS SELECT id, y AS why FROM child;
CREATE VIEW "broken view" AS SELECT * FROM gone_table;
CREATE VIRTUAL TABLE docs USING fts5(body);
CREATE VIRTUAL TABLE docs4 USING fts4(body);
CREATE TABLE auto (id INTEGER PRIMARY KEY AUTOINCREMENT, t TEXT);
CREATE TABLE rowid_cols (rowid TEXT, oid TEXT, x);
CREATE TABLE all_hidden (rowid, oid, _rowid_);
INSERT INTO "order" VALUES (1, 'a', 2.5), (2, 'b', NULL);
INSERT INTO "my table" VALUES ('Ann', 'q"1', '名前', 7, x'01ff');
INSERT INTO "views and ""quotes"" 😀" VALUES (1), (2), (3);
INSERT INTO gen (a, b) VALUES (1, 2), (10, 20);
INSERT INTO docs (body) VALUES ('hello world');
INSERT INTO auto (t) VALUES ('x');
INSERT INTO rowid_cols VALUES ('r', 'o', 1), ('r2', 'o2', 2);
`;

describe('sqlite/schema: introspect', () => {
  let src: SqliteSource;
  let schema: SchemaInfo;
  const t = (name: string): TableInfo => {
    const found = schema.tables.find((x) => x.name === name);
    assert.ok(found, `table ${name} missing`);
    return found;
  };

  before(async () => {
    const file = makeDb(path.join(tempDir(), 'schema.db'), DDL);
    src = await openSqliteSource(file);
    schema = introspect(src);
  });
  after(() => {
    src?.close();
    cleanupTempDirs();
  });

  it('lists user tables in creation order, without sqlite_* tables, virtual tables or their shadow tables', () => {
    assert.deepEqual(
      schema.tables.map((x) => x.name),
      [
        'order',
        'my table',
        'kv',
        'comp',
        'parent',
        'child',
        'gchild',
        'uq',
        'gen',
        'st',
        'wr_st',
        'views and "quotes" 😀',
        'auto',
        'rowid_cols',
        'all_hidden',
      ],
    );
    const skipped = listSkippedTables(src);
    assert.deepEqual(
      skipped.filter((s) => s.reason === 'virtual').map((s) => [s.name, s.detail]),
      [
        ['docs', 'fts5'],
        ['docs4', 'fts4'],
      ],
    );
    assert.deepEqual(
      skipped
        .filter((s) => s.reason === 'shadow')
        .map((s) => s.name)
        .sort(),
      [
        'docs4_content',
        'docs4_docsize',
        'docs4_segdir',
        'docs4_segments',
        'docs4_stat',
        'docs_config',
        'docs_content',
        'docs_data',
        'docs_docsize',
        'docs_idx',
      ],
    );
  });

  it('columns: declared type, NOT NULL, default SQL, PK ordinal', () => {
    assert.deepEqual(t('order').columns, [
      { name: 'id', declaredType: 'INTEGER', notNull: false, defaultValue: null, pkOrdinal: 1, generated: 'no' },
      { name: 'group', declaredType: 'TEXT', notNull: true, defaultValue: "'x'", pkOrdinal: 0, generated: 'no' },
      { name: 'select', declaredType: 'REAL', notNull: false, defaultValue: '1.5 * 2', pkOrdinal: 0, generated: 'no' },
    ]);
    assert.deepEqual(
      t('my table').columns.map((c) => c.name),
      ['first name', 'quote"d', 'ünïcødé 名前', 'bracket col', 'back tick'],
    );
    assert.equal(t('my table').columns[2].declaredType, 'TEXT');
    assert.equal(t('comp').columns[2].declaredType, '');
  });

  it('primary keys: single, composite in key order (not column order), none', () => {
    assert.deepEqual(t('order').primaryKey, ['id']);
    assert.deepEqual(t('comp').primaryKey, ['b', 'a']);
    assert.deepEqual(
      t('comp').columns.map((c) => c.pkOrdinal),
      [2, 1, 0],
    );
    assert.deepEqual(t('my table').primaryKey, []);
  });

  it('WITHOUT ROWID is detected (also combined with STRICT); rowid tables are not', () => {
    assert.equal(t('kv').withoutRowid, true);
    assert.equal(t('wr_st').withoutRowid, true);
    for (const name of ['order', 'comp', 'st', 'my table', 'auto']) assert.equal(t(name).withoutRowid, false, name);
  });

  it('foreign keys: declaration order, composite, case-folded table name, implicit ref columns = referenced PK', () => {
    assert.deepEqual(t('child').foreignKeys, [
      { columns: ['o'], refTable: 'order', refColumns: ['id'] },
      { columns: ['x', 'y'], refTable: 'parent', refColumns: ['p1', 'p2'] },
      { columns: ['y'], refTable: 'my table', refColumns: ['first name'] },
    ]);
    assert.deepEqual(t('gchild').foreignKeys, [{ columns: ['g', 'h'], refTable: 'parent', refColumns: ['p1', 'p2'] }]);
    assert.deepEqual(t('order').foreignKeys, []);
  });

  it('indexes: unique, composite with DESC, partial, expression terms, UNIQUE and PK constraints', () => {
    assert.deepEqual(t('child').indexes, [
      { name: 'ix_u', unique: true, origin: 'c', partial: false, columns: ['y'], descending: [false] },
      { name: 'ix_comp', unique: false, origin: 'c', partial: false, columns: ['x', 'y'], descending: [false, true] },
      { name: 'ix_partial', unique: false, origin: 'c', partial: true, columns: ['x'], descending: [false] },
      { name: 'ix_expr', unique: false, origin: 'c', partial: false, columns: [null, 'x'], descending: [false, false] },
    ]);
    assert.deepEqual(t('uq').indexes, [
      {
        name: 'sqlite_autoindex_uq_1',
        unique: true,
        origin: 'u',
        partial: false,
        columns: ['a', 'b'],
        descending: [false, false],
      },
    ]);
    assert.deepEqual(
      t('comp').indexes.map((i) => [i.origin, i.columns]),
      [['pk', ['b', 'a']]],
    );
    assert.deepEqual(
      t('kv').indexes.map((i) => [i.origin, i.unique, i.columns]),
      [['pk', true, ['k']]],
    );
    assert.deepEqual(t('order').indexes, []); // INTEGER PRIMARY KEY is the rowid, no index
  });

  it('generated columns are flagged and read as values', () => {
    assert.deepEqual(
      t('gen').columns.map((c) => [c.name, c.generated]),
      [
        ['a', 'no'],
        ['b', 'no'],
        ['s', 'stored'],
        ['v', 'virtual'],
      ],
    );
    assert.deepEqual(
      [...iterateRows(src, t('gen'))],
      [
        [1n, 2n, 3n, '1-2'],
        [10n, 20n, 30n, '10-20'],
      ],
    );
  });

  it('row counts and the CREATE statement', () => {
    assert.equal(t('order').rowCount, 2);
    assert.equal(t('views and "quotes" 😀').rowCount, 3);
    assert.equal(t('child').rowCount, 0);
    assert.equal(t('auto').rowCount, 1);
    assert.match(t('kv').sql, /^CREATE TABLE kv .* WITHOUT ROWID$/);
  });

  it('views with their columns; a broken view is listed without columns', () => {
    assert.deepEqual(
      schema.views.map((v) => [v.name, v.columns.map((c) => c.name)]),
      [
        ['v_child', ['id', 'why']],
        ['broken view', []],
      ],
    );
    assert.match(schema.views[0].sql, /^CREATE VIEW v_child/);
  });

  it('odd identifiers are quoted correctly when reading rows', () => {
    assert.equal(quoteIdent('a"b'), '"a""b"');
    assert.deepEqual(
      [...iterateRows(src, t('my table'))].map((r) => r.map((v) => (v instanceof Uint8Array ? [...v] : v))),
      [['Ann', 'q"1', '名前', 7n, [1, 255]]],
    );
    assert.deepEqual(
      [...iterateRows(src, t('order'), { columns: ['select', 'group'] })],
      [
        [2.5, 'a'],
        [null, 'b'],
      ],
    );
    assert.deepEqual([...iterateRows(src, t('views and "quotes" 😀'))], [[1n], [2n], [3n]]);
  });

  it('rowid alias avoids columns named rowid/oid; all three taken → a clear error', () => {
    assert.equal(rowidAlias(t('rowid_cols')), '_rowid_');
    assert.deepEqual(keyOrderColumns(t('rowid_cols')), ['_rowid_']);
    assert.deepEqual(
      [...iterateRows(src, t('rowid_cols'), { withRowid: true })],
      [
        [1n, 'r', 'o', 1n],
        [2n, 'r2', 'o2', 2n],
      ],
    );
    assert.equal(rowidAlias(t('kv')), undefined);
    assert.throws(() => keyOrderColumns(t('all_hidden')), /rowid, _rowid_ and oid/);
  });
});

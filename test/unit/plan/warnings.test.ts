/** The designer's warnings: plan problems, type overrides that will not hold for the file's values, 16 MiB. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultPlanFor } from '../../../src/core/plan/defaultPlan';
import { applyEmbed } from '../../../src/core/plan/relationships';
import type { MappingPlan } from '../../../src/core/plan/types';
import { planWarnings } from '../../../src/core/plan/warnings';
import { introspect, openSqliteSource, type SqliteSource } from '../../../src/core/sqlite';
import type { SchemaInfo } from '../../../src/core/sqlite/types';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const DB = `
CREATE TABLE products (sku TEXT PRIMARY KEY, title TEXT, price REAL, stock INTEGER, big INTEGER, added TEXT, code TEXT, flag INTEGER);
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5, 3, 1, '2024-05-01', '12', 1), ('B-2', 'Bolt', 2.0, 40, 3000000000, 'soon', '0042', 0),
  ('C-3', 'Cog', 1.25, NULL, NULL, '2024-02-30', 'x9', 2);
CREATE TABLE albums (id INTEGER PRIMARY KEY, title TEXT);
CREATE TABLE photos (id INTEGER PRIMARY KEY, album_id INTEGER REFERENCES albums(id), data BLOB);
INSERT INTO albums VALUES (1, 'small'), (2, 'big');
INSERT INTO photos VALUES (1, 1, x'0102');
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 7)
INSERT INTO photos SELECT 100 + i, 2, zeroblob(2000000) FROM n;
`;

describe('plan warnings', () => {
  let source: SqliteSource;
  let schema: SchemaInfo;
  let plan: MappingPlan;
  before(async () => {
    const file = path.join(tempDir(), 'w.db');
    makeDb(file, DB);
    source = await openSqliteSource(file);
    schema = introspect(source);
    plan = defaultPlanFor(source, schema).plan;
  });
  after(() => {
    source?.close();
    cleanupTempDirs();
  });

  const withType = (
    column: string,
    type: MappingPlan['collections'][number]['fields'][number]['type'],
  ): MappingPlan => {
    const next: MappingPlan = JSON.parse(JSON.stringify(plan));
    next.collections.find((c) => c.table === 'products')!.fields.find((f) => f.column === column)!.type = type;
    return next;
  };
  const lossy = (p: MappingPlan) => planWarnings(source, schema, p).filter((w) => w.kind === 'lossy-type');

  it('the default plan has no warnings', () => {
    assert.deepEqual(planWarnings(source, schema, plan), []);
  });

  it('REAL forced to int: values with a fraction cannot become int (a whole 2.0 can)', () => {
    const [w, ...rest] = lossy(withType('price', 'int'));
    assert.equal(rest.length, 0);
    assert.equal(w.collection, 'products');
    assert.equal(w.field, 'price');
    assert.match(
      w.message,
      /^products\.price as int: 2 values cannot become int \(e\.g\. "99\.5"\) and are kept as they are/,
    );
  });

  it('INTEGER beyond int32 forced to int is written as long', () => {
    const [w] = lossy(withType('big', 'int'));
    assert.match(w.message, /values beyond int32 \(e\.g\. 3000000000\) are written as long, not int/);
    assert.deepEqual(lossy(withType('big', 'long')), [], 'long holds it');
    assert.deepEqual(lossy(withType('stock', 'int')), [], 'small integers fit');
  });

  it('TEXT forced to int/long: digits convert, other text does not', () => {
    const [w] = lossy(withType('code', 'long'));
    assert.match(w.message, /1 value cannot become long \(e\.g\. "x9"\) and is kept as it is/);
  });

  it('text forced to date where values do not parse (including impossible days)', () => {
    const [w] = lossy(withType('added', 'date'));
    assert.match(w.message, /^products\.added as date: 2 values cannot become date \(e\.g\. "soon"\)/);
  });

  it('integers other than 0/1 forced to bool', () => {
    assert.match(lossy(withType('flag', 'bool'))[0].message, /1 value cannot become bool \(e\.g\. "2"\)/);
  });

  it('type overrides of embedded fields are checked against the child table', () => {
    const embedded = applyEmbed(plan, schema, { into: 'albums', table: 'photos', kind: 'array' });
    embedded.collections[1].embeds![0].fields.find((f) => f.column === 'data')!.type = 'string';
    const w = planWarnings(source, schema, embedded, { sizeWarningBytes: Infinity });
    assert.deepEqual(
      w.map((x) => [x.kind, x.collection, x.field]),
      [['lossy-type', 'albums', 'photos.data']],
    );
  });

  it('plan problems (a name clash) are errors tied to their collection', () => {
    const clash: MappingPlan = JSON.parse(JSON.stringify(plan));
    clash.collections.find((c) => c.table === 'albums')!.collection = 'products';
    const [w] = planWarnings(source, schema, clash);
    assert.deepEqual([w.kind, w.severity, w.collection], ['problem', 'error', 'products']);
    assert.match(w.message, /collection name used twice/);
  });

  it('an embedded array whose largest parent nears 16 MiB names that parent and the policy', () => {
    const embedded = applyEmbed(plan, schema, {
      into: 'albums',
      table: 'photos',
      kind: 'array',
      onTooLarge: 'reference',
    });
    const [w, ...rest] = planWarnings(source, schema, embedded);
    assert.equal(rest.length, 0);
    assert.deepEqual([w.kind, w.collection, w.field], ['too-large', 'albums', 'photos']);
    assert.match(
      w.message,
      /The largest albums row \(id = 2\) has 7 photos rows with about 13\.4 MiB of data to embed in photos/,
    );
    assert.match(w.message, /keeps references/);
    assert.deepEqual(
      planWarnings(source, schema, embedded, { sizeWarningBytes: 14 * 1024 * 1024 }),
      [],
      'below the threshold: nothing',
    );
  });
});

import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultPlanFor } from '../../../src/core/plan/defaultPlan';
import { openSqliteSource } from '../../../src/core/sqlite';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';
import { buildDefaultPlan } from '../../../src/core/plan/defaults';
import { junctionArrayName } from '../../../src/core/plan/junctions';
import { assignFieldNames, sanitizeFieldName } from '../../../src/core/plan/fieldNames';
import { checkPlan } from '../../../src/core/plan/check';
import type { ColumnInfo, SchemaInfo, TableInfo } from '../../../src/core/sqlite/types';

const col = (name: string, declaredType = 'INTEGER', pkOrdinal = 0): ColumnInfo => ({
  name,
  declaredType,
  notNull: false,
  defaultValue: null,
  pkOrdinal,
  generated: 'no',
});
const table = (t: Partial<TableInfo> & { name: string }): TableInfo => ({
  withoutRowid: false,
  columns: [],
  primaryKey: [],
  foreignKeys: [],
  indexes: [],
  rowCount: 0,
  sql: '',
  ...t,
});

const appSchema: SchemaInfo = {
  tables: [
    table({
      name: 'resources',
      columns: [
        col('id', 'INTEGER', 1),
        col('name', 'VARCHAR(100)'),
        col('description', 'TEXT'),
        col('created_at', 'DATETIME'),
        col('updated_at', 'DATETIME'),
      ],
      primaryKey: ['id'],
      indexes: [
        { name: 'ix_resources_id', unique: false, origin: 'c', partial: false, columns: ['id'], descending: [false] },
        {
          name: 'ix_resources_name',
          unique: false,
          origin: 'c',
          partial: false,
          columns: ['name'],
          descending: [false],
        },
      ],
    }),
    table({
      name: 'resource_dependencies',
      columns: [col('resource_id', 'INTEGER', 1), col('dependency_id', 'INTEGER', 2)],
      primaryKey: ['resource_id', 'dependency_id'],
      foreignKeys: [
        { columns: ['resource_id'], refTable: 'resources', refColumns: ['id'] },
        { columns: ['dependency_id'], refTable: 'resources', refColumns: ['id'] },
      ],
    }),
  ],
  views: [{ name: 'v', columns: [], sql: '' }],
};

describe('default mapping plan', () => {
  it('reference app: one collection, id → _id, dates, dependencies array, indexes on name and dependencies', () => {
    const { plan } = buildDefaultPlan(appSchema);
    assert.equal(plan.collections.length, 1);
    const c = plan.collections[0];
    assert.deepEqual(c.id, { kind: 'column', column: 'id' });
    assert.deepEqual(
      c.fields.map((f) => `${f.field}:${f.type}`),
      ['name:auto', 'description:auto', 'created_at:date', 'updated_at:date'],
    );
    assert.deepEqual(c.arrays, [
      {
        field: 'dependencies',
        junctionTable: 'resource_dependencies',
        ownerColumn: 'resource_id',
        valueColumn: 'dependency_id',
        ownerKeyColumn: 'id',
      },
    ]);
    assert.deepEqual(
      c.indexes.map((ix) => ix.keys),
      [[['name', 1]], [['dependencies', 1]]],
      'ix_resources_id duplicates _id and is skipped',
    );
    assert.deepEqual(
      plan.skipped.map((s) => s.table),
      ['resource_dependencies', 'v'],
    );
    assert.equal(checkPlan(plan, appSchema), plan);
  });

  it('a junction with an extra column stays a collection; composite key → _id sub-document; no key → rowid', () => {
    const schema: SchemaInfo = {
      tables: [
        table({ name: 'a', columns: [col('id', 'INTEGER', 1)], primaryKey: ['id'] }),
        table({ name: 'b', columns: [col('id', 'INTEGER', 1)], primaryKey: ['id'] }),
        table({
          name: 'a_b',
          columns: [col('a_id', 'INTEGER', 1), col('b_id', 'INTEGER', 2), col('weight', 'REAL')],
          primaryKey: ['a_id', 'b_id'],
          foreignKeys: [
            { columns: ['a_id'], refTable: 'a', refColumns: ['id'] },
            { columns: ['b_id'], refTable: 'b', refColumns: ['id'] },
          ],
        }),
        table({ name: 'log', columns: [col('msg', 'TEXT')] }),
      ],
      views: [],
    };
    const { plan } = buildDefaultPlan(schema);
    const ab = plan.collections.find((c) => c.collection === 'a_b');
    assert.deepEqual(ab?.id, { kind: 'composite', columns: ['a_id', 'b_id'] });
    // The _id index covers the whole sub-document only: lookups by one key part need their own index.
    assert.deepEqual(
      ab?.indexes.map((ix) => ix.keys),
      [[['_id.a_id', 1]], [['_id.b_id', 1]]],
    );
    assert.deepEqual(plan.collections.find((c) => c.collection === 'log')?.id, { kind: 'rowid', rowidField: '_rowid' });
  });

  it('names junction arrays after the junction table', () => {
    assert.equal(junctionArrayName('resource_dependencies', 'resources', 'resources'), 'dependencies');
    assert.equal(junctionArrayName('PlaylistTrack', 'Playlist', 'Track'), 'Tracks');
    assert.equal(junctionArrayName('user_roles', 'users', 'roles'), 'roles');
    assert.equal(
      junctionArrayName('tagging', 'posts', 'tags'),
      'tags',
      'no owner prefix: named after the referenced table',
    );
  });

  it('checkPlan lists every problem of a hand-edited plan', () => {
    const { plan } = buildDefaultPlan(appSchema);
    const broken = JSON.parse(JSON.stringify(plan));
    broken.collections[0].fields[0].column = 'nope';
    broken.collections[0].fields[1].type = 'text';
    broken.collections[0].fields[2].field = 'a.b';
    assert.throws(
      () => checkPlan(broken, appSchema),
      (e: Error & { code?: string }) =>
        e.code === 'PLAN_INVALID' && /3 problem/.test(e.message) && /nope/.test(e.message),
    );
  });
});

describe('field-name rule', () => {
  it('replaces dots and a leading $, reserves _id, and de-duplicates', () => {
    assert.equal(sanitizeFieldName('a.b.c'), 'a_b_c');
    assert.equal(sanitizeFieldName('$price'), '_price');
    assert.equal(sanitizeFieldName('mid$dle'), 'mid$dle');
    assert.equal(sanitizeFieldName('_id'), '_id_');
    assert.equal(sanitizeFieldName(''), '_');
    assert.deepEqual(assignFieldNames(['a.b', 'a_b', 'a.b'], ['_id']), ['a_b', 'a_b_2', 'a_b_3']);
  });
});

describe('default plan of a real file', () => {
  after(() => cleanupTempDirs());
  it('lists virtual (FTS) tables and their shadow tables as skipped, instead of leaving them out silently', async () => {
    const file = path.join(tempDir(), 'fts.db');
    makeDb(file, 'CREATE VIRTUAL TABLE docs USING fts5(body); CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);');
    const source = await openSqliteSource(file);
    try {
      const { plan } = defaultPlanFor(source);
      assert.deepEqual(
        plan.collections.map((c) => c.collection),
        ['notes'],
      );
      const skipped = plan.skipped.map((s) => s.table);
      assert.ok(skipped.includes('docs') && skipped.includes('docs_content'), skipped.join(', '));
      assert.match(plan.skipped.find((s) => s.table === 'docs')?.reason ?? '', /virtual table \(fts5\)/);
    } finally {
      source.close();
    }
  });
});

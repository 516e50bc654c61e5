import * as assert from 'node:assert/strict';
import {
  introspect,
  iterateQuery,
  iterateRows,
  openSqliteSource,
  type SchemaInfo,
  type SqliteSource,
} from '../../../src/core/sqlite';
import { pyCounts, pyJson } from '../../helpers/sqliteBuilders';
import { sharedFixturesDir } from '../../helpers/fixtures';

const FIXTURES = sharedFixturesDir();

describe('sqlite: shared fixtures', () => {
  describe('app.db (FastAPI CRUD shape)', () => {
    let src: SqliteSource;
    let schema: SchemaInfo;
    before(async () => {
      src = await openSqliteSource(`${FIXTURES}/app.db`);
      schema = introspect(src);
    });
    after(() => src?.close());

    it('has resources (3 rows) and the resource_dependencies junction (2 rows)', () => {
      assert.deepEqual(
        schema.tables.map((t) => [t.name, t.rowCount]),
        [
          ['resources', 3],
          ['resource_dependencies', 2],
        ],
      );
    });

    it('describes the junction table: composite PK and two FKs to resources(id)', () => {
      const [resources, deps] = schema.tables;
      assert.deepEqual(resources.primaryKey, ['id']);
      assert.deepEqual(
        resources.columns.map((c) => [c.name, c.declaredType, c.notNull]),
        [
          ['id', 'INTEGER', true],
          ['name', 'VARCHAR(100)', true],
          ['description', 'TEXT', false],
          ['created_at', 'DATETIME', false],
          ['updated_at', 'DATETIME', false],
        ],
      );
      assert.deepEqual(resources.indexes.map((i) => [i.name, i.unique, i.columns]).sort(), [
        ['ix_resources_id', false, ['id']],
        ['ix_resources_name', false, ['name']],
      ]);
      assert.deepEqual(deps.primaryKey, ['resource_id', 'dependency_id']);
      assert.deepEqual(deps.foreignKeys, [
        { columns: ['resource_id'], refTable: 'resources', refColumns: ['id'] },
        { columns: ['dependency_id'], refTable: 'resources', refColumns: ['id'] },
      ]);
    });

    it('reads the same rows as Python', () => {
      const expected = pyJson<unknown[][]>(
        `import sqlite3, json
con = sqlite3.connect('file:${FIXTURES}/app.db?mode=ro', uri=True)
print(json.dumps([list(r) for r in con.execute('SELECT id, name, description, created_at, updated_at FROM resources ORDER BY id')]))`,
      );
      const got = [...iterateRows(src, schema.tables[0])].map((r) =>
        r.map((v) => (typeof v === 'bigint' ? Number(v) : v)),
      );
      assert.deepEqual(got, expected);
      const links = [
        ...iterateQuery(
          src,
          'SELECT resource_id, dependency_id FROM resource_dependencies ORDER BY resource_id, dependency_id',
        ),
      ];
      assert.equal(links.length, 2);
    });
  });

  describe('chinook.sqlite', () => {
    it('has 11 tables whose row counts match Python, and every row streams', async () => {
      const file = `${FIXTURES}/chinook.sqlite`;
      const src = await openSqliteSource(file);
      try {
        const schema = introspect(src);
        assert.equal(schema.tables.length, 11);
        const expected = pyCounts(file);
        assert.deepEqual(Object.fromEntries(schema.tables.map((t) => [t.name, t.rowCount])), expected);
        for (const t of schema.tables) {
          let n = 0;
          for (const _row of iterateRows(src, t)) n++;
          assert.equal(n, expected[t.name], t.name);
        }
        const track = schema.tables.find((t) => t.name === 'Track');
        assert.ok(track);
        assert.deepEqual(track.foreignKeys.map((f) => [f.columns, f.refTable, f.refColumns]).sort(), [
          [['AlbumId'], 'Album', ['AlbumId']],
          [['GenreId'], 'Genre', ['GenreId']],
          [['MediaTypeId'], 'MediaType', ['MediaTypeId']],
        ]);
      } finally {
        src.close();
      }
    });
  });
});

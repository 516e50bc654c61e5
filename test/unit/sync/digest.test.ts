import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { digestTables, readSchemaEntries, schemaSignature } from '../../../src/core/sync/digest';
import { readSnapshot, readStateToken } from '../../../src/core/sync/snapshot';
import { cleanupTempDirs, py, pyJson, tempDir } from '../../helpers/sqliteBuilders';

/**
 * A WAL-mode database with a multi-level rowid table, rows whose payload overflows, a WITHOUT ROWID table and a
 * UTF-16 sibling; Python's sqlite3 (its dbstat table) is the oracle for which pages belong to which table.
 */
// Every script ends with os._exit: closing the last connection would checkpoint the WAL into the main file.
const BUILD = `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA page_size=1024')
if len(sys.argv) > 2: con.execute("PRAGMA encoding='UTF-16be'")
con.execute('PRAGMA journal_mode=WAL')
con.execute('PRAGMA wal_autocheckpoint=0')
con.execute('CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT, body BLOB)')
con.execute('CREATE TABLE "odd ""name""" (k TEXT, v INTEGER, PRIMARY KEY (k, v)) WITHOUT ROWID')
con.execute('CREATE TABLE untouched (id INTEGER PRIMARY KEY, t TEXT)')
con.execute('CREATE INDEX parent_name ON parent(name)')
con.execute('CREATE VIEW parent_names AS SELECT name FROM parent')
con.execute('BEGIN')
for i in range(3000):
    con.execute('INSERT INTO parent VALUES (?, ?, ?)', (i, 'name %d' % i, bytes([i % 251]) * (5000 if i % 100 == 0 else 20)))
    con.execute('INSERT INTO "odd ""name""" VALUES (?, ?)', ('k%05d' % i, i))
con.execute('INSERT INTO untouched VALUES (1, ?)', ('x' * 3000,))
con.execute('COMMIT')
os._exit(0)
`;

function dbstatPages(file: string): Record<string, number> {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps(dict(con.execute("SELECT name, count(*) FROM dbstat GROUP BY name").fetchall())))`,
    file,
  );
}

function change(file: string, sql: string): void {
  py(
    `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA wal_autocheckpoint=0')
con.executescript(sys.argv[2])
os._exit(0)`,
    file,
    sql,
  );
}

async function digests(file: string): Promise<Record<string, string>> {
  const snap = await readSnapshot(file);
  const entries = readSchemaEntries(snap.pages);
  return Object.fromEntries(
    digestTables(snap.pages, entries, ['parent', 'odd "name"', 'untouched']).map((d) => [d.table, d.digest]),
  );
}

describe('sync/digest: which tables changed, from pages alone', () => {
  let dir: string;
  before(() => (dir = tempDir('s2m-digest-')));
  after(cleanupTempDirs);

  for (const encoding of ['UTF-8', 'UTF-16be']) {
    it(`reads sqlite_master and walks every page of each table like SQLite's dbstat (${encoding})`, async () => {
      const file = path.join(dir, `schema-${encoding}.db`);
      py(BUILD, file, ...(encoding === 'UTF-8' ? [] : ['utf16']));
      const snap = await readSnapshot(file);
      assert.ok(snap.walFramesApplied > 0, 'the rows must live in the WAL for this test to mean anything');
      const entries = readSchemaEntries(snap.pages);
      const expected = pyJson<Array<[string, string, number, string]>>(
        `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps(con.execute('SELECT type, name, rootpage, sql FROM sqlite_master').fetchall()))`,
        file,
      );
      assert.deepEqual(
        entries.map((e) => [e.type, e.name, e.rootPage, e.sql]),
        expected.map(([t, n, r, s]) => [t, n, r ?? 0, s ?? '']),
      );
      const pages = dbstatPages(file);
      const got = digestTables(snap.pages, entries, ['parent', 'ODD "NAME"', 'untouched', 'parent_names']);
      assert.deepEqual(
        got.map((d) => [d.table, d.pages]),
        [
          ['parent', pages.parent],
          ['odd "name"', pages['odd "name"']],
          ['untouched', pages.untouched],
        ],
      );
      assert.ok(pages.parent > 100, 'parent should span several levels and overflow pages');
    });
  }

  it('changes the digest of exactly the tables whose rows changed, including a change inside an overflow page', async () => {
    const file = path.join(dir, 'changes.db');
    py(BUILD, file);
    const d0 = await digests(file);
    assert.deepEqual(await digests(file), d0, 'same state, same digests');

    // The last bytes of a 5000-byte blob live on an overflow page, not on the leaf.
    change(file, "UPDATE parent SET body = substr(body, 1, 4999) || x'ff' WHERE id = 1500");
    const d1 = await digests(file);
    assert.notEqual(d1.parent, d0.parent);
    assert.equal(d1['odd "name"'], d0['odd "name"']);
    assert.equal(d1.untouched, d0.untouched);

    change(file, `DELETE FROM "odd ""name""" WHERE v = 7`);
    const d2 = await digests(file);
    assert.equal(d2.parent, d1.parent);
    assert.notEqual(d2['odd "name"'], d1['odd "name"']);

    // A checkpoint moves pages from the WAL into the main file: the state token changes, the digests do not.
    const tokenBefore = readStateToken(file);
    change(file, 'PRAGMA wal_checkpoint(TRUNCATE)');
    assert.notEqual(readStateToken(file), tokenBefore);
    assert.deepEqual(await digests(file), d2);
  });

  it('signs the schema of the named tables: a new column changes it, a new index does not', async () => {
    const file = path.join(dir, 'signature.db');
    py(BUILD, file);
    const sig = async () =>
      schemaSignature(readSchemaEntries((await readSnapshot(file)).pages), ['parent', 'untouched']);
    const s0 = await sig();
    change(file, 'CREATE INDEX untouched_t ON untouched(t)');
    assert.equal(await sig(), s0);
    change(file, 'ALTER TABLE parent ADD COLUMN extra TEXT');
    assert.notEqual(await sig(), s0);
  });

  it('keeps the state token while nothing is committed, and changes it with every commit', () => {
    const file = path.join(dir, 'token.db');
    py(BUILD, file);
    const t0 = readStateToken(file);
    assert.equal(readStateToken(file), t0);
    change(file, "UPDATE untouched SET t = 'y' WHERE id = 1");
    const t1 = readStateToken(file);
    assert.notEqual(t1, t0);
    change(file, "UPDATE untouched SET t = 'z' WHERE id = 1");
    assert.notEqual(readStateToken(file), t1);
  });
});

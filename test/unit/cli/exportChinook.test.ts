/**
 * `sqlite2mongo export` of the Chinook sample: every row of all 11 tables reaches the NDJSON file, and every value
 * read back from it equals what Python's sqlite3 module reads from the same file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BSON, Binary, Double, Int32, Long, type Document } from 'mongodb';
import { sharedFixture } from '../../helpers/fixtures';
import { cleanupTempDirs, pyJson, tempDir } from '../../helpers/sqliteBuilders';

const ROOT = path.resolve(__dirname, '../../..');
const CHINOOK = sharedFixture('chinook.sqlite');

interface PyTable {
  columns: string[];
  declared: string[];
  pk: string[];
  rows: Array<Array<null | number | string | { blob: string }>>;
}

/** Python's view of every table: values as sqlite3 returns them (blobs as base64). */
function readWithPython(): Record<string, PyTable> {
  return pyJson(
    `import sqlite3, sys, json, base64
con = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
out = {}
for (name,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"):
    info = con.execute(f'PRAGMA table_info("{name}")').fetchall()
    pk = [r[1] for r in sorted((r for r in info if r[5] > 0), key=lambda r: r[5])]
    rows = [[({'blob': base64.b64encode(v).decode()} if isinstance(v, bytes) else v) for v in row] for row in con.execute(f'SELECT * FROM "{name}"')]
    out[name] = {'columns': [r[1] for r in info], 'declared': [r[2] for r in info], 'pk': pk, 'rows': rows}
print(json.dumps(out))`,
    CHINOOK,
  );
}

/** A BSON value from the file, as the plain value Python would show. */
function plain(v: unknown): unknown {
  if (v instanceof Int32 || v instanceof Double) return v.value;
  if (v instanceof Long) return Number(v.toBigInt());
  if (v instanceof Date)
    return v
      .toISOString()
      .replace('T', ' ')
      .replace(/\.000Z$/, '');
  if (v instanceof Binary) return { blob: Buffer.from(v.buffer).toString('base64') };
  return v;
}

describe('export of chinook.sqlite', () => {
  after(() => cleanupTempDirs());

  it('writes every row of all 11 tables, each value equal to what Python reads', function () {
    this.timeout(120_000);
    const out = path.join(tempDir(), 'chinook.ndjson');
    execFileSync(
      process.execPath,
      [path.join(ROOT, 'dist/cli.js'), 'export', '--sqlite-url', CHINOOK, '--output-file', out],
      { encoding: 'utf8' },
    );
    const lines = fs.readFileSync(out, 'utf8').trim().split('\n');
    const header = JSON.parse(lines[0]);
    const trailer = JSON.parse(lines[lines.length - 1]);
    assert.equal(header.schema.tables.length, 11);
    const docs = new Map<string, Map<string, Document>>();
    for (const line of lines.slice(1, -1)) {
      const row = BSON.EJSON.parse(line, { relaxed: false }) as { collection: string; doc: Document };
      if (!docs.has(row.collection)) docs.set(row.collection, new Map());
      docs.get(row.collection)!.set(JSON.stringify(plain(row.doc._id)), row.doc);
    }
    const python = readWithPython();
    assert.equal(Object.keys(python).length, 11);
    let compared = 0;
    for (const [table, t] of Object.entries(python)) {
      if (table === 'PlaylistTrack') {
        // The junction table is folded into Playlist.Tracks: each link is one array element.
        const playlists = docs.get('Playlist')!;
        const links = t.rows.map(([playlist, track]) => `${playlist}:${track}`).sort();
        const fromFile = [...playlists.values()]
          .flatMap((d) => (d.Tracks as unknown[]).map((track) => `${plain(d._id)}:${plain(track)}`))
          .sort();
        assert.deepEqual(fromFile, links);
        compared += links.length;
        continue;
      }
      const collection = docs.get(table);
      assert.ok(collection, `collection ${table} in the file`);
      assert.equal(collection.size, t.rows.length, `${table}: every row`);
      assert.equal(trailer.end.documents[table], t.rows.length);
      for (const row of t.rows) {
        const key = row[t.columns.indexOf(t.pk[0])];
        const doc = collection.get(JSON.stringify(key));
        assert.ok(doc, `${table} row ${key}`);
        t.columns.forEach((column, i) => {
          const actual = column === t.pk[0] ? plain(doc._id) : plain(doc[column]);
          assert.deepEqual(actual, row[i], `${table}[${key}].${column}`);
          compared++;
        });
      }
    }
    assert.ok(compared > 50_000, `compared ${compared} values`);
  });
});

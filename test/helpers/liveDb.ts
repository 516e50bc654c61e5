/**
 * A live WAL-mode database for the sync tests: resources (the parents), their tags through a pure junction table
 * (folded into resources as an array), notes embedded in each resource as an array of sub-documents, the tags
 * themselves, and an unrelated `audit` table. Written by Python's sqlite3, like an application would.
 */
import { inspectSource } from '../../src/core/inspect';
import { applyEmbed } from '../../src/core/plan/relationships';
import type { MappingPlan } from '../../src/core/plan/types';
import { py } from './sqliteBuilders';

export const LIVE_SCHEMA = `
CREATE TABLE resources (id INTEGER PRIMARY KEY, name TEXT NOT NULL, size INTEGER, body TEXT);
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);
CREATE TABLE resource_tags (resource_id INTEGER NOT NULL REFERENCES resources(id), tag_id INTEGER NOT NULL REFERENCES tags(id),
  PRIMARY KEY (resource_id, tag_id));
CREATE TABLE notes (id INTEGER PRIMARY KEY, resource_id INTEGER NOT NULL REFERENCES resources(id), text TEXT);
CREATE TABLE audit (id INTEGER PRIMARY KEY, what TEXT);
`;

/**
 * Creates the database in WAL mode with `resources` rows (every 3rd has a note, tags cycle through 5), and leaves
 * the last commits in the -wal (the script exits without closing, as a running application would). `indexedNotes`
 * adds an index on notes.resource_id: with it a sync can narrow `resources` to the rows that changed (narrow.ts).
 */
export function makeLiveDb(file: string, resources: number, opts: { indexedNotes?: boolean } = {}): void {
  py(
    `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA journal_mode=WAL')
con.executescript(sys.argv[2])
n = int(sys.argv[3])
con.execute('BEGIN')
con.executemany('INSERT INTO tags VALUES (?, ?)', [(t, 'tag %d' % t) for t in range(1, 6)])
con.executemany('INSERT INTO resources VALUES (?, ?, ?, ?)', [(i, 'resource %d' % i, i * 10, 'x' * (i % 50)) for i in range(1, n + 1)])
con.executemany('INSERT INTO resource_tags VALUES (?, ?)', [(i, 1 + i % 5) for i in range(1, n + 1)] + [(i, 1 + (i + 2) % 5) for i in range(1, n + 1, 2)])
con.executemany('INSERT INTO notes VALUES (?, ?, ?)', [(i, i, 'note on %d' % i) for i in range(3, n + 1, 3)])
con.executemany('INSERT INTO audit VALUES (?, ?)', [(i, 'created %d' % i) for i in range(1, 11)])
con.execute('COMMIT')
os._exit(0)`,
    file,
    LIVE_SCHEMA + (opts.indexedNotes ? 'CREATE INDEX notes_resource ON notes (resource_id);' : ''),
    String(resources),
  );
}

/** Runs SQL against the live file the way the application does (WAL mode, no checkpoint on exit). */
export function appWrite(file: string, sql: string): void {
  py(
    `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.executescript(sys.argv[2])
os._exit(0)`,
    file,
    sql,
  );
}

/** The default plan with notes embedded into resources (the junction table is folded in by default). */
export async function livePlan(file: string): Promise<MappingPlan> {
  const { plan, schema } = await inspectSource(file);
  return applyEmbed(plan, schema, { into: 'resources', table: 'notes', kind: 'array', field: 'notes' });
}

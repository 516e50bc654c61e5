/**
 * The fault tests' source and their proof: the reference app's database with 12,000 resources and a second table of
 * 6,000 events (so a resume can be seen skipping a finished collection), and a full comparison of a target with it.
 */
import assert from 'node:assert/strict';
import { MongoClient } from 'mongodb';
import { migrate } from '../../src/core';
import { appDb } from './migrateRun';
import { py } from './sqliteBuilders';

export const RESOURCES = 12_000;
export const EVENTS = 6_000;

/** The reference schema plus a second table, so a resume can be seen skipping a finished collection. */
export function makeFaultSource(): string {
  const file = appDb(RESOURCES);
  py(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('CREATE TABLE events (id INTEGER PRIMARY KEY, resource_id INTEGER REFERENCES resources(id), kind TEXT, at DATETIME)')
con.executemany('INSERT INTO events VALUES (?,?,?,?)', [(i, 1 + i % ${RESOURCES}, 'deploy' if i % 3 else 'restart', '2024-05-01 10:00:%02d' % (i % 60)) for i in range(1, ${EVENTS + 1})])
con.commit()`,
    file,
  );
  return file;
}

/** Full comparison of source and target: every document, field by field, plus exact counts and no duplicate ids. */
export async function assertTargetEqualsSource(url: string, database: string, sqlitePath: string): Promise<void> {
  const check = await migrate({ sqlitePath, mongoUrl: url, database, steps: ['validate'] });
  assert.equal(
    check.status,
    'succeeded',
    `validation: ${JSON.stringify(check.error)} ${JSON.stringify(check.mismatches.slice(0, 3))}`,
  );
  const client = await MongoClient.connect(url);
  try {
    const db = client.db(database);
    assert.equal(await db.collection('resources').countDocuments(), RESOURCES);
    assert.equal(await db.collection('events').countDocuments(), EVENTS);
    const ids = await db.collection('resources').distinct('_id');
    assert.equal(ids.length, RESOURCES, 'no duplicate _id');
  } finally {
    await client.close();
  }
}

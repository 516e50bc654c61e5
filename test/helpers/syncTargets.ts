/**
 * Shared by the sync integration tests: a live database migrated into a fresh target, and the two views of it that
 * must agree — Python's sqlite3 reading the file, and the target's documents.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Document, MongoClient } from 'mongodb';
import { migrate, syncDatabase, type MappingPlan, type SyncOutcome } from '../../src/core';
import { livePlan, makeLiveDb } from './liveDb';
import { getTestMongoUrl, uniqueDbName } from './mongoServer';
import { pyJson, tempDir } from './sqliteBuilders';

/** A live database of `n` resources, migrated into a fresh database. */
export async function migratedLiveDb(
  n: number,
  opts: { indexedNotes?: boolean } = {},
): Promise<{ file: string; database: string; plan: MappingPlan }> {
  const file = path.join(tempDir('s2m-sync-'), 'live.db');
  makeLiveDb(file, n, opts);
  const plan = await livePlan(file);
  const database = uniqueDbName('sync');
  const report = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, ifExists: 'fail' });
  assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
  return { file, database, plan };
}

/** Python's sqlite3 view of the resources: id → name, sorted tag ids, sorted note texts. */
export function pythonResources(file: string): Record<string, { name: string; tags: number[]; notes: string[] }> {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
out = {}
for (i, name) in con.execute('SELECT id, name FROM resources'):
    out[str(i)] = {'name': name, 'tags': [], 'notes': []}
for (r, t) in con.execute('SELECT resource_id, tag_id FROM resource_tags ORDER BY tag_id'):
    out[str(r)]['tags'].append(t)
for (r, t) in con.execute('SELECT resource_id, text FROM notes ORDER BY text'):
    out[str(r)]['notes'].append(t)
print(json.dumps(out))`,
    file,
  );
}

/** The same view of the target's resources collection. */
export async function targetResources(
  client: MongoClient,
  database: string,
): Promise<Record<string, { name: string; tags: number[]; notes: string[] }>> {
  const out: Record<string, { name: string; tags: number[]; notes: string[] }> = {};
  const tagsField = (d: Document) => Object.keys(d).find((k) => Array.isArray(d[k]) && k !== 'notes') as string;
  for await (const d of client.db(database).collection('resources').find()) {
    out[String(d._id)] = {
      name: d.name,
      tags: [...(d[tagsField(d)] as number[])].sort((a, b) => a - b),
      notes: (d.notes as Array<{ text: string }>).map((x) => x.text).sort(),
    };
  }
  return out;
}

/** A validation-only run is clean, and the target holds what Python reads from the file. */
export async function validateAll(
  client: MongoClient,
  file: string,
  database: string,
  plan: MappingPlan,
): Promise<void> {
  const check = await migrate({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database, plan, steps: ['validate'] });
  assert.equal(check.status, 'succeeded', JSON.stringify(check.error) + JSON.stringify(check.mismatches.slice(0, 5)));
  assert.equal(check.totals.mismatches, 0);
  assert.deepEqual(await targetResources(client, database), pythonResources(file));
}

/** One sync pass through the engine's API. */
export function sync(file: string, database: string): Promise<SyncOutcome> {
  return syncDatabase({ sqlitePath: file, mongoUrl: getTestMongoUrl(), database });
}

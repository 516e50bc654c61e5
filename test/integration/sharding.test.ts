/**
 * A plan with a shard key (CollectionPlan.shardKey) against a real server: the test server is FerretDB or a plain
 * mongod (not a mongos), so the run must refuse before writing anything — no collection, no history record — with
 * its own exit code. Against a mongos (MONGODB_URL), the collection must come out sharded by the planned key.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { migrate } from '../../src/core';
import { defaultPlanFor } from '../../src/core/plan/defaultPlan';
import type { MappingPlan } from '../../src/core/plan/types';
import { openSqliteSource } from '../../src/core/sqlite';
import { getTestMongoUrl, uniqueDbName, useTestMongoClient } from '../helpers/mongoServer';
import { cleanupTempDirs, makeDb, tempDir } from '../helpers/sqliteBuilders';

let client: MongoClient;
useTestMongoClient((c) => (client = c));
after(cleanupTempDirs);

async function shardedPlan(file: string): Promise<MappingPlan> {
  const source = await openSqliteSource(file);
  try {
    const { plan } = defaultPlanFor(source);
    plan.collections[0].shardKey = { _id: 'hashed' };
    return plan;
  } finally {
    source.close();
  }
}

/** Migrates a two-row table whose plan shards it by a hashed `_id`. */
async function migrateSharded(db: string) {
  const file = makeDb(
    path.join(tempDir(), 'notes.db'),
    `CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes VALUES (1, 'a'), (2, 'b');`,
  );
  return migrate({
    sqlitePath: file,
    mongoUrl: getTestMongoUrl(),
    database: db,
    plan: await shardedPlan(file),
    ifExists: 'fail',
  });
}

const isMongos = async () => (await client.db('admin').command({ hello: 1 })).msg === 'isdbgrid';

describe('sharding: a planned shard key', () => {
  it('is refused on a server that is not a mongos, before anything is written (exit 27)', async function () {
    if (await isMongos()) this.skip(); // the mongos case is the next test
    const db = uniqueDbName('shardkey');
    const report = await migrateSharded(db);
    assert.equal(report.status, 'failed');
    assert.equal(report.exitCode, 27);
    assert.equal(report.error?.code, 'TARGET_NOT_SHARDED');
    assert.match(report.error?.message ?? '', /notes a shard key, but the server is not a mongos/);
    assert.deepEqual(await client.db(db).listCollections().toArray(), [], 'nothing written, no history record');
  });

  it('shards the collection by the planned key through a mongos', async function () {
    if (!(await isMongos())) this.skip(); // needs MONGODB_URL pointing at a mongos
    const db = uniqueDbName('shardkey');
    const report = await migrateSharded(db);
    assert.equal(report.status, 'succeeded', JSON.stringify(report.error));
    const meta = await client
      .db('config')
      .collection('collections')
      .findOne({ _id: `${db}.notes` as never });
    assert.deepEqual(meta?.key, { _id: 'hashed' });
  });
});

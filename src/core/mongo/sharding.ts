/**
 * Collections whose plan names a shard key (CollectionPlan.shardKey) are created and sharded through `mongos`
 * before any document is written, so the documents are spread over the shards as they arrive instead of all
 * landing in one chunk and being moved afterwards. A plan with a shard key is refused on a server that is not a
 * `mongos` (a replica set or a single server cannot shard), before anything is written.
 */
import { MongoServerError, type Db } from 'mongodb';
import { MigrationError } from '../errors';
import type { CollectionPlan } from '../plan/types';

/** The collections of the plan that name a shard key. */
function sharded(collections: CollectionPlan[]): CollectionPlan[] {
  return collections.filter((c) => c.shardKey && Object.keys(c.shardKey).length > 0);
}

/** Refuses a plan with shard keys on a server that is not a `mongos` (its `hello` says `msg: "isdbgrid"`). */
export async function requireMongosForShardKeys(db: Db, collections: CollectionPlan[]): Promise<void> {
  const planned = sharded(collections);
  if (planned.length === 0) return;
  const hello = await db.admin().command({ hello: 1 });
  if (hello.msg === 'isdbgrid') return;
  throw new MigrationError(
    'TARGET_NOT_SHARDED',
    `The plan gives ${planned.map((c) => c.collection).join(', ')} a shard key, but the server is not a mongos (a sharded cluster's router); nothing was written.`,
    'Connect to the cluster through mongos (--mongodb-url mongodb://router:27017/), or remove "shardKey" from the plan.',
  );
}

/**
 * Creates each planned collection with a shard key and shards it (`shardCollection`, idempotent for the same key);
 * run after --if-exists drop and before the first insert. A collection already sharded with another key, or an
 * existing unsharded collection without an index for the key, is refused with the server's reason.
 */
export async function shardPlannedCollections(db: Db, collections: CollectionPlan[]): Promise<void> {
  const planned = sharded(collections);
  if (planned.length === 0) return;
  const admin = db.admin();
  await admin.command({ enableSharding: db.databaseName }).catch((e: unknown) => {
    // MongoDB 6+ needs no enableSharding (and may answer "already enabled"); a real refusal shows at shardCollection.
    if (!(e instanceof MongoServerError)) throw e;
  });
  for (const c of planned) {
    try {
      await admin.command({ shardCollection: `${db.databaseName}.${c.collection}`, key: c.shardKey });
    } catch (e) {
      if (!(e instanceof MongoServerError)) throw e;
      throw new MigrationError(
        'TARGET_REFUSED',
        `The cluster refuses to shard ${db.databaseName}.${c.collection} by ${JSON.stringify(c.shardKey)}: ${e.message}`,
        'A collection keeps the shard key it was sharded with: use --if-exists drop to recreate it, or give the plan its current key.',
        { cause: e },
      );
    }
  }
}

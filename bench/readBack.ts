/** 8. The read-back ceiling: a plain find() of the whole collection (raw BSON, best of a few batch sizes). */
import type { MongoClient } from 'mongodb';
import { log, rate, round } from './common';

export interface ReadBackRun {
  documents: number;
  ms: number;
  docsPerSec: number;
  batchSize: number;
}

async function readBack(
  client: MongoClient,
  database: string,
  collection: string,
  batchSize: number,
  limit = 0,
): Promise<ReadBackRun> {
  const t0 = performance.now();
  let n = 0;
  const cursor = client.db(database).collection(collection).find({}, { raw: true, batchSize, limit });
  for await (const _ of cursor) n++;
  const ms = performance.now() - t0;
  return { documents: n, ms: round(ms, 0), docsPerSec: rate(n, ms), batchSize };
}

/** Searches the batch size on the first `sample` documents, then reads the whole collection with the best. */
export async function readBackCeiling(
  client: MongoClient,
  database: string,
  collection: string,
  sample: number,
): Promise<{ search: ReadBackRun[]; best: ReadBackRun }> {
  log('read-back ceiling…');
  const search = [];
  for (const bs of [1000, 5000, 20000]) search.push(await readBack(client, database, collection, bs, sample));
  const bestBs = [...search].sort((a, b) => b.docsPerSec - a.docsPerSec)[0].batchSize;
  const best = await readBack(client, database, collection, bestBs);
  log(`  ${best.docsPerSec} docs/s (batchSize ${bestBs})`);
  return { search, best };
}

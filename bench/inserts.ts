/**
 * 5./6. The insert baselines, on the documents built in memory by the engine's DocumentBuilder: the "reference
 * style" (sequential insertMany, 100 per batch, one batch at a time) and the raw insert ceiling (unordered
 * insertMany, best batch size × concurrency, searched on a sample, then run on all documents).
 */
import { MongoClient, type Document } from 'mongodb';
import { defaultPlanFor, DocumentBuilder, introspect, openSqliteSource } from '../src/core';
import { log, rate, round, withRss } from './common';

export async function buildDocuments(file: string): Promise<{ collection: string; docs: Document[]; ms: number }> {
  const t0 = performance.now();
  const source = await openSqliteSource(file);
  try {
    const schema = introspect(source);
    const { plan } = defaultPlanFor(source, schema);
    const c = plan.collections.find((x) => x.table === 'resources') ?? plan.collections[0];
    const table = schema.tables.find((t) => t.name === c.table);
    if (!table) throw new Error(`no table ${c.table}`);
    const docs: Document[] = [];
    for (const { doc } of new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined))
      docs.push(doc);
    if (plan.collections.length !== 1)
      log(`note: the plan has ${plan.collections.length} collections; baselines use ${c.collection} only`);
    return { collection: c.collection, docs, ms: performance.now() - t0 };
  } finally {
    source.close();
  }
}

export interface InsertRun {
  batchSize: number;
  concurrency: number;
  ordered: boolean;
  documents: number;
  ms: number;
  docsPerSec: number;
  peakRssMb: number;
  /** Search entries: docs/s of each repetition (docsPerSec is their mean). */
  runs?: number[];
}

async function insertAll(
  client: MongoClient,
  database: string,
  collection: string,
  docs: Document[],
  batchSize: number,
  concurrency: number,
  ordered: boolean,
): Promise<InsertRun> {
  const db = client.db(database);
  await db.dropDatabase().catch(() => undefined);
  const coll = db.collection(collection);
  // insertMany sets a missing _id on the objects it is given: the documents all have theirs, nothing is changed.
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      if (start >= docs.length) return;
      next += batchSize;
      await coll.insertMany(docs.slice(start, start + batchSize), { ordered });
    }
  };
  const r = await withRss(() => Promise.all(Array.from({ length: concurrency }, worker)));
  const count = await coll.estimatedDocumentCount();
  if (count !== docs.length) throw new Error(`inserted ${count} of ${docs.length} documents`);
  await db.dropDatabase();
  return {
    batchSize,
    concurrency,
    ordered,
    documents: docs.length,
    ms: round(r.ms, 0),
    docsPerSec: rate(docs.length, r.ms),
    peakRssMb: r.peakRssMb,
  };
}

const RAW_GRID: Array<[number, number]> = [
  [100, 1],
  [1000, 1],
  [1000, 2],
  [1000, 4],
  [1000, 8],
  [500, 4],
  [2000, 4],
  [5000, 2],
];

/**
 * The raw insert ceiling. The grid is run `repeat` times, interleaved (the machine's load drifts); a configuration is
 * scored by the mean of its runs, and the best one is then run on all documents.
 */
export async function rawInsertCeiling(
  client: MongoClient,
  collection: string,
  docs: Document[],
  o: { sample: number; repeat: number; quick: boolean },
): Promise<{ search: InsertRun[]; best: InsertRun }> {
  log('raw insert ceiling: searching batch size × concurrency on a sample…');
  const sample = docs.slice(0, Math.min(docs.length, o.sample));
  const grid = o.quick ? RAW_GRID.slice(0, 4) : RAW_GRID;
  const runs: InsertRun[][] = grid.map(() => []);
  for (let rep = 0; rep < o.repeat; rep++) {
    for (let g = 0; g < grid.length; g++) {
      const [bs, c] = grid[g];
      const r = await insertAll(client, 'bench_raw', collection, sample, bs, c, false);
      runs[g].push(r);
      log(`  batch ${bs} × ${c}: ${r.docsPerSec} docs/s`);
    }
  }
  const search: InsertRun[] = runs.map((rs) => ({
    ...rs[0],
    ms: round(rs.reduce((a, r) => a + r.ms, 0) / rs.length, 0),
    docsPerSec: Math.round(rs.reduce((a, r) => a + r.docsPerSec, 0) / rs.length),
    runs: rs.map((r) => r.docsPerSec),
  }));
  const top = [...search].sort((a, b) => b.docsPerSec - a.docsPerSec)[0];
  log(`raw insert ceiling: all documents, batch ${top.batchSize} × ${top.concurrency}…`);
  const best = await insertAll(client, 'bench_raw', collection, docs, top.batchSize, top.concurrency, false);
  log(`  ${best.docsPerSec} docs/s`);
  return { search, best };
}

/** The reference style: sequential insertMany, batches of 100, one at a time. */
export async function referenceStyle(client: MongoClient, collection: string, docs: Document[]): Promise<InsertRun> {
  log('reference style: sequential insertMany, batches of 100…');
  const run = await insertAll(client, 'bench_reference', collection, docs, 100, 1, true);
  log(`  ${run.docsPerSec} docs/s`);
  return run;
}

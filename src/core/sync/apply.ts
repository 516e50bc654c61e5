/**
 * Brings one collection to the snapshot's content with the rerun's ordered compare-and-write (mongo/reconcile.ts):
 * one pass over the target sorted by `_id` (all of it, or the `_id` ranges whose rows may have changed) merged with
 * the freshly built documents; only missing or different documents are written and the ones the source no longer
 * has are deleted. Running it twice writes nothing the
 * second time, which is what makes a killed sync safe to rerun.
 */
import { BSON, type Collection, type Db, type Document } from 'mongodb';
import { DocumentBuilder } from '../convert/documents';
import { throwIfAborted } from '../errors';
import { Reconciler } from '../mongo/reconcile';
import { BulkWriter } from '../mongo/writer';
import type { CollectionPlan, PlanOptions } from '../plan/types';
import { quoteIdent, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import { validateCollection } from '../validate/validator';
import { applyNarrowed } from './narrowApply';
import { rangesSql, type KeyRange } from './ranges';
import type { SyncCollectionOutcome, SyncOptions } from './types';

export interface ApplyContext {
  db: Db;
  source: SqliteSource;
  schema: SchemaInfo;
  options: PlanOptions;
  sync: SyncOptions;
  log: (level: 'info' | 'warn', message: string) => void;
  /** Proves the source pages read so far belong to the snapshot; called before anything is written. */
  verify: () => void;
}

function documents(ctx: ApplyContext, plan: CollectionPlan, ranges?: KeyRange[]): Iterable<{ doc: Document }> {
  const builder = new DocumentBuilder(ctx.source, ctx.schema, plan, ctx.options);
  // Conversion warnings were reported by the migration; a sync does not repeat them per pass.
  if (!ranges) return builder.documents(() => undefined);
  const { where, params } = rangesSql(`p.${quoteIdent(plan.id.kind === 'column' ? plan.id.column : '')}`, ranges);
  return builder.documents(() => undefined, { where, params });
}

/**
 * Compares and writes one collection: whole, or with `ranges` only the documents whose integer `_id` is in them
 * (narrow.ts found that no other document can have changed).
 */
export async function applyCollection(
  ctx: ApplyContext,
  plan: CollectionPlan,
  ranges?: KeyRange[],
): Promise<SyncCollectionOutcome> {
  const { sync } = ctx;
  const name = plan.collection;
  const collection = ctx.db.collection(name);
  const writer = new BulkWriter(collection, {
    db: ctx.db,
    collectionName: name,
    batchSize: sync.batchSize,
    concurrency: sync.concurrency,
    onConflict: 'replace',
    onError: 'stop',
    signal: sync.signal,
    retryAttempts: sync.retryAttempts,
    beforeWrite: ctx.verify,
  });
  try {
    const counts = ranges
      ? await narrowed(ctx, plan, collection, writer, ranges)
      : await whole(ctx, plan, collection, writer);
    const written = await writer.finish();
    // Narrowed replacements are a delete and a plain insert; whole compares replace on conflict (written.replaced).
    const plain = written.written - written.replaced;
    const changedLanded = Math.min(counts.changed, plain);
    const outcome: SyncCollectionOutcome = {
      collection: name,
      table: plan.table,
      ...(ranges ? { narrowed: true } : {}),
      unchanged: counts.unchanged,
      replaced: written.replaced + changedLanded,
      inserted: plain - changedLanded,
      deleted: counts.deleted,
      failed: written.failed,
      ...(counts.timings ? { timings: counts.timings } : {}),
    };
    if (sync.validate) outcome.mismatches = await validate(ctx, plan);
    return outcome;
  } catch (e) {
    await writer.drain();
    throw e;
  }
}

/** Serialized documents of `plan` (all, or those in `ranges`); one over 16 MiB goes to the writer, which reports it. */
async function* serialized(ctx: ApplyContext, plan: CollectionPlan, writer: BulkWriter, ranges?: KeyRange[]) {
  let n = 0;
  for (const { doc } of documents(ctx, plan, ranges)) {
    if ((++n & 255) === 0) throwIfAborted(ctx.sync.signal);
    let bson: Uint8Array;
    try {
      bson = BSON.serialize(doc);
    } catch {
      await writer.add(doc, plan.table);
      continue;
    }
    yield { doc, bson };
  }
}

/** The whole collection, through the rerun's ordered compare-and-write. Replacements arrive as conflicts. */
async function whole(ctx: ApplyContext, plan: CollectionPlan, collection: Collection, writer: BulkWriter) {
  const reconciler = new Reconciler(collection, writer, {
    deletes: true,
    table: plan.table,
    signal: ctx.sync.signal,
    onWarning: (m) => ctx.log('warn', `${plan.collection}: ${m}`),
  });
  try {
    for await (const { doc, bson } of serialized(ctx, plan, writer)) await reconciler.add(doc, bson);
    const counts = await reconciler.finish();
    return { unchanged: counts.unchanged, changed: 0, deleted: counts.deleted, timings: undefined };
  } catch (e) {
    await reconciler.close();
    throw e;
  }
}

/** Only the documents in `ranges`: one read of the target's, one delete, then inserts (narrowApply.ts). */
async function narrowed(
  ctx: ApplyContext,
  plan: CollectionPlan,
  collection: Collection,
  writer: BulkWriter,
  ranges: KeyRange[],
) {
  const built = serialized(ctx, plan, writer, ranges);
  return applyNarrowed(collection, writer, built, ranges, { table: plan.table, signal: ctx.sync.signal });
}

/** The collection compared as a whole with a fresh build of its documents (allowing nothing else in it). */
async function validate(ctx: ApplyContext, plan: CollectionPlan): Promise<number> {
  const v = await validateCollection(documents(ctx, plan), ctx.db.collection(plan.collection), {
    collectionName: plan.collection,
    signal: ctx.sync.signal,
  });
  for (const m of v.mismatches.slice(0, 3))
    ctx.log('warn', `${plan.collection}: ${m.kind} at _id ${m.id}${m.path ? ` (${m.path})` : ''}`);
  return v.mismatchCount;
}

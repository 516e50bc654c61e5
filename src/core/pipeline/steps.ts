import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, type Db, type Document } from 'mongodb';
import { MigrationError, throwIfAborted } from '../errors';
import { DocumentBuilder } from '../convert/documents';
import { PrefixTracker } from '../history/checkpoint';
import { loadValue, storeValue, type CollectionRecord } from '../history/records';
import { createPlannedIndexes } from '../mongo/indexes';
import { BulkWriter, MAX_DOCUMENT_BYTES } from '../mongo/writer';
import { NdjsonWriter } from '../ndjson/writer';
import { readNdjson } from '../ndjson/reader';
import type { CollectionPlan } from '../plan/types';
import { findRelation, iterateQuery, quoteIdent, rowidAlias, type SqliteSource } from '../sqlite';
import type { SchemaInfo, SqlValue, TableInfo } from '../sqlite/types';
import { keyOf, validateCollection, type ExpectedDocument } from '../validate/validator';
import { proveCollection } from '../validate/proof';
import type { Mismatch } from '../validate/compare';
import type { CollectionReport } from './report';
import type { Run } from './run';

/** Incremental runs validate just the changed documents, by _id, while the changed set stays this small. */
const MAX_FILTERED_VALIDATION = 100_000;
const CHECKPOINT_INTERVAL_MS = 1000;

function tableOf(run: Run, plan: CollectionPlan): TableInfo | undefined {
  return run.schema && findRelation(run.schema, plan.table);
}

/** SQL for the watermark column on alias p; the rowid alias must stay bare (a quoted unknown name is a string). */
function watermarkRef(table: TableInfo, column: string): string {
  return column === 'rowid' ? `p.${rowidAlias(table) ?? 'rowid'}` : `p.${quoteIdent(column)}`;
}

/** The parent-row filter of an incremental run: rows at or past the previous run's watermark (re-copying the boundary is harmless). */
function incrementalFilter(run: Run, plan: CollectionPlan, table: TableInfo): { where?: string; params?: SqlValue[] } {
  if (!run.opts.incremental || !plan.incremental) return {};
  // Junction arrays and embedded rows come from other tables, whose changes the parent's watermark cannot see:
  // such collections are copied whole (as upserts) so an incremental run never leaves a stale array behind.
  if (plan.arrays.length > 0 || (plan.embeds ?? []).length > 0) return {};
  const previous = run.baseRecord?.collections.find((c) => c.collection === plan.collection)?.watermark;
  if (!previous?.value || previous.column !== plan.incremental.column) return {};
  return { where: `${watermarkRef(table, plan.incremental.column)} >= ?`, params: [loadValue(previous.value)] };
}

function recordOf(run: Run, collection: string): CollectionRecord | undefined {
  return run.record?.collections.find((c) => c.collection === collection);
}

/** Step 1: SQLite rows → documents → the intermediate file (or, in a dry run without a file, only counted). */
export async function exportStep(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.inputFile) {
    run.ndjsonPath = opts.inputFile;
    return run.step('export', 0, async () => 0, `using ${opts.inputFile}`);
  }
  const source = run.source as SqliteSource;
  if (opts.outputFile) run.ndjsonPath = path.resolve(opts.outputFile);
  else if (!opts.dryRun && run.steps.includes('import')) {
    run.ndjsonPath = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'sqlite2mongo-')), 'export.ndjson');
    run.removeNdjson = true;
  }
  if (!run.ndjsonPath && !opts.dryRun) throw new MigrationError('USAGE', 'Export needs --output-file.');
  await run.step('export', run.totalSourceRows(), async (meter) => {
    const writer = run.ndjsonPath
      ? await NdjsonWriter.create(run.ndjsonPath, { source: { path: source.path, sizeBytes: source.sizeBytes, fingerprint: source.fingerprint }, plan: run.plan, schema: run.schema as SchemaInfo })
      : undefined;
    let done = 0;
    try {
      for (const plan of run.plan.collections) {
        const report = run.collection(plan);
        const table = tableOf(run, plan);
        if (!table) continue;
        const saved = recordOf(run, plan.collection);
        if (plan.incremental && saved) {
          // The watermark this run copies up to: read before the rows, from the same in-memory snapshot.
          const [max] = [...iterateQuery(source, `SELECT max(${watermarkRef(table, plan.incremental.column)}) FROM ${quoteIdent(table.name)} AS p`)][0];
          saved.watermark = { column: plan.incremental.column, value: storeValue(max) };
        }
        const builder = new DocumentBuilder(source, run.schema as SchemaInfo, plan, run.plan.options);
        for (const { doc } of builder.documents(run.warn, { ...incrementalFilter(run, plan, table), refuse: run.ledger.refuse })) {
          if (writer) await writer.writeDocument(plan.table, plan.collection, doc);
          else if (BSON.calculateObjectSize(doc) > MAX_DOCUMENT_BYTES) run.log('warn', `${plan.collection}: a document is over 16 MiB (_id ${String(doc._id)}); the import would refuse it.`);
          report.exported++;
          done++;
          if ((done & 255) === 0) {
            throwIfAborted(opts.signal);
            meter.update(done, plan.collection);
            // Let timers and I/O (progress output, cancel requests) run during a long synchronous read.
            await new Promise<void>((r) => setImmediate(r));
          }
        }
        meter.update(done, plan.collection);
        run.ledger.built(plan.collection, builder.counts);
      }
      if (writer) await writer.finish();
    } catch (e) {
      if (writer) await writer.abort();
      throw e;
    } finally {
      // Also when cancelled or failed part-way: the report says how far the export got.
      run.report.totals.exported = done;
    }
    return done;
  });
}

/** Saves checkpoints at most once a second, one write at a time; a failed save only delays the next one. */
class CheckpointSaver {
  private last = 0;
  private saving: Promise<void> | undefined;

  constructor(private readonly run: Run) {}

  maybeSave(): void {
    if (!this.run.record || this.saving || Date.now() - this.last < CHECKPOINT_INTERVAL_MS) return;
    this.saving = this.save().finally(() => (this.saving = undefined));
  }

  async save(): Promise<void> {
    const { run } = this;
    if (!run.record || !run.history) return;
    this.last = Date.now();
    await run.history.update(run.record._id, { collections: run.record.collections }, { durable: true }).catch((e: Error) => run.log('warn', `Could not save the checkpoint (will retry): ${e.message}`));
  }

  async flush(): Promise<void> {
    await this.saving;
    await this.save();
  }
}

/** Step 2: the intermediate file → MongoDB, one pipelined writer per collection, with checkpoints for --resume. */
export async function importStep(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.dryRun) return run.step('import', 0, async () => 0, 'dry run: nothing written');
  const db = run.db as Db;
  const planned = new Map(run.plan.collections.map((c) => [c.collection, c]));
  const total = opts.inputFile ? 0 : run.report.totals.exported;
  const saver = new CheckpointSaver(run);
  await run.step('import', total, async (meter) => {
    if (!opts.resume) {
      for (const c of run.plan.collections) {
        if (run.collection(c).existing.action === 'dropped') await db.collection(c.collection).drop().catch(() => undefined);
      }
    }
    let writer: BulkWriter | undefined;
    let current: CollectionReport | undefined;
    let saved: CollectionRecord | undefined;
    let skip = 0;
    let base = 0;
    let imported = 0;
    const finishCollection = async () => {
      if (!writer || !current) return;
      const counts = await writer.finish();
      current.imported += counts.written;
      current.failed = counts.failed;
      current.duplicates = counts.duplicates;
      current.duplicateKeys = counts.duplicateKeys;
      run.report.errors.push(...counts.errors.slice(0, Math.max(0, 1000 - run.report.errors.length)));
      base += counts.written + counts.failed;
      imported += counts.written;
      if (saved) {
        saved.done = true;
        saved.imported = current.imported;
        saved.failed = counts.failed;
        await saver.flush();
      }
      writer = undefined;
    };
    try {
      for await (const item of readNdjson(run.ndjsonPath as string)) {
        if (!('row' in item)) continue;
        const { row } = item;
        if (!current || current.collection !== row.collection) {
          await finishCollection();
          const plan = planned.get(row.collection);
          if (!plan) throw new MigrationError('INPUT_FILE_INVALID', `${run.ndjsonPath}: line ${row.line} is for collection ${row.collection}, which the plan does not have.`);
          current = run.collection(plan);
          if (opts.inputFile) current.exported = 0;
          saved = recordOf(run, row.collection);
          // Resuming: a finished collection is skipped whole; an unfinished one continues after its checkpoint,
          // as upserts, so batches that landed after the last checkpoint are written again harmlessly.
          skip = opts.resume && saved ? (saved.done ? Number.POSITIVE_INFINITY : saved.checkpoint) : 0;
          if (opts.resume && saved) current.imported = saved.done ? saved.imported : saved.checkpoint;
          const tracker = new PrefixTracker(skip === Number.POSITIVE_INFINITY ? 0 : skip);
          const entry = saved;
          const upsert = current.existing.action === 'upserted';
          // Only documents added to collections that were there before need remembering for rollback.
          const trackNewIds = !!entry && !!run.history && entry.existedBefore && entry.action !== 'dropped';
          const name = row.collection;
          writer = new BulkWriter(db.collection(name), {
            collectionName: name,
            batchSize: opts.batchSize,
            concurrency: opts.concurrency,
            mode: upsert ? 'upsert' : 'insert',
            onError: opts.onError ?? 'stop',
            signal: opts.signal,
            retryAttempts: opts.retryAttempts,
            // Resuming: batches acknowledged after the last checkpoint (or whose acknowledgement was lost with the
            // connection) are there already; their _id conflicts are our own documents, and validation checks them.
            existingIsOurs: !!opts.resume,
            oneReplacePerCommand: run.targetIsFerretDb,
            trackNewIds,
            onBatch: (counts) => meter.update(base + counts.written + counts.failed, name),
            onBatchDone: async ({ seq, size, newIds }) => {
              if (!entry) return;
              if (trackNewIds && newIds.length > 0) {
                await run.history!.recordInsertedIds(run.record!._id, name, newIds).catch((e: Error) => {
                  // Rollback can then not remove everything this run added here: the record says so.
                  entry.insertedIdsIncomplete = true;
                  run.log('warn', `Could not record inserted _ids of ${name} for rollback: ${e.message}`);
                });
              }
              tracker.complete(seq, size);
              entry.checkpoint = tracker.count;
              saver.maybeSave();
            },
          });
        }
        if (opts.inputFile) current.exported++;
        if (skip > 0) {
          skip--;
          continue;
        }
        await (writer as BulkWriter).add(row.doc, row.table);
      }
      await finishCollection();
    } catch (e) {
      await writer?.drain();
      if (writer && current) {
        // Stopped part-way (refused row with --on-error stop, cancel, lost server): keep what the writer knows.
        const counts = writer.counts;
        current.imported += counts.written;
        current.failed = counts.failed;
        current.duplicates = counts.duplicates;
        current.duplicateKeys = counts.duplicateKeys;
        run.report.errors.push(...counts.errors.slice(0, Math.max(0, 1000 - run.report.errors.length)));
      }
      await saver.flush();
      throw e;
    }
    if (opts.inputFile) run.report.totals.exported = [...run.collections.values()].reduce((n, c) => n + c.exported, 0);
    if (opts.incremental && opts.syncDeletes) await syncDeletes(run);
    return imported;
  });
}

/** --sync-deletes: removes target documents whose source rows are gone (one pass over each side). */
async function syncDeletes(run: Run): Promise<void> {
  const db = run.db as Db;
  for (const plan of run.plan.collections) {
    const table = tableOf(run, plan);
    if (!table || !run.source) continue;
    const keep = new Set<string>();
    for (const { doc } of new DocumentBuilder(run.source, run.schema as SchemaInfo, plan, run.plan.options).documents(() => undefined)) keep.add(keyOf(doc._id));
    const coll = db.collection(plan.collection);
    let gone: unknown[] = [];
    let deleted = 0;
    const flush = async () => {
      if (gone.length === 0) return;
      const result = await coll.deleteMany({ _id: { $in: gone } } as Document);
      deleted += result.deletedCount;
      gone = [];
    };
    for await (const d of coll.find({}, { projection: { _id: 1 } })) {
      if (!keep.has(keyOf(d._id))) gone.push(d._id);
      if (gone.length >= 1000) await flush();
    }
    await flush();
    run.collection(plan).deleted = deleted;
    run.report.totals.deleted += deleted;
  }
}

export async function indexStep(run: Run): Promise<void> {
  if (run.opts.dryRun) return run.step('indexes', 0, async () => 0, 'dry run: nothing written');
  const db = run.db as Db;
  const total = run.plan.collections.reduce((n, c) => n + c.indexes.length, 0);
  await run.step('indexes', total, async (meter) => {
    let done = 0;
    for (const c of run.plan.collections) {
      throwIfAborted(run.opts.signal);
      const outcomes = await createPlannedIndexes(db.collection(c.collection), c.indexes);
      run.collection(c).indexes = outcomes;
      for (const o of outcomes) {
        if (o.status === 'failed') run.log('error', `Index ${o.name} on ${c.collection} (${o.keys}) failed: ${o.message}`);
        if (o.status === 'created-non-unique') run.log('warn', `Index ${o.name} on ${c.collection}: ${o.message}`);
      }
      done += outcomes.length;
      meter.update(done, c.collection);
    }
    return done;
  });
}

/** Expected documents for validation: rebuilt from SQLite, or read from the input file. */
async function* expectedFromFile(file: string, collection: string): AsyncGenerator<ExpectedDocument> {
  let seen = false;
  for await (const item of readNdjson(file, { collection })) {
    if (!('row' in item)) continue;
    if (item.row.collection === collection) {
      seen = true;
      yield { doc: item.row.doc };
    } else if (seen) return; // rows are grouped by collection: its group has ended
  }
}

export async function validateStep(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.dryRun) return run.step('validate', 0, async () => 0, 'dry run: nothing to validate');
  if (opts.skipValidation) return run.step('validate', 0, async () => 0, 'skipped (--no-validate)');
  const db = run.db as Db;
  const total = run.report.totals.exported || run.totalSourceRows();
  await run.step('validate', total, async (meter) => {
    let base = 0;
    for (const c of run.plan.collections) {
      const report = run.collection(c);
      const table = tableOf(run, c);
      let filter: Document | undefined;
      let changedOnly: { where?: string; params?: SqlValue[] } = {};
      if (run.source && table) {
        changedOnly = opts.incremental ? incrementalFilter(run, c, table) : {};
        if (changedOnly.where && report.exported <= MAX_FILTERED_VALIDATION) {
          // Incremental: compare just the documents this run wrote, fetched by _id.
          const ids = [...new DocumentBuilder(run.source, run.schema as SchemaInfo, c, run.plan.options).documents(() => undefined, changedOnly)].map((d) => d.doc._id);
          filter = { _id: { $in: ids } };
        } else changedOnly = {};
      }
      const common = {
        filter,
        // Documents that were there before an append or upsert are not the source's: count them, don't flag them.
        allowOthers: !filter && (report.existing.action === 'appended' || report.existing.action === 'upserted') && !(opts.incremental && opts.syncDeletes),
        signal: opts.signal,
        onProgress: (n: number) => meter.update(base + n, c.collection),
        onMismatch: (m: Mismatch) => run.emit({ type: 'mismatch', mismatch: m }),
      };
      // From SQLite, the proof decides: each stored value against the raw row, apart from the converter.
      const v = run.source && table
        ? await proveCollection(run.source, run.schema as SchemaInfo, c, run.plan.options, db.collection(c.collection), { ...common, ...changedOnly })
        : await validateCollection(expectedFromFile(run.ndjsonPath as string, c.collection), db.collection(c.collection), { ...common, collectionName: c.collection });
      if (filter && opts.syncDeletes) {
        // After deletions are synced, the collection must hold exactly the source's rows.
        const actual = await db.collection(c.collection).countDocuments({});
        if (actual !== report.sourceRows) {
          v.mismatchCount++;
          v.mismatches.push({ collection: c.collection, id: '', kind: 'count-differs', path: '', expected: String(report.sourceRows), actual: String(actual) });
        }
      }
      report.validation = { matched: v.matched, differing: v.differing, missing: v.missing, extra: v.extra, mismatches: v.mismatchCount, others: v.others };
      run.report.totals.validated += v.matched;
      run.report.totals.mismatches += v.mismatchCount;
      run.report.mismatches.push(...v.mismatches.slice(0, Math.max(0, 1000 - run.report.mismatches.length)));
      base += v.expected;
    }
    return base;
  });
}

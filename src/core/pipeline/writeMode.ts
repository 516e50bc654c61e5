import type { Db } from 'mongodb';
import { MigrationError } from '../errors';
import { storedDocumentCount } from '../mongo/collectionCount';
import { HistoryStore, newRunId, planHash, type CollectionRecord, type MigrationRecord } from '../history/records';
import type { RunContext } from './context';
import type { ExistingCollection } from './options';
import type { SourceStage } from './source';

/**
 * How one collection is written, decided once before anything is written (and nowhere else):
 * - skip: a resumed run had finished it;
 * - insert: plain unordered inserts (new, dropped or appended-to collections; `skip` documents already checkpointed
 *   by the run being resumed, whose later `_id` conflicts are its own documents);
 * - compare: a rerun over existing documents — one ordered pass over the target, writing only what differs;
 * - changed: --incremental by watermark — only the rows changed since, replacing their documents.
 */
export type WriteMode =
  | { kind: 'skip' }
  | { kind: 'insert'; drop: boolean; onConflict: 'refuse' | 'ours'; skip: number }
  | { kind: 'compare'; deletes: boolean }
  | { kind: 'changed' };

/** This run's history record, with the store that keeps it. */
export interface RunRecord {
  store: HistoryStore;
  record: MigrationRecord;
}

export interface WritePlan {
  modes: Map<string, WriteMode>;
  record: RunRecord;
  /** --incremental: the completed run this one continues from. */
  base?: MigrationRecord;
}

export function entryOf(record: RunRecord | undefined, collection: string): CollectionRecord | undefined {
  return record?.record.collections.find((c) => c.collection === collection);
}

/** Collections whose documents gather rows of other tables: a watermark on the parent cannot see their changes. */
export function copiedWhole(plan: SourceStage['plan']['collections'][number]): boolean {
  return !plan.incremental || plan.arrays.length > 0 || (plan.embeds ?? []).length > 0;
}

/** The run's history store: in the target database, or in --history-db on the same server. */
export function historyStore(ctx: RunContext, db: Db): HistoryStore {
  const name = ctx.opts.historyDatabase;
  return new HistoryStore(db, name ? db.client.db(name) : undefined);
}

/** Settles the write mode of every collection and opens (or reopens) the run's history record. */
export async function decideWriteModes(
  ctx: RunContext,
  src: SourceStage,
  db: Db,
  resumed?: MigrationRecord,
): Promise<WritePlan> {
  const store = historyStore(ctx, db);
  if (resumed) return resumeModes(ctx, src, store, resumed);
  if (ctx.opts.incremental) return incrementalModes(ctx, src, store);
  const policy = await settleExisting(ctx, src, db);
  const modes = new Map<string, WriteMode>();
  for (const c of src.plan.collections) {
    const existing = ctx.collection(c.collection).existing;
    existing.action = existing.documents > 0 ? policy : ctx.opts.ifExists === 'upsert' ? 'upserted' : 'none';
    modes.set(
      c.collection,
      existing.documents > 0 && policy === 'upserted'
        ? { kind: 'compare', deletes: !!ctx.opts.syncDeletes }
        : { kind: 'insert', drop: existing.action === 'dropped', onConflict: 'refuse', skip: 0 },
    );
  }
  return { modes, record: await startRecord(ctx, src, store, 'full') };
}

/** Counts what the target holds and applies --if-exists (asking when it says so); returns the action for non-empty collections. */
async function settleExisting(
  ctx: RunContext,
  src: SourceStage,
  db: Db,
): Promise<'dropped' | 'appended' | 'upserted' | 'none'> {
  const { opts } = ctx;
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const existing: ExistingCollection[] = [];
  for (const c of src.plan.collections) {
    if (!names.has(c.collection)) continue;
    // The collection's stored count: only "empty or not" and the figure for the question depend on it.
    const documents = await storedDocumentCount(db, c.collection);
    ctx.collection(c.collection).existing.documents = documents;
    if (documents > 0) existing.push({ collection: c.collection, documents });
  }
  let policy = opts.ifExists ?? 'ask';
  if (existing.length > 0 && (policy === 'ask' || policy === 'fail')) {
    const list = existing.map((e) => `${e.collection} (${e.documents} documents)`).join(', ');
    if (policy === 'ask' && opts.askExisting) {
      const answer = await opts.askExisting(existing);
      if (answer === 'cancel')
        throw new MigrationError('CANCELLED', `Cancelled: ${opts.database} already has ${list}; nothing was written.`);
      policy = answer;
    } else {
      throw new MigrationError(
        'TARGET_NOT_EMPTY',
        `${opts.database} already has ${list}; nothing was written.`,
        'Choose what to do with them: --if-exists drop (replace), append (add, report duplicates), upsert (replace by _id) or fail.',
      );
    }
  }
  return policy === 'drop' ? 'dropped' : policy === 'upsert' ? 'upserted' : policy === 'append' ? 'appended' : 'none';
}

function sourceIdentity(ctx: RunContext): MigrationRecord['source'] {
  const s = ctx.report.source;
  return { path: s.path, sizeBytes: s.sizeBytes ?? 0, fingerprint: s.fingerprint ?? '' };
}

async function startRecord(
  ctx: RunContext,
  src: SourceStage,
  store: HistoryStore,
  kind: MigrationRecord['kind'],
  parent?: string,
): Promise<RunRecord> {
  const now = new Date();
  const collections: CollectionRecord[] = src.plan.collections.map((c) => {
    const r = ctx.collection(c.collection);
    return {
      collection: c.collection,
      table: c.table,
      existedBefore: r.existing.documents > 0,
      documentsBefore: r.existing.documents,
      action: r.existing.action,
      checkpoint: 0,
      done: false,
      imported: 0,
      failed: 0,
    };
  });
  const record: MigrationRecord = {
    _id: newRunId(now),
    kind,
    ...(parent ? { parent } : {}),
    status: 'running',
    source: sourceIdentity(ctx),
    planHash: planHash(src.plan),
    plan: JSON.stringify(src.plan),
    // What --resume needs to continue exactly as started (docs/migration.md, "Migration history").
    options: { ...ctx.report.options, ...(ctx.opts.includeViews ? { includeViews: true } : {}) },
    startedAt: now,
    updatedAt: now,
    collections,
  };
  await store.insert(record);
  ctx.report.runId = record._id;
  return { store, record };
}

/** The source and plan must be those of the run being continued, or continuing would mix two different copies. */
function checkSameSource(ctx: RunContext, src: SourceStage, record: MigrationRecord, what: string): void {
  if (record.source.fingerprint !== ctx.report.source.fingerprint && !ctx.opts.incremental) {
    throw new MigrationError(
      'HISTORY_MISMATCH',
      `Cannot ${what} run ${record._id}: the source changed since (its content fingerprint differs).`,
      'Start over with --if-exists drop, or copy the changes with --incremental once a run has completed.',
    );
  }
  if (record.planHash !== planHash(src.plan)) {
    throw new MigrationError(
      'HISTORY_MISMATCH',
      `Cannot ${what} run ${record._id}: the mapping plan differs from the one it used.`,
      'Use the same --plan file (sqlite2mongo history shows the run), or start over with --if-exists drop.',
    );
  }
}

async function resumeModes(
  ctx: RunContext,
  src: SourceStage,
  store: HistoryStore,
  record: MigrationRecord,
): Promise<WritePlan> {
  checkSameSource(ctx, src, record, 'resume');
  const syncDeletes = record.options.syncDeletes === true;
  const modes = new Map<string, WriteMode>();
  for (const c of src.plan.collections) {
    const saved = record.collections.find((x) => x.collection === c.collection);
    const r = ctx.collection(c.collection);
    r.existing = { documents: saved?.documentsBefore ?? 0, action: saved?.action ?? 'none' };
    if (saved?.done) modes.set(c.collection, { kind: 'skip' });
    // Documents that were there before this run may differ from the source anywhere: compare the whole collection.
    else if (saved?.action === 'upserted' && saved.existedBefore)
      modes.set(c.collection, { kind: 'compare', deletes: syncDeletes });
    // Otherwise everything up to the checkpoint is ours and durable; past it, conflicts are our own lost-ack batches.
    else modes.set(c.collection, { kind: 'insert', drop: false, onConflict: 'ours', skip: saved?.checkpoint ?? 0 });
  }
  ctx.report.runId = record._id;
  await store.update(record._id, { status: 'running', resumedAt: [...(record.resumedAt ?? []), new Date()] });
  ctx.log(
    'info',
    `Resuming run ${record._id}: ${record.collections.filter((c) => c.done).length} of ${record.collections.length} collections already done.`,
  );
  return { modes, record: { store, record } };
}

async function incrementalModes(ctx: RunContext, src: SourceStage, store: HistoryStore): Promise<WritePlan> {
  const base = await store.latestCompleted();
  if (!base)
    throw new MigrationError(
      'HISTORY_MISMATCH',
      `No completed migration in ${ctx.opts.database} to continue from.`,
      'Run a full migration first; --incremental then copies what changed since.',
    );
  checkSameSource(ctx, src, base, 'continue');
  if (base.verified === false || base.options.validate === false) {
    const note = `This incremental run builds on run ${base._id}, which was not validated (--no-validate): only what this run writes is checked.`;
    ctx.report.notes.push(note);
    ctx.log('warn', note);
  }
  const modes = new Map<string, WriteMode>();
  for (const c of src.plan.collections) {
    const r = ctx.collection(c.collection);
    r.existing = { documents: await storedDocumentCount(store.db, c.collection), action: 'upserted' };
    const previous = base.collections.find((x) => x.collection === c.collection)?.watermark;
    const byWatermark = !copiedWhole(c) && !!previous?.value && previous.column === c.incremental?.column;
    // --sync-deletes needs every source row anyway: the comparing pass then finds changes and deletions at once.
    modes.set(
      c.collection,
      byWatermark && !ctx.opts.syncDeletes ? { kind: 'changed' } : { kind: 'compare', deletes: !!ctx.opts.syncDeletes },
    );
  }
  return { modes, record: await startRecord(ctx, src, store, 'incremental', base._id), base };
}

import { MongoServerError } from 'mongodb';
import { MigrationError } from '../errors';
import { HistoryStore, newRunId, planHash, type CollectionRecord, type MigrationRecord } from '../history/records';
import { defaultPlanFor } from '../plan/defaultPlan';
import { checkDatabaseName, connectMongo, explainConnectionError } from '../mongo/connect';
import { DEFAULT_CONCURRENCY } from '../mongo/writer';
import { readNdjsonHeader } from '../ndjson/reader';
import { checkPlan } from '../plan/check';
import { introspect, listSkippedTables, openSqliteSource } from '../sqlite';
import type { ExistingCollection, Run } from './run';

/** Opens the source (or the input file's header) and settles the plan. */
export async function prepareSource(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.inputFile) {
    const header = await readNdjsonHeader(opts.inputFile);
    run.schema = header.schema;
    run.plan = opts.plan ? checkPlan(opts.plan, header.schema) : header.plan;
    run.report.source = { path: header.source.path, sizeBytes: header.source.sizeBytes, fingerprint: header.source.fingerprint, inputFile: opts.inputFile };
  } else {
    if (!opts.sqlitePath) throw new MigrationError('USAGE', 'No SQLite database given.', 'Pass --sqlite-url (a path or sqlite:///… URL).');
    const source = await openSqliteSource(opts.sqlitePath);
    run.source = source;
    run.schema = introspect(source);
    if (opts.plan) run.plan = checkPlan(opts.plan, run.schema);
    else {
      const built = defaultPlanFor(source, run.schema, undefined, { includeViews: opts.includeViews });
      run.plan = built.plan;
      run.report.notes.push(...built.notes);
    }
    run.report.source = { path: source.path, sizeBytes: source.sizeBytes, fingerprint: source.fingerprint, walFramesApplied: source.walFramesApplied };
    if (run.schema.tables.length === 0 && run.plan.collections.length === 0) {
      const virtual = listSkippedTables(source).filter((t) => t.reason === 'virtual');
      if (virtual.length > 0) {
        const list = virtual.map((t) => `${t.name} (${t.detail})`).join(', ');
        throw new MigrationError('SOURCE_EMPTY', `${source.path} has no ordinary tables, only virtual tables, which are not migrated: ${list}.`, 'Copy their rows into ordinary tables (CREATE TABLE copy AS SELECT rowid, * FROM …) and migrate those.');
      }
      throw new MigrationError('SOURCE_EMPTY', `${source.path} has no tables: nothing to migrate.`, 'Check that this is the right database file.');
    }
  }
  for (const c of run.plan.collections) run.collection(c);
  run.emit({ type: 'plan', plan: run.plan, notes: run.report.notes });
}

/** Connects, and settles what happens to collections that already hold documents — before anything is written. */
export async function prepareTarget(run: Run): Promise<void> {
  try {
    await connectAndSettle(run);
  } catch (e) {
    // A name MongoDB allows but this server does not (FerretDB is stricter) shows up at the first write.
    if (e instanceof MongoServerError && e.code === 73) {
      throw new MigrationError('TARGET_DB_NAME_INVALID', `The server refuses the database name ${JSON.stringify(run.opts.database)}: ${e.message}`, 'Use letters, digits, "_" and "-" (pass --mongodb-db).', { cause: e });
    }
    // Unauthorized: the server wants credentials the URL does not carry (or a user without rights on the database).
    if (e instanceof MongoServerError && e.code === 13) throw explainConnectionError(e, run.opts.mongoUrl);
    throw e;
  }
}

async function connectAndSettle(run: Run): Promise<void> {
  const { opts } = run;
  checkDatabaseName(opts.database);
  run.client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs, maxPoolSize: Math.max(4, (opts.concurrency ?? DEFAULT_CONCURRENCY) + 2) });
  run.db = run.client.db(opts.database);
  const buildInfo: { ferretdbVersion?: string } = await run.client.db('admin').command({ buildInfo: 1 }).catch(() => ({}));
  run.targetIsFerretDb = !!buildInfo.ferretdbVersion;
  if (!run.steps.includes('import')) return;
  run.history = new HistoryStore(run.db);
  if (opts.resume) return prepareResume(run);
  if (opts.incremental) return prepareIncremental(run);
  await settleExisting(run);
  await startRecord(run, 'full');
}

async function settleExisting(run: Run): Promise<void> {
  const { opts } = run;
  const db = run.db!;
  const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const existing: ExistingCollection[] = [];
  for (const c of run.plan.collections) {
    if (!names.has(c.collection)) continue;
    const documents = await db.collection(c.collection).countDocuments({});
    run.collection(c).existing.documents = documents;
    if (documents > 0) existing.push({ collection: c.collection, documents });
  }
  let policy = opts.ifExists ?? 'ask';
  if (existing.length > 0 && (policy === 'ask' || policy === 'fail')) {
    const list = existing.map((e) => `${e.collection} (${e.documents} documents)`).join(', ');
    if (policy === 'ask' && opts.askExisting) {
      const answer = await opts.askExisting(existing);
      if (answer === 'cancel') throw new MigrationError('CANCELLED', `Cancelled: ${opts.database} already has ${list}; nothing was written.`);
      policy = answer;
    } else {
      throw new MigrationError(
        'TARGET_NOT_EMPTY',
        `${opts.database} already has ${list}; nothing was written.`,
        'Choose what to do with them: --if-exists drop (replace), append (add, report duplicates), upsert (replace by _id) or fail.',
      );
    }
  }
  const action = policy === 'drop' ? 'dropped' : policy === 'upsert' ? 'upserted' : policy === 'append' ? 'appended' : 'none';
  for (const c of run.plan.collections) {
    const existing = run.collection(c).existing;
    // Upsert mode upserts everywhere (idempotent reruns); the other policies only matter where data exists.
    existing.action = existing.documents > 0 ? action : policy === 'upsert' ? 'upserted' : 'none';
  }
}

function sourceIdentity(run: Run): MigrationRecord['source'] {
  const s = run.report.source;
  return { path: s.path, sizeBytes: s.sizeBytes ?? 0, fingerprint: s.fingerprint ?? '' };
}

async function startRecord(run: Run, kind: MigrationRecord['kind'], parent?: string): Promise<void> {
  const now = new Date();
  const collections: CollectionRecord[] = run.plan.collections.map((c) => {
    const r = run.collection(c);
    return { collection: c.collection, table: c.table, existedBefore: r.existing.documents > 0, documentsBefore: r.existing.documents, action: r.existing.action, checkpoint: 0, done: false, imported: 0, failed: 0 };
  });
  run.record = {
    _id: newRunId(now),
    kind,
    ...(parent ? { parent } : {}),
    status: 'running',
    source: sourceIdentity(run),
    planHash: planHash(run.plan),
    plan: JSON.stringify(run.plan),
    options: { ...run.report.options },
    startedAt: now,
    updatedAt: now,
    collections,
  };
  await run.history!.insert(run.record);
  run.report.runId = run.record._id;
}

/** The source and plan must be those of the run being continued, or continuing would mix two different copies. */
function checkSameSource(run: Run, record: MigrationRecord, what: string): void {
  const fingerprint = run.report.source.fingerprint;
  if (record.source.fingerprint !== fingerprint && !run.opts.incremental) {
    throw new MigrationError('HISTORY_MISMATCH', `Cannot ${what} run ${record._id}: the source changed since (its content fingerprint differs).`, 'Start over with --if-exists drop, or copy the changes with --incremental once a run has completed.');
  }
  if (record.planHash !== planHash(run.plan)) {
    throw new MigrationError('HISTORY_MISMATCH', `Cannot ${what} run ${record._id}: the mapping plan differs from the one it used.`, 'Use the same --plan file (sqlite2mongo history shows the run), or start over with --if-exists drop.');
  }
}

async function prepareResume(run: Run): Promise<void> {
  const record = await run.history!.latestUnfinished();
  if (!record) throw new MigrationError('HISTORY_MISMATCH', `Nothing to resume in ${run.opts.database}: it has no interrupted run.`, 'Run the migration without --resume.');
  checkSameSource(run, record, 'resume');
  for (const c of run.plan.collections) {
    const saved = record.collections.find((x) => x.collection === c.collection);
    const r = run.collection(c);
    r.existing = { documents: saved?.documentsBefore ?? 0, action: saved?.action ?? 'none' };
  }
  run.record = record;
  run.report.runId = record._id;
  await run.history!.update(record._id, { status: 'running', resumedAt: [...(record.resumedAt ?? []), new Date()] });
  run.log('info', `Resuming run ${record._id}: ${record.collections.filter((c) => c.done).length} of ${record.collections.length} collections already done.`);
}

async function prepareIncremental(run: Run): Promise<void> {
  const base = await run.history!.latestCompleted();
  if (!base) throw new MigrationError('HISTORY_MISMATCH', `No completed migration in ${run.opts.database} to continue from.`, 'Run a full migration first; --incremental then copies what changed since.');
  checkSameSource(run, base, 'continue');
  run.baseRecord = base;
  for (const c of run.plan.collections) {
    const r = run.collection(c);
    r.existing = { documents: await run.db!.collection(c.collection).estimatedDocumentCount(), action: 'upserted' };
  }
  await startRecord(run, 'incremental', base._id);
}

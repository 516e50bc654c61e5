import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, type Collection, type Db, type Document, type MongoClient } from 'mongodb';
import { ErrorCodes, MigrationError, isMigrationError, throwIfAborted } from '../errors';
import { DocumentBuilder, type RowWarning } from '../convert/documents';
import { connectMongo, checkDatabaseName, maskUrl } from '../mongo/connect';
import { createPlannedIndexes } from '../mongo/indexes';
import { BulkWriter, DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, MAX_DOCUMENT_BYTES } from '../mongo/writer';
import { NdjsonWriter } from '../ndjson/writer';
import { readNdjson, readNdjsonHeader } from '../ndjson/reader';
import { checkPlan } from '../plan/check';
import { defaultPlanFor } from '../inspect';
import type { CollectionPlan, MappingPlan } from '../plan/types';
import { introspect, openSqliteSource, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import { validateCollection, type ExpectedDocument } from '../validate/validator';
import { STEPS, type MigrationEvent, type StepName } from './events';
import { TOOL_VERSION, type CollectionReport, type MigrationReport, type StepReport } from './report';
import { ProgressMeter } from './progress';

export type IfExists = 'ask' | 'drop' | 'append' | 'upsert' | 'fail';

export interface ExistingCollection {
  collection: string;
  documents: number;
}

export interface MigrateOptions {
  /** The SQLite file. Not needed with `inputFile`. */
  sqlitePath?: string;
  /** Import an intermediate NDJSON file instead of reading SQLite (validation then compares with the file). */
  inputFile?: string;
  mongoUrl: string;
  database: string;
  plan?: MappingPlan;
  /** Keep the intermediate NDJSON here (otherwise a temporary file is used and removed). */
  outputFile?: string;
  dryRun?: boolean;
  batchSize?: number;
  concurrency?: number;
  ifExists?: IfExists;
  onError?: 'stop' | 'skip';
  /** Skip step 4 (not recommended: validation is what proves the copy). */
  skipValidation?: boolean;
  connectTimeoutMs?: number;
  /** Called for `ifExists: 'ask'` when target collections already hold documents. */
  askExisting?: (existing: ExistingCollection[]) => Promise<'drop' | 'append' | 'upsert' | 'cancel'>;
  /** Run only these steps (e.g. ['export'] for `sqlite2mongo export`, ['validate'] for `sqlite2mongo validate`). */
  steps?: StepName[];
  signal?: AbortSignal;
  onEvent?: (event: MigrationEvent) => void;
}

const KEEP_WARNING_SAMPLES = 100;

/** Per-run state shared by the steps. */
class Run {
  readonly report: MigrationReport;
  readonly collections = new Map<string, CollectionReport>();
  source?: SqliteSource;
  schema?: SchemaInfo;
  plan!: MappingPlan;
  client?: MongoClient;
  db?: Db;
  ndjsonPath?: string;
  removeNdjson = false;
  readonly started = Date.now();
  readonly steps: StepName[];

  constructor(readonly opts: MigrateOptions) {
    this.steps = STEPS.map((s) => s.name).filter((name) => !opts.steps || opts.steps.includes(name));
    this.report = {
      tool: { name: 'sqlite2mongo', version: TOOL_VERSION },
      status: 'failed',
      exitCode: ErrorCodes.INTERNAL,
      source: opts.inputFile ? { path: opts.sqlitePath ?? '', inputFile: opts.inputFile } : { path: opts.sqlitePath ?? '' },
      target: { url: maskUrl(opts.mongoUrl), database: opts.database },
      options: {
        batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
        concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
        ifExists: opts.ifExists ?? 'ask',
        onError: opts.onError ?? 'stop',
        dryRun: !!opts.dryRun,
        ...(opts.outputFile ? { outputFile: opts.outputFile } : {}),
      },
      startedAt: new Date(this.started).toISOString(),
      finishedAt: '',
      durationMs: 0,
      steps: {},
      totals: { exported: 0, imported: 0, failed: 0, duplicates: 0, validated: 0, mismatches: 0, warnings: 0 },
      collections: [],
      warnings: { byKind: {}, samples: [] },
      errors: [],
      mismatches: [],
      notes: [],
    };
  }

  emit(e: MigrationEvent): void {
    this.opts.onEvent?.(e);
  }

  log(level: 'info' | 'warn' | 'error', message: string): void {
    this.emit({ type: 'log', level, message });
  }

  warn = (w: RowWarning): void => {
    const r = this.report;
    r.totals.warnings++;
    r.warnings.byKind[w.kind] = (r.warnings.byKind[w.kind] ?? 0) + 1;
    if (r.warnings.samples.length < KEEP_WARNING_SAMPLES) r.warnings.samples.push(w);
    const c = [...this.collections.values()].find((x) => x.table === w.table);
    if (c) c.warnings++;
  };

  collection(plan: CollectionPlan): CollectionReport {
    let c = this.collections.get(plan.collection);
    if (!c) {
      const rows = this.schema?.tables.find((t) => t.name === plan.table)?.rowCount ?? 0;
      c = { collection: plan.collection, table: plan.table, sourceRows: rows, exported: 0, imported: 0, failed: 0, duplicates: 0, duplicateKeys: [], warnings: 0, existing: { documents: 0, action: 'none' }, indexes: [] };
      this.collections.set(plan.collection, c);
      this.report.collections.push(c);
    }
    return c;
  }

  async step(name: StepName, totalItems: number, body: (meter: ProgressMeter) => Promise<number>, skipped?: string): Promise<void> {
    if (!this.steps.includes(name)) return;
    const index = this.steps.indexOf(name) + 1;
    const label = STEPS.find((s) => s.name === name)?.label ?? name;
    this.emit({ type: 'step-start', step: name, index, total: this.steps.length, label, totalItems });
    const t0 = Date.now();
    if (skipped) {
      this.report.steps[name] = { durationMs: 0, items: 0, ratePerSec: 0, skipped };
      this.emit({ type: 'step-end', step: name, index, durationMs: 0, done: 0, skipped });
      return;
    }
    const meter = new ProgressMeter(totalItems, (done, total, rate, collection) => this.emit({ type: 'progress', step: name, done, total, ratePerSec: rate, collection }));
    const items = await body(meter);
    meter.flush();
    const durationMs = Date.now() - t0;
    const step: StepReport = { durationMs, items, ratePerSec: durationMs > 0 ? Math.round((items * 1000) / durationMs) : items };
    this.report.steps[name] = step;
    this.emit({ type: 'step-end', step: name, index, durationMs, done: items });
  }
}

/** Opens the source (or the input file's header) and settles the plan. */
async function prepareSource(run: Run): Promise<void> {
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
      const built = defaultPlanFor(source, run.schema);
      run.plan = built.plan;
      run.report.notes.push(...built.notes);
    }
    run.report.source = { path: source.path, sizeBytes: source.sizeBytes, fingerprint: source.fingerprint, walFramesApplied: source.walFramesApplied };
    if (run.schema.tables.length === 0) {
      throw new MigrationError('SOURCE_EMPTY', `${source.path} has no tables: nothing to migrate.`, 'Check that this is the right database file.');
    }
  }
  for (const c of run.plan.collections) run.collection(c);
  run.emit({ type: 'plan', plan: run.plan, notes: run.report.notes });
}

/** Connects, and settles what happens to collections that already hold documents — before anything is written. */
async function prepareTarget(run: Run, willImport: boolean): Promise<void> {
  const { opts } = run;
  checkDatabaseName(opts.database);
  run.client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs, maxPoolSize: Math.max(4, (opts.concurrency ?? DEFAULT_CONCURRENCY) + 2) });
  run.db = run.client.db(opts.database);
  const names = new Set((await run.db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const existing: ExistingCollection[] = [];
  if (!willImport) return;
  for (const c of run.plan.collections) {
    if (!names.has(c.collection)) continue;
    const documents = await run.db.collection(c.collection).countDocuments({});
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

function totalSourceRows(run: Run): number {
  return run.plan.collections.reduce((n, c) => n + run.collection(c).sourceRows, 0);
}

/** Step 1: SQLite rows → documents → the intermediate file (or, in a dry run without a file, only counted). */
async function exportStep(run: Run): Promise<void> {
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
  await run.step('export', totalSourceRows(run), async (meter) => {
    if (!run.steps.includes('import') && !run.ndjsonPath && !opts.dryRun) throw new MigrationError('USAGE', 'Export needs --output-file.');
    const writer = run.ndjsonPath ? await NdjsonWriter.create(run.ndjsonPath, { source: { path: source.path, sizeBytes: source.sizeBytes, fingerprint: source.fingerprint }, plan: run.plan, schema: run.schema as SchemaInfo }) : undefined;
    let done = 0;
    try {
      for (const plan of run.plan.collections) {
        const report = run.collection(plan);
        const table = run.schema?.tables.find((t) => t.name === plan.table);
        if (!table) continue;
        const builder = new DocumentBuilder(source, table, plan, run.plan.options);
        for (const { doc } of builder.documents(run.warn)) {
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
      }
      if (writer) await writer.finish();
    } catch (e) {
      if (writer) await writer.abort();
      throw e;
    }
    run.report.totals.exported = done;
    return done;
  });
}

/** Step 2: the intermediate file → MongoDB, one pipelined writer per collection. */
async function importStep(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.dryRun) return run.step('import', 0, async () => 0, 'dry run: nothing written');
  const db = run.db as Db;
  const planned = new Map(run.plan.collections.map((c) => [c.collection, c]));
  const total = opts.inputFile ? 0 : run.report.totals.exported;
  await run.step('import', total, async (meter) => {
    for (const c of run.plan.collections) {
      if (run.collection(c).existing.action === 'dropped') await db.collection(c.collection).drop().catch(() => undefined);
    }
    let writer: BulkWriter | undefined;
    let current: CollectionReport | undefined;
    let base = 0;
    let imported = 0;
    const finishCollection = async () => {
      if (!writer || !current) return;
      const counts = await writer.finish();
      current.imported = counts.written;
      current.failed = counts.failed;
      current.duplicates = counts.duplicates;
      current.duplicateKeys = counts.duplicateKeys;
      run.report.errors.push(...counts.errors.slice(0, Math.max(0, 1000 - run.report.errors.length)));
      base += counts.written + counts.failed;
      imported += counts.written;
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
          const collection: Collection<Document> = db.collection(row.collection);
          const upsert = current.existing.action === 'upserted';
          writer = new BulkWriter(collection, {
            collectionName: row.collection,
            batchSize: opts.batchSize,
            concurrency: opts.concurrency,
            mode: upsert ? 'upsert' : 'insert',
            onError: opts.onError ?? 'stop',
            signal: opts.signal,
            onBatch: (counts) => meter.update(base + counts.written + counts.failed, row.collection),
          });
        }
        if (opts.inputFile) current.exported++;
        await (writer as BulkWriter).add(row.doc, row.table);
      }
      await finishCollection();
    } catch (e) {
      await writer?.drain();
      if (writer && current) {
        current.imported = writer.counts.written;
        current.failed = writer.counts.failed;
      }
      throw e;
    }
    if (opts.inputFile) run.report.totals.exported = [...run.collections.values()].reduce((n, c) => n + c.exported, 0);
    return imported;
  });
}

async function indexStep(run: Run): Promise<void> {
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

async function validateStep(run: Run): Promise<void> {
  const { opts } = run;
  if (opts.dryRun) return run.step('validate', 0, async () => 0, 'dry run: nothing to validate');
  if (opts.skipValidation) return run.step('validate', 0, async () => 0, 'skipped (--no-validate)');
  const db = run.db as Db;
  const total = run.report.totals.exported || totalSourceRows(run);
  await run.step('validate', total, async (meter) => {
    let base = 0;
    for (const c of run.plan.collections) {
      const report = run.collection(c);
      const table = run.schema?.tables.find((t) => t.name === c.table);
      const expected = run.source && table ? new DocumentBuilder(run.source, table, c, run.plan.options).documents(() => undefined) : expectedFromFile(run.ndjsonPath as string, c.collection);
      const v = await validateCollection(expected, db.collection(c.collection), {
        collectionName: c.collection,
        // Documents that were there before an append or upsert are not the source's: count them, don't flag them.
        allowOthers: report.existing.action === 'appended' || report.existing.action === 'upserted',
        signal: opts.signal,
        onProgress: (n) => meter.update(base + n, c.collection),
        onMismatch: (m) => run.emit({ type: 'mismatch', mismatch: m }),
      });
      report.validation = { matched: v.matched, differing: v.differing, missing: v.missing, extra: v.extra, mismatches: v.mismatchCount, others: v.others };
      run.report.totals.validated += v.matched;
      run.report.totals.mismatches += v.mismatchCount;
      run.report.mismatches.push(...v.mismatches.slice(0, Math.max(0, 1000 - run.report.mismatches.length)));
      base += v.expected;
    }
    return base;
  });
}

function finish(run: Run, error?: unknown): MigrationReport {
  const r = run.report;
  r.finishedAt = new Date().toISOString();
  r.durationMs = Date.now() - run.started;
  r.totals.imported = r.collections.reduce((n, c) => n + c.imported, 0);
  r.totals.failed = r.collections.reduce((n, c) => n + c.failed, 0);
  r.totals.duplicates = r.collections.reduce((n, c) => n + c.duplicates, 0);
  if (error) {
    const e = isMigrationError(error) ? error : new MigrationError('INTERNAL', error instanceof Error ? error.message : String(error), undefined, { cause: error });
    r.status = e.code === 'CANCELLED' ? 'cancelled' : 'failed';
    r.exitCode = e.exitCode;
    r.error = { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  } else if (run.opts.dryRun) {
    r.status = 'dry-run';
    r.exitCode = 0;
  } else if (r.totals.failed > 0) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.ROWS_FAILED;
    r.error = { code: 'ROWS_FAILED', message: `${r.totals.failed} row(s) were refused by the server (see errors).` };
  } else if (r.totals.mismatches > 0 || r.collections.some((c) => c.indexes.some((i) => i.status === 'failed'))) {
    r.status = 'failed';
    r.exitCode = ErrorCodes.VALIDATION_FAILED;
    r.error = { code: 'VALIDATION_FAILED', message: r.totals.mismatches > 0 ? `${r.totals.mismatches} mismatch(es) between source and target (see mismatches).` : 'Some indexes could not be created.' };
  } else {
    r.status = 'succeeded';
    r.exitCode = 0;
  }
  return r;
}

/**
 * Migrates a SQLite database (or an intermediate file) into MongoDB in four steps — export, import, indexes,
 * validate — and returns the report. It never throws for problems the user can act on: the report's status,
 * exitCode and error say what happened (and what was written before it stopped).
 */
export async function migrate(opts: MigrateOptions): Promise<MigrationReport> {
  const run = new Run(opts);
  try {
    await prepareSource(run);
    const needsTarget = run.steps.some((s) => s !== 'export');
    if (!opts.dryRun && needsTarget) await prepareTarget(run, run.steps.includes('import'));
    if (run.steps.includes('export') || opts.inputFile) await exportStep(run);
    else run.ndjsonPath = opts.inputFile;
    await importStep(run);
    await indexStep(run);
    await validateStep(run);
    return finish(run);
  } catch (e) {
    // No log event here: the report's error carries it, and front ends show that once.
    return finish(run, e);
  } finally {
    run.source?.close();
    await run.client?.close().catch(() => undefined);
    if (run.removeNdjson && run.ndjsonPath) await fs.rm(path.dirname(run.ndjsonPath), { recursive: true, force: true });
  }
}

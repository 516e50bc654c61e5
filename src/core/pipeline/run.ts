import type { Db, MongoClient } from 'mongodb';
import { ErrorCodes } from '../errors';
import type { RowWarning } from '../convert/documents';
import type { HistoryStore, MigrationRecord } from '../history/records';
import { maskUrl } from '../mongo/connect';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../mongo/writer';
import type { CollectionPlan, MappingPlan } from '../plan/types';
import { findRelation, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import { RowLedger } from '../validate/accounting';
import { STEPS, type MigrationEvent, type StepName } from './events';
import { ProgressMeter } from './progress';
import { TOOL_VERSION, type CollectionReport, type MigrationReport, type StepReport } from './report';

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
  /** Without a plan: migrate views too (each becomes a collection with _ids by row position). */
  includeViews?: boolean;
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
  /** Tries per batch when the server drops away (default 6, with 15.5 s of backoff in all); then the run fails and can be resumed. */
  retryAttempts?: number;
  /** Continue the newest interrupted run in this database from its checkpoints (no duplicates, finished collections skipped). */
  resume?: boolean;
  /** Copy only rows added or changed since the newest completed run (by each collection's watermark column). */
  incremental?: boolean;
  /** With `incremental`: delete target documents whose rows are gone from the source. */
  syncDeletes?: boolean;
  /** Called for `ifExists: 'ask'` when target collections already hold documents. */
  askExisting?: (existing: ExistingCollection[]) => Promise<'drop' | 'append' | 'upsert' | 'cancel'>;
  /** Run only these steps (e.g. ['export'] for `sqlite2mongo export`, ['validate'] for `sqlite2mongo validate`). */
  steps?: StepName[];
  signal?: AbortSignal;
  onEvent?: (event: MigrationEvent) => void;
}

const KEEP_WARNING_SAMPLES = 100;

/** Per-run state shared by the steps. */
export class Run {
  readonly report: MigrationReport;
  readonly collections = new Map<string, CollectionReport>();
  source?: SqliteSource;
  schema?: SchemaInfo;
  plan!: MappingPlan;
  client?: MongoClient;
  db?: Db;
  ndjsonPath?: string;
  removeNdjson = false;
  /** The history record of this run (absent for dry runs and single-step commands). */
  history?: HistoryStore;
  record?: MigrationRecord;
  /** FerretDB (the test server) needs some writes shaped differently; see BulkWriterOptions.oneReplacePerCommand. */
  targetIsFerretDb = false;
  /** For --incremental: the completed run this one continues from. */
  baseRecord?: MigrationRecord;
  readonly started = Date.now();
  /** Row accounting: what the export built and refused (validate/accounting.ts). */
  readonly ledger = new RowLedger();
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
        ...(opts.resume ? { resume: true } : {}),
        ...(opts.incremental ? { incremental: true, syncDeletes: !!opts.syncDeletes } : {}),
      },
      startedAt: new Date(this.started).toISOString(),
      finishedAt: '',
      durationMs: 0,
      steps: {},
      totals: { exported: 0, imported: 0, failed: 0, duplicates: 0, deleted: 0, validated: 0, mismatches: 0, warnings: 0 },
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
      const rows = (this.schema && findRelation(this.schema, plan.table)?.rowCount) ?? 0;
      c = { collection: plan.collection, table: plan.table, sourceRows: rows, exported: 0, imported: 0, failed: 0, duplicates: 0, duplicateKeys: [], deleted: 0, warnings: 0, existing: { documents: 0, action: 'none' }, indexes: [] };
      this.collections.set(plan.collection, c);
      this.report.collections.push(c);
    }
    return c;
  }

  totalSourceRows(): number {
    return this.plan.collections.reduce((n, c) => n + this.collection(c).sourceRows, 0);
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

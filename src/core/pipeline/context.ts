import { ErrorCodes } from '../errors';
import type { RowWarning } from '../convert/documentParts';
import { maskUrl } from '../mongo/connect';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../mongo/writer';
import type { CollectionPlan } from '../plan/types';
import { RowLedger } from '../validate/accounting';
import { STEPS, type MigrationEvent, type StepName } from './events';
import type { MigrateOptions } from './options';
import { ProgressMeter } from './progress';
import { TOOL_VERSION, type CollectionReport, type MigrationReport, type StepReport } from './report';

export type { ExistingCollection, IfExists, MigrateOptions } from './options';

const KEEP_WARNING_SAMPLES = 100;

function initialReport(opts: MigrateOptions, started: number): MigrationReport {
  return {
    tool: { name: 'sqlite2mongo', version: TOOL_VERSION },
    status: 'failed',
    exitCode: ErrorCodes.INTERNAL,
    source: opts.inputFile
      ? { path: opts.sqlitePath ?? '', inputFile: opts.inputFile }
      : { path: opts.sqlitePath ?? '' },
    target: {
      url: maskUrl(opts.mongoUrl),
      database: opts.database,
      historyDatabase: opts.historyDatabase || opts.database,
    },
    options: {
      batchSize: opts.batchSize ?? DEFAULT_BATCH_SIZE,
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
      ifExists: opts.ifExists ?? 'ask',
      onError: opts.onError ?? 'stop',
      dryRun: !!opts.dryRun,
      ...(opts.outputFile ? { outputFile: opts.outputFile } : {}),
      ...(opts.resume ? { resume: true } : {}),
      ...(opts.incremental ? { incremental: true } : {}),
      ...(opts.syncDeletes ? { syncDeletes: true } : {}),
      ...(opts.skipValidation ? { validate: false } : {}),
      ...(opts.writeConcern ? { writeConcern: opts.writeConcern } : {}),
    },
    startedAt: new Date(started).toISOString(),
    finishedAt: '',
    durationMs: 0,
    steps: {},
    totals: {
      exported: 0,
      imported: 0,
      failed: 0,
      duplicates: 0,
      deleted: 0,
      validated: 0,
      mismatches: 0,
      warnings: 0,
      unchanged: 0,
      replaced: 0,
      inserted: 0,
    },
    collections: [],
    warnings: { byKind: {}, samples: [] },
    errors: [],
    mismatches: [],
    notes: [],
  };
}

/**
 * What every stage shares: the options, the report being filled in (the run's figures), events to the front end and
 * the step runner. Stage results (source, target, write modes) are passed from stage to stage, not stored here.
 */
export class RunContext {
  readonly report: MigrationReport;
  opts: MigrateOptions;
  private readonly byCollection = new Map<string, CollectionReport>();
  readonly started = Date.now();
  /** Row accounting: what the export built and refused (validate/accounting.ts). */
  readonly ledger = new RowLedger();
  /** The steps this command runs, in order. */
  readonly steps: StepName[];

  constructor(opts: MigrateOptions) {
    this.opts = opts;
    this.steps = STEPS.map((s) => s.name).filter((name) => !opts.steps || opts.steps.includes(name));
    this.report = initialReport(opts, this.started);
  }

  /** --resume: continue with the options the interrupted run was started with (before anything is read or written). */
  adoptOptions(opts: MigrateOptions): void {
    this.opts = opts;
    this.report.options = initialReport(opts, this.started).options;
  }

  runs(step: StepName): boolean {
    return this.steps.includes(step);
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
    const c = r.collections.find((x) => x.table === w.table);
    if (c) c.warnings++;
  };

  /** Adds a planned collection to the report (once). */
  addCollection(plan: CollectionPlan, sourceRows: number): CollectionReport {
    const c = emptyCollectionReport(plan.collection, plan.table, sourceRows);
    this.byCollection.set(plan.collection, c);
    this.report.collections.push(c);
    return c;
  }

  collection(name: string): CollectionReport {
    const c = this.byCollection.get(name);
    if (!c) throw new Error(`internal: collection ${name} is not in the report`);
    return c;
  }

  totalSourceRows(): number {
    return this.report.collections.reduce((n, c) => n + c.sourceRows, 0);
  }

  /** Runs one step: start/end events, a progress meter (with a heartbeat), its timing in the report. */
  async step(
    name: StepName,
    totalItems: number,
    body: (meter: ProgressMeter) => Promise<number>,
    skipped?: string,
  ): Promise<void> {
    if (!this.runs(name)) return;
    const t0 = Date.now();
    this.startStep(name, totalItems);
    if (skipped) {
      this.endStep(name, { durationMs: 0, items: 0, ratePerSec: 0, skipped });
      return;
    }
    const meter = this.meter(name, totalItems);
    try {
      const items = await body(meter);
      meter.flush();
      const durationMs = Date.now() - t0;
      this.endStep(name, {
        durationMs,
        items,
        ratePerSec: durationMs > 0 ? Math.round((items * 1000) / durationMs) : items,
      });
    } finally {
      meter.stop();
    }
  }

  startStep(name: StepName, totalItems: number): void {
    const index = this.steps.indexOf(name) + 1;
    const label = STEPS.find((s) => s.name === name)?.label ?? name;
    this.emit({ type: 'step-start', step: name, index, total: this.steps.length, label, totalItems });
  }

  endStep(name: StepName, step: StepReport): void {
    this.report.steps[name] = step;
    this.emit({
      type: 'step-end',
      step: name,
      index: this.steps.indexOf(name) + 1,
      durationMs: step.durationMs,
      done: step.items,
      ...(step.skipped ? { skipped: step.skipped } : {}),
    });
  }

  meter(name: StepName, totalItems: number): ProgressMeter {
    return new ProgressMeter(totalItems, (done, total, rate, collection) =>
      this.emit({ type: 'progress', step: name, done, total, ratePerSec: rate, collection }),
    );
  }
}

/** A collection's report before anything was read or written (the run fills it in; tests build theirs from it). */
export function emptyCollectionReport(collection: string, table: string, sourceRows: number): CollectionReport {
  return {
    collection,
    table,
    sourceRows,
    exported: 0,
    imported: 0,
    failed: 0,
    duplicates: 0,
    duplicateKeys: [],
    deleted: 0,
    unchanged: 0,
    replaced: 0,
    inserted: 0,
    warnings: 0,
    existing: { documents: 0, action: 'none' },
    indexes: [],
  };
}

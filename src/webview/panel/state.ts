/** The panel's state: what it shows, persisted with setState so a reload or a hidden tab restores it. */
import type { IfExists, MigrationReport, NullHandling, SourceInspection, StepName } from '../../core';
import { STEPS } from '../../core/pipeline/events';
import type { ErrorInfo, PanelDefaults, PanelRunEvent, PersistedPanelState, RecentTarget } from './protocol';

export interface FormState {
  /** The connection string; kept in the persisted state only when it carries no password. */
  url: string;
  /** The recent target the URL came from (its secret URL can be asked for again after a reload). */
  targetId?: string;
  database: string;
  batchSize: number;
  ifExists: IfExists;
  onError: 'stop' | 'skip';
  dryRun: boolean;
  keepFile: boolean;
  outputFile: string;
  nulls: NullHandling;
  detectTextDates: boolean;
  timezone: string;
  includeViews: boolean;
  /** How long a connection attempt waits for the server (Test connection and the migration). */
  connectTimeoutSeconds: number;
}

export type ConnectionState =
  | { phase: 'testing' }
  /** `existingCollections`: the user's; `historyRuns`: the database also holds our run history (`historyCollection`). */
  | {
      phase: 'ok';
      serverVersion: string;
      existingCollections: string[];
      database: string;
      historyRuns: boolean;
      historyCollection: string;
    }
  | { phase: 'failed'; error: ErrorInfo };

export type StepStatus = 'pending' | 'running' | 'done' | 'skipped' | 'failed' | 'cancelled' | 'not-run';

export interface StepView {
  name: StepName;
  label: string;
  status: StepStatus;
  done: number;
  total: number;
  ratePerSec: number;
  durationMs?: number;
  skipped?: string;
  collection?: string;
}

export interface RunView {
  runId: number;
  /** The server (host:port) and database the run writes to. */
  target?: { host: string; database: string };
  /** When the page learnt of the run (Date.now()): the connecting state counts from it. */
  startedAt: number;
  phase: 'running' | 'cancelling' | 'finished' | 'interrupted';
  steps: StepView[];
  /** Warnings and errors the engine logged during the run (the last 50). */
  logs: Array<{ level: 'info' | 'warn' | 'error'; message: string }>;
  report?: MigrationReport;
  reportUri?: string;
  error?: ErrorInfo;
}

export interface ViewState extends PersistedPanelState {
  form: FormState;
  defaultsApplied: boolean;
  recentTargets: RecentTarget[];
  inspection?: SourceInspection;
  /** The designer's plan file the inspection used (e.g. `.sqlite2mongo/app.plan.json`); undefined: the default plan. */
  planFile?: string;
  inspectionError?: ErrorInfo;
  inspecting: boolean;
  /** Plan cards shown expanded (collection names); undefined until the user opens or closes one (see openCardsOf). */
  openCards?: string[];
  /** The plan filter's text. */
  planFilter: string;
  /** The target database's run-history collection, named in the summary. */
  historyCollection: string;
  connection?: ConnectionState;
  run?: RunView;
}

export function initialState(): ViewState {
  return {
    sourcePath: '',
    form: {
      url: 'mongodb://localhost:27017',
      database: '',
      batchSize: 1000,
      ifExists: 'ask',
      onError: 'stop',
      dryRun: false,
      keepFile: false,
      outputFile: '',
      nulls: 'keep',
      detectTextDates: true,
      timezone: 'UTC',
      includeViews: false,
      connectTimeoutSeconds: 10,
    },
    defaultsApplied: false,
    recentTargets: [],
    inspecting: false,
    planFilter: '',
    historyCollection: '_sqlite2mongo_migrations',
  };
}

export function applyDefaults(s: ViewState, d: PanelDefaults, database: string, outputFile: string): void {
  Object.assign(s.form, {
    database,
    outputFile,
    batchSize: d.batchSize,
    ifExists: d.ifExists,
    onError: d.onError,
    nulls: d.nulls,
    detectTextDates: d.detectTextDates,
    timezone: d.timezone,
    connectTimeoutSeconds: d.connectTimeoutSeconds,
  });
  s.defaultsApplied = true;
}

export function newRun(runId: number, steps: StepName[], target?: RunView['target'], startedAt = Date.now()): RunView {
  return {
    runId,
    target,
    startedAt,
    phase: 'running',
    steps: steps.map((name) => ({
      name,
      label: STEPS.find((x) => x.name === name)?.label ?? name,
      status: 'pending',
      done: 0,
      total: 0,
      ratePerSec: 0,
    })),
    logs: [],
  };
}

export function applyRunEvent(run: RunView, e: PanelRunEvent): void {
  if (e.type === 'log') {
    if (e.level !== 'info') run.logs = [...run.logs, { level: e.level, message: e.message }].slice(-50);
    return;
  }
  const step = run.steps.find((s) => s.name === e.step);
  if (!step) return;
  switch (e.type) {
    case 'step-start':
      Object.assign(step, { status: 'running', label: e.label, total: e.totalItems, done: 0, ratePerSec: 0 });
      break;
    case 'progress':
      Object.assign(step, {
        status: 'running',
        done: e.done,
        total: e.total,
        ratePerSec: e.ratePerSec,
        collection: e.collection,
      });
      break;
    case 'step-end':
      Object.assign(step, {
        status: e.skipped ? 'skipped' : 'done',
        done: e.done,
        total: Math.max(step.total, e.done),
        durationMs: e.durationMs,
        skipped: e.skipped,
        ratePerSec: e.durationMs > 0 ? Math.round((e.done * 1000) / e.durationMs) : step.ratePerSec,
      });
      break;
  }
}

/** Marks the step that was running when the run ended (cancelled or failed). */
export function finishRun(run: RunView, report: MigrationReport | undefined, error?: ErrorInfo): void {
  run.phase = 'finished';
  run.report = report;
  run.error =
    error ?? (report?.error && report.status !== 'succeeded' && report.status !== 'dry-run' ? report.error : undefined);
  const endStatus: StepStatus = report?.status === 'cancelled' || error?.code === 'CANCELLED' ? 'cancelled' : 'failed';
  for (const s of run.steps) {
    if (s.status === 'running') s.status = endStatus;
    else if (s.status === 'pending') s.status = 'not-run';
  }
}

/** Up to this many collections, every plan card starts expanded; beyond it they start as one-line rows. */
export const EXPANDED_PLAN_LIMIT = 3;

/** The plan cards shown expanded: the user's choice, or by default all of a small plan and none of a large one. */
export function openCardsOf(s: Pick<ViewState, 'openCards' | 'inspection'>): Set<string> {
  const collections = s.inspection?.plan.collections.map((c) => c.collection) ?? [];
  return new Set(s.openCards ?? (collections.length <= EXPANDED_PLAN_LIMIT ? collections : []));
}

/** Still connecting to the server (and settling existing collections): no step has started yet. */
export function isConnecting(run: RunView): boolean {
  return run.phase === 'running' && run.steps.every((s) => s.status === 'pending');
}

/** The run ended before any step did anything (e.g. the server could not be reached): its error says it all. */
export function endedBeforeAnyStep(run: RunView): boolean {
  return (
    run.phase === 'finished' &&
    run.steps.every(
      (s) => s.status === 'not-run' || ((s.status === 'failed' || s.status === 'cancelled') && s.done === 0),
    )
  );
}

/** The window was reloaded during the run: its worker is gone, so the steps it had not finished never will. */
export function interruptRun(run: RunView): void {
  run.phase = 'interrupted';
  for (const s of run.steps) {
    if (s.status === 'running') s.status = 'failed';
    else if (s.status === 'pending') s.status = 'not-run';
  }
}

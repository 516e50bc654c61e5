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
}

export type ConnectionState =
  | { phase: 'testing' }
  | { phase: 'ok'; serverVersion: string; existingCollections: string[]; database: string }
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
    },
    defaultsApplied: false,
    recentTargets: [],
    inspecting: false,
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
  });
  s.defaultsApplied = true;
}

export function newRun(runId: number, steps: StepName[]): RunView {
  return {
    runId,
    phase: 'running',
    steps: steps.map((name) => ({ name, label: STEPS.find((x) => x.name === name)?.label ?? name, status: 'pending', done: 0, total: 0, ratePerSec: 0 })),
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
      Object.assign(step, { status: 'running', done: e.done, total: e.total, ratePerSec: e.ratePerSec, collection: e.collection });
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
  run.error = error ?? (report?.error && report.status !== 'succeeded' && report.status !== 'dry-run' ? report.error : undefined);
  const endStatus: StepStatus = report?.status === 'cancelled' || error?.code === 'CANCELLED' ? 'cancelled' : 'failed';
  for (const s of run.steps) {
    if (s.status === 'running') s.status = endStatus;
    else if (s.status === 'pending') s.status = 'not-run';
  }
}

/** The window was reloaded during the run: its worker is gone, so the steps it had not finished never will. */
export function interruptRun(run: RunView): void {
  run.phase = 'interrupted';
  for (const s of run.steps) {
    if (s.status === 'running') s.status = 'failed';
    else if (s.status === 'pending') s.status = 'not-run';
  }
}

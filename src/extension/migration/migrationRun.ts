import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  type ExistingCollection,
  formatCount as fmt,
  remainingMs,
  type MappingPlan,
  maskUrl,
  type MigrationEvent,
  type MigrationReport,
  type StepName,
  STEPS,
} from '../../core';
import type { ErrorInfo } from '../../webview/common/protocol';
import type { PanelRunEvent, RunRequest } from '../../webview/panel/protocol';
import { errorInfo } from '../common/errors';
import type { EngineClient, EngineJob } from '../engine/engineClient';
import type { ExistingAnswer } from '../engine/workerProtocol';
import type { Log } from '../log';
import { historyDatabase } from '../settings';

export type RunOutcome = { ok: true; report: MigrationReport } | { ok: false; error: ErrorInfo };

export interface RunSpec {
  sourcePath: string;
  request: RunRequest;
  plan: MappingPlan;
}

const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`);

let nextRunId = 1;
/** Ids of the runs the panels show (numbers within this window's session). */
export const newPanelRunId = () => nextRunId++;

/** The engine events a panel shows (the others are counted in the report instead). */
export function isPanelRunEvent(e: MigrationEvent): e is PanelRunEvent {
  return e.type === 'step-start' || e.type === 'progress' || e.type === 'step-end' || e.type === 'log';
}

/** A run started outside a panel (Resume in the History view) that the file's open panel shows as its own. */
export interface RunFollower {
  event(e: MigrationEvent): void;
  finish(outcome: RunOutcome, reportUri?: vscode.Uri): void;
}

/**
 * One migration in the engine worker: relays its events (to the panel and the log), asks the if-exists question
 * as a modal dialog, and mirrors progress in a notification while the panel is hidden.
 */
export class MigrationRun implements vscode.Disposable {
  readonly id = newPanelRunId();
  readonly steps: StepName[];
  readonly outcome: Promise<RunOutcome>;
  private readonly job: EngineJob<MigrationReport>;
  private readonly events = new vscode.EventEmitter<PanelRunEvent>();
  readonly onEvent = this.events.event;
  private finished = false;
  private cancelled = false;
  /** A step has started: before that the engine is only connecting and asking, and has written nothing. */
  private stepStarted = false;
  /** Overall progress 0–100 and the current step's text, for the notification. */
  private percent = 0;
  private message = 'Starting…';
  private notification:
    | { progress: vscode.Progress<{ message?: string; increment?: number }>; reported: number; close: () => void }
    | undefined;

  constructor(
    engine: EngineClient,
    private readonly log: Log,
    readonly spec: RunSpec,
  ) {
    const r = spec.request;
    this.steps = STEPS.map((s) => s.name);
    this.log.info(
      `Migration ${this.id}: ${spec.sourcePath} → ${maskUrl(r.url)} database ${r.database} (batch ${r.batchSize}, if exists ${r.ifExists}${r.dryRun ? ', dry run' : ''}${r.outputFile ? `, keep ${r.outputFile}` : ''})`,
    );
    this.job = engine.run(
      'migrate',
      {
        sqlitePath: spec.sourcePath,
        mongoUrl: r.url,
        database: r.database,
        historyDatabase: historyDatabase(),
        plan: spec.plan,
        outputFile: r.outputFile,
        dryRun: r.dryRun,
        batchSize: r.batchSize,
        ifExists: r.ifExists,
        onError: r.onError,
        connectTimeoutMs: r.connectTimeoutMs,
        ask: true,
      },
      { onEvent: (e) => this.onEngineEvent(e), askExisting: (existing) => this.askExisting(existing) },
    );
    this.outcome = this.job.result.then(
      (report): RunOutcome => {
        this.logSummary(report);
        return { ok: true, report };
      },
      (e: unknown): RunOutcome => {
        const stoppedWhileConnecting = this.cancelled && !this.stepStarted;
        const error = stoppedWhileConnecting
          ? { code: 'CANCELLED', message: 'Cancelled while connecting: nothing was written.' }
          : errorInfo(e);
        this.log.error(`Migration ${this.id} stopped: ${error.message}`);
        return { ok: false, error };
      },
    );
    void this.outcome.finally(() => {
      this.finished = true;
      this.closeNotification();
    });
  }

  get running(): boolean {
    return !this.finished;
  }

  cancel(): void {
    if (this.finished || this.cancelled) return;
    this.cancelled = true;
    this.log.warn(`Migration ${this.id}: cancel requested`);
    // Still connecting (the driver waits out its timeout and does not listen for the abort): nothing has been
    // written, so stop the worker at once rather than leave the user waiting for the timeout.
    if (!this.stepStarted) this.job.dispose();
    else this.job.cancel();
  }

  /** Shows or hides the progress notification (it mirrors the panel while the panel is not visible). */
  setPanelVisible(visible: boolean): void {
    if (visible) this.closeNotification();
    else this.openNotification();
  }

  private onEngineEvent(e: MigrationEvent): void {
    switch (e.type) {
      case 'step-start':
        this.stepStarted = true;
        this.message = `[${e.index}/${e.total}] ${e.label}…`;
        this.percent = ((e.index - 1) / e.total) * 100;
        this.log.info(`[${e.index}/${e.total}] ${e.label}${e.totalItems ? ` (${fmt(e.totalItems)} items)` : ''}`);
        break;
      case 'progress': {
        const index = this.steps.indexOf(e.step);
        const fraction = e.total > 0 ? Math.min(1, e.done / e.total) : 0;
        this.percent = ((index + fraction) / this.steps.length) * 100;
        const left = remainingMs(e.done, e.total, e.ratePerSec);
        const eta = left !== undefined ? ` · ETA ${secs(left)}` : '';
        this.message = `[${index + 1}/${this.steps.length}] ${e.step} ${fmt(e.done)}/${fmt(e.total)} · ${fmt(e.ratePerSec)}/s${eta}`;
        break;
      }
      case 'step-end':
        this.log.info(
          e.skipped ? `  ${e.step} skipped: ${e.skipped}` : `  ${e.step} done: ${fmt(e.done)} in ${secs(e.durationMs)}`,
        );
        break;
      case 'log':
        this.log[e.level](e.message);
        break;
      case 'row-error':
        this.log.warn(`refused ${e.error.collection} key ${e.error.key}: ${e.error.reason}`);
        return;
      case 'mismatch':
        this.log.warn(
          `mismatch ${e.mismatch.collection} _id ${e.mismatch.id} ${e.mismatch.path || '(document)'}: ${e.mismatch.kind}`,
        );
        return;
      case 'plan':
        return;
    }
    this.updateNotification();
    this.events.fire(e);
  }

  private async askExisting(existing: ExistingCollection[]): Promise<ExistingAnswer> {
    const list = existing.map((e) => `${e.collection} (${fmt(e.documents)} documents)`).join(', ');
    const options = { drop: 'Drop and Replace', append: 'Append', upsert: 'Upsert by _id' } as const;
    const choice = await vscode.window.showWarningMessage(
      `${this.spec.request.database} already has ${list}.`,
      {
        modal: true,
        detail:
          'Drop and Replace empties these collections first. Append adds the documents (duplicates are reported). Upsert by _id replaces documents with the same _id. Cancel writes nothing.',
      },
      options.drop,
      options.append,
      options.upsert,
    );
    const answer: ExistingAnswer =
      choice === options.drop
        ? 'drop'
        : choice === options.append
          ? 'append'
          : choice === options.upsert
            ? 'upsert'
            : 'cancel';
    this.log.info(`Existing collections (${list}): ${answer}`);
    return answer;
  }

  private openNotification(): void {
    if (this.notification || this.finished) return;
    const title = `Migrating ${path.basename(this.spec.sourcePath)} → ${this.spec.request.database}`;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => this.cancel());
        return new Promise<void>((resolve) => {
          this.notification = { progress, reported: 0, close: resolve };
          this.updateNotification();
        });
      },
    );
  }

  private updateNotification(): void {
    const n = this.notification;
    if (!n) return;
    const increment = Math.max(0, this.percent - n.reported);
    n.reported += increment;
    n.progress.report({ message: this.message, increment });
  }

  private closeNotification(): void {
    this.notification?.close();
    this.notification = undefined;
  }

  private logSummary(r: MigrationReport): void {
    for (const c of r.collections) {
      const v = c.validation;
      this.log.info(
        `  ${c.collection}: rows ${fmt(c.sourceRows)} · exported ${fmt(c.exported)} · imported ${fmt(c.imported)} · failed ${fmt(c.failed)}${v ? ` · validated ${fmt(v.matched)} · mismatches ${fmt(v.mismatches)}` : ''} · warnings ${fmt(c.warnings)}`,
      );
    }
    const t = r.totals;
    const line = `Migration ${this.id} ${r.status} in ${secs(r.durationMs)}: exported ${fmt(t.exported)} · imported ${fmt(t.imported)} · validated ${fmt(t.validated)} · mismatches ${fmt(t.mismatches)} · warnings ${fmt(t.warnings)} · refused ${fmt(t.failed)}`;
    if (r.status === 'succeeded' || r.status === 'dry-run') this.log.info(line);
    else this.log.warn(`${line}${r.error ? ` — ${r.error.message}` : ''}`);
    for (const note of r.notes) this.log.info(`note: ${note}`);
  }

  dispose(): void {
    this.job.dispose();
    this.closeNotification();
    this.events.dispose();
  }
}

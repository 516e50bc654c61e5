import * as path from 'node:path';
import * as vscode from 'vscode';
import { hostOf, maskUrl, STEPS, type MappingPlan, type StepName } from '../../core';
import { ToPanel, type PanelRunEvent, type RunRequest, type ToPanelMessage } from '../../webview/panel/protocol';
import { errorInfo } from '../common/errors';
import { untrustedPlanProblem } from '../common/trust';
import {
  isPanelRunEvent,
  MigrationRun,
  newPanelRunId,
  type RunFollower,
  type RunOutcome,
} from '../migration/migrationRun';
import type { SyncTarget } from '../sync/syncController';
import type { PanelDeps } from './migrationPanel';
import { notifyOutcome } from './outcomeNotice';
import type { PanelPlans } from './panelPlans';
import { keepRunResults } from './runResults';
import { RunReplay } from './runReplay';

type Target = { url: string; database: string };

/** What the runs need of their panel's webview. */
export interface PanelView {
  /** Posts to the webview when it can hear (a hidden one hears nothing: the replay catches it up). */
  post(m: ToPanelMessage): void;
  /** The panel is open and in sight (else a notification stands in for it). */
  inView(): boolean;
  /** A run ended: a panel already closed can go now. */
  runEnded(): void;
}

/**
 * The runs one migration panel shows: the one its Start began, or one it follows (Resume in the History view). It
 * keeps what a re-created webview needs to show the current or last run again, and the target "Keep in Sync" offers.
 */
export class PanelRuns implements vscode.Disposable {
  private run: MigrationRun | undefined;
  /** A run this panel follows but did not start, and how to cancel it. */
  private followed: { runId: number; cancel: () => void } | undefined;
  /** The target of the last migration that succeeded here (what "Keep in Sync" keeps current). */
  private synced: SyncTarget | undefined;
  /** What the webview needs to show the current or last run again: runStarted, its events, runFinished. */
  private readonly replay = new RunReplay();
  private lastRunId: number | undefined;

  constructor(
    private readonly sourcePath: string,
    private readonly deps: PanelDeps,
    private readonly plans: PanelPlans,
    private readonly view: PanelView,
  ) {}

  get running(): boolean {
    return !!this.run?.running || !!this.followed;
  }

  /** The id of the current or last run (the webview marks a running run of another id as interrupted). */
  get activeRunId(): number | undefined {
    return this.lastRunId;
  }

  get replayed(): readonly ToPanelMessage[] {
    return this.replay.all;
  }

  get syncTarget(): SyncTarget | undefined {
    return this.synced;
  }

  /** The plan changed: a finished run no longer describes what Start would do, so it is not replayed. */
  forgetFinished(): void {
    if (!this.running) this.replay.clear();
  }

  setPanelVisible(visible: boolean): void {
    this.run?.setPanelVisible(visible);
  }

  cancel(): void {
    if (this.run?.running) this.run.cancel();
    else this.followed?.cancel();
  }

  /** Posts a message of the run and keeps it for a webview shown again. */
  private record(m: ToPanelMessage): void {
    this.replay.add(m);
    this.view.post(m);
  }

  private begin(runId: number, steps: StepName[], target: Target): void {
    this.lastRunId = runId;
    this.replay.clear();
    this.record({
      type: ToPanel.runStarted,
      runId,
      steps,
      target: { host: hostOf(target.url), database: target.database },
    });
  }

  async start(request: RunRequest): Promise<void> {
    if (this.running) {
      void vscode.window.showInformationMessage('A migration is already running in this panel.');
      return;
    }
    this.run?.dispose();
    this.run = undefined;
    let plan: MappingPlan;
    try {
      plan = await this.plans.forRun(request.plan);
    } catch (e) {
      void this.deps.log.showError(`Cannot read ${this.sourcePath}: ${errorInfo(e).message}`);
      return;
    }
    const untrusted = untrustedPlanProblem(plan);
    if (untrusted) {
      void this.deps.log.showError(untrusted);
      return;
    }
    const targetId = await this.deps.targets.remember(request.url, request.database);
    const run = new MigrationRun(this.deps.engine, this.deps.log, { sourcePath: this.sourcePath, request, plan });
    this.run = run;
    this.begin(run.id, run.steps, request);
    const sub = run.onEvent((event: PanelRunEvent) => this.record({ type: ToPanel.runEvent, runId: run.id, event }));
    run.setPanelVisible(this.view.inView());
    const outcome = await run.outcome;
    sub.dispose();
    let reportUri: vscode.Uri | undefined;
    if (outcome.ok) {
      const report = outcome.report;
      if (report.runId)
        await this.deps.recordedIn?.({ targetId, database: request.database, label: maskUrl(request.url) });
      reportUri = await keepRunResults(report, { sourcePath: this.sourcePath, targetId, plan }, this.deps);
    }
    this.finish(run.id, outcome, request, reportUri, true);
    run.dispose();
    this.view.runEnded();
  }

  /**
   * Shows a run started elsewhere (Resume in the History view) as this panel's own: its steps as they go, then its
   * outcome. None while this panel's own run is going (that one stays in view).
   */
  follow(target: Target, cancel: () => void): RunFollower | undefined {
    if (this.running) return undefined;
    const runId = newPanelRunId();
    this.followed = { runId, cancel };
    this.begin(
      runId,
      STEPS.map((s) => s.name),
      target,
    );
    return {
      event: (e) => {
        if (isPanelRunEvent(e)) this.record({ type: ToPanel.runEvent, runId, event: e });
      },
      finish: (outcome, reportUri) => {
        if (this.followed?.runId === runId) this.followed = undefined;
        // Whoever started the run tells of its outcome out of sight: the panel only shows it.
        this.finish(runId, outcome, target, reportUri, false);
        this.view.runEnded();
      },
    };
  }

  /** Shows a run's outcome (and, for `notify`, a toast when the panel is out of sight); a success offers Keep in Sync. */
  private finish(
    runId: number,
    outcome: RunOutcome,
    target: Target,
    reportUri: vscode.Uri | undefined,
    notify: boolean,
  ) {
    const name = path.basename(this.sourcePath);
    const inView = this.view.inView();
    if (!outcome.ok) {
      this.record({ type: ToPanel.runFinished, runId, ok: false, error: outcome.error });
      // The panel in view shows the error with its fix; a toast is for a panel out of sight (a cancel is no failure).
      if (inView || !notify) this.deps.log.error(`Migration of ${name} failed: ${outcome.error.message}`);
      else if (outcome.error.code !== 'CANCELLED')
        void this.deps.log.showError(`Migration of ${name} failed: ${outcome.error.message}`);
      return;
    }
    const report = outcome.report;
    if (report.status === 'succeeded' && !report.options.dryRun)
      this.synced = {
        sourcePath: this.sourcePath,
        url: target.url,
        database: target.database,
        label: `${maskUrl(target.url)} / ${target.database}`,
      };
    this.record({ type: ToPanel.runFinished, runId, ok: true, report, reportUri: reportUri?.toString() });
    if (!inView && notify) void notifyOutcome(report, reportUri, this.sourcePath, this.deps);
  }

  dispose(): void {
    this.run?.dispose();
    this.run = undefined;
  }
}

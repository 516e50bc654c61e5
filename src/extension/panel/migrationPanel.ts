import * as path from 'node:path';
import * as vscode from 'vscode';
import { untrustedPlanProblem } from '../common/trust';
import {
  defaultDatabaseName,
  HISTORY_COLLECTION,
  hostOf,
  isBookkeepingCollection,
  maskUrl,
  plural,
  type MappingPlan,
} from '../../core';
import {
  FromPanel,
  isFromPanelMessage,
  PANEL_VIEW_TYPE,
  ToPanel,
  type FromPanelMessage,
  type PanelRunEvent,
  type PlanSettings,
  type RunRequest,
  type ToPanelMessage,
} from '../../webview/panel/protocol';
import { errorInfo } from '../common/errors';
import { defaultOutputFile } from '../common/files';
import { setUpFilePanel, type FilePanelKind, type ShellDeps } from '../common/panelRegistry';
import { MigrationRun } from '../migration/migrationRun';
import { notifyOutcome } from './outcomeNotice';
import { PanelPlans } from './panelPlans';
import { RunReplay } from './runReplay';
import { readDefaults } from '../settings';
import type { ReportStore } from '../storage/reports';
import type { TargetStore } from '../storage/targets';
import type { ValidationModel } from '../tree/validationModel';
import type { SyncTarget } from '../sync/syncController';
import type { HistoryTarget } from '../history/historyTree';

export const MIGRATION_PANEL: FilePanelKind = {
  viewType: PANEL_VIEW_TYPE,
  titlePrefix: 'Migrate',
  pick: { openLabel: 'Migrate to MongoDB', title: 'SQLite database to migrate' },
  verb: 'migrated',
  page: { script: 'webview.js', styles: ['panel.css'] },
};

export interface PanelDeps extends ShellDeps {
  targets: TargetStore;
  reports: ReportStore;
  validation: ValidationModel;
  revealValidation: () => Promise<void>;
  openDesigner: (sourcePath: string) => Promise<void>;
  /** "Keep in Sync" on the finished migration: keeps its target in step with the file. */
  keepInSync: (target: SyncTarget) => Promise<void>;
  /** A run recorded itself in this target (even one cancelled or failed): the History view lists it. */
  recordedIn?: (target: HistoryTarget) => Promise<void>;
}

/**
 * One migration panel for one SQLite file: answers the webview's requests, starts and cancels the run, and
 * replays the run's progress to a webview that was re-created (hidden and shown again, or restored).
 */
export class MigrationPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly plans: PanelPlans;
  private run: MigrationRun | undefined;
  /** The target of the last migration that succeeded here (what "Keep in Sync" keeps current). */
  private synced: SyncTarget | undefined;
  /** What the webview needs to show the current or last run again: runStarted, its events, runFinished. */
  private readonly replay = new RunReplay();
  /** The designer saved a plan while this webview was hidden. */
  private planChangedWhileHidden = false;
  private readonly closed = new vscode.EventEmitter<void>();
  readonly onDidClose = this.closed.event;
  private readonly gone = new vscode.EventEmitter<void>();
  /** Fires when the panel and its run (which may outlive the panel) are both done. */
  readonly onDidDispose = this.gone.event;
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly sourcePath: string,
    private readonly deps: PanelDeps,
  ) {
    this.plans = new PanelPlans(sourcePath, deps);
    setUpFilePanel(panel, MIGRATION_PANEL, sourcePath, deps.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromPanelMessage(m)) void this.onMessage(m);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // a hidden webview is torn down; it says `ready` again when shown
        this.run?.setPanelVisible(panel.visible);
      }),
      panel.onDidDispose(() => this.onPanelClosed()),
      deps.planFiles.onDidSave((saved) => {
        if (saved !== sourcePath) return;
        this.plans.forget();
        // A finished run no longer describes what Start would do: it is not replayed, and the page drops it.
        if (!this.run?.running) this.replay.clear();
        if (this.ready) this.post({ type: ToPanel.planChanged });
        else this.planChangedWhileHidden = true; // a hidden webview hears nothing: tell it when it is back
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(m: ToPanelMessage): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
  }

  /** Posts a message of the run and keeps it for a webview shown again. */
  private record(m: ToPanelMessage): void {
    this.replay.add(m);
    this.post(m);
  }

  private async onMessage(m: FromPanelMessage): Promise<void> {
    switch (m.type) {
      case FromPanel.ready:
        this.ready = true;
        this.post({
          type: ToPanel.init,
          sourcePath: this.sourcePath,
          defaults: readDefaults(vscode.Uri.file(this.sourcePath)),
          recentTargets: this.deps.targets.list(),
          defaultDatabase: defaultDatabaseName(this.sourcePath),
          defaultOutputFile: defaultOutputFile(this.sourcePath),
          historyCollection: HISTORY_COLLECTION,
          activeRunId: this.run?.id,
        });
        for (const msg of this.replay.all) this.post(msg);
        if (this.planChangedWhileHidden) {
          this.planChangedWhileHidden = false;
          this.post({ type: ToPanel.planChanged });
        }
        return;
      case FromPanel.inspect:
        return this.inspect(m.requestId, m.plan);
      case FromPanel.testConnection:
        return this.testConnection(m.requestId, m.url, m.database, m.timeoutMs);
      case FromPanel.pickOutputFile: {
        const picked = await vscode.window.showSaveDialog({
          defaultUri: vscode.Uri.file(m.current || defaultOutputFile(this.sourcePath)),
          filters: { 'Extended JSON lines': ['ndjson', 'jsonl'] },
          title: 'Keep the intermediate file at',
        });
        this.post({ type: ToPanel.outputFilePicked, requestId: m.requestId, path: picked?.fsPath });
        return;
      }
      case FromPanel.useRecentTarget: {
        const url = await this.deps.targets.url(m.targetId);
        const target = this.deps.targets.list().find((t) => t.id === m.targetId);
        this.post({
          type: ToPanel.targetUrl,
          requestId: m.requestId,
          targetId: m.targetId,
          url,
          database: target?.database,
        });
        return;
      }
      case FromPanel.start:
        return this.start(m.request);
      case FromPanel.cancel:
        this.run?.cancel();
        return;
      case FromPanel.openReport:
        await this.deps.reports
          .open(vscode.Uri.parse(m.reportUri))
          .catch((e: unknown) => this.deps.log.showError(`Cannot open the report: ${errorInfo(e).message}`));
        return;
      case FromPanel.showLog:
        this.deps.log.show();
        return;
      case FromPanel.showValidation:
        await this.deps.revealValidation();
        return;
      case FromPanel.openDesigner:
        await this.deps.openDesigner(this.sourcePath);
        return;
      case FromPanel.keepInSync:
        // After a window reload the host no longer knows the run's target: the History view's target is the same one.
        if (this.synced) await this.deps.keepInSync(this.synced);
        else await vscode.commands.executeCommand('sqlite2mongo.sync.start');
        return;
    }
  }

  private async inspect(requestId: number, settings: PlanSettings): Promise<void> {
    try {
      const { inspection, planFile } = await this.plans.inspect(settings);
      this.post({ type: ToPanel.inspection, requestId, ok: true, inspection, planFile });
    } catch (e) {
      const error = errorInfo(e);
      this.deps.log.error(`Cannot read ${this.sourcePath}: ${error.message}`);
      this.post({ type: ToPanel.inspection, requestId, ok: false, error });
    }
  }

  private async testConnection(requestId: number, url: string, database: string, timeoutMs: number): Promise<void> {
    try {
      const check = await this.deps.engine.call('testConnection', { url, database, timeoutMs });
      this.deps.log.info(
        `Test connection ${url}: ${check.serverVersion}, ${database} has ${plural(check.existingCollections.length, 'collection')}`,
      );
      const ours = check.existingCollections.filter(isBookkeepingCollection);
      const existingCollections = check.existingCollections.filter((c) => !isBookkeepingCollection(c));
      this.post({
        type: ToPanel.connectionResult,
        requestId,
        ok: true,
        serverVersion: check.serverVersion,
        existingCollections,
        historyRuns: ours.includes(HISTORY_COLLECTION),
      });
    } catch (e) {
      const error = errorInfo(e);
      this.deps.log.warn(`Test connection failed: ${error.message}`);
      this.post({ type: ToPanel.connectionResult, requestId, ok: false, error });
    }
  }

  private async start(request: RunRequest): Promise<void> {
    if (this.run?.running) {
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
    const started: ToPanelMessage = {
      type: ToPanel.runStarted,
      runId: run.id,
      steps: run.steps,
      target: { host: hostOf(request.url), database: request.database },
    };
    this.replay.clear();
    this.record(started);
    const sub = run.onEvent((event: PanelRunEvent) => this.record({ type: ToPanel.runEvent, runId: run.id, event }));
    run.setPanelVisible(this.panel.visible && !this.disposed);
    const outcome = await run.outcome;
    sub.dispose();
    if (!outcome.ok) {
      this.record({ type: ToPanel.runFinished, runId: run.id, ok: false, error: outcome.error });
      // The panel in view shows the error with its fix; a toast is for a panel out of sight (a cancel is no failure).
      if (this.panel.visible && !this.disposed)
        this.deps.log.error(`Migration of ${path.basename(this.sourcePath)} failed: ${outcome.error.message}`);
      else if (outcome.error.code !== 'CANCELLED')
        void this.deps.log.showError(`Migration of ${path.basename(this.sourcePath)} failed: ${outcome.error.message}`);
      return this.afterRun(run);
    }
    const report = outcome.report;
    if (report.runId)
      await this.deps.recordedIn?.({ targetId, database: request.database, label: maskUrl(request.url) });
    if (report.status === 'succeeded' && !report.options.dryRun)
      this.synced = {
        sourcePath: this.sourcePath,
        url: request.url,
        database: request.database,
        label: `${maskUrl(request.url)} / ${request.database}`,
      };
    let reportUri: vscode.Uri | undefined;
    try {
      reportUri = await this.deps.reports.save(report);
      this.deps.log.info(`Report: ${reportUri.fsPath}`);
    } catch (e) {
      this.deps.log.error(`Cannot write the report: ${errorInfo(e).message}`);
    }
    if (Object.values(report.steps).some((s) => s && !s.skipped) && report.collections.some((c) => c.validation)) {
      await this.deps.validation.setFromRun(report, { sourcePath: this.sourcePath, targetId, plan });
    }
    this.record({ type: ToPanel.runFinished, runId: run.id, ok: true, report, reportUri: reportUri?.toString() });
    if (!this.panel.visible || this.disposed) void notifyOutcome(report, reportUri, this.sourcePath, this.deps);
    this.afterRun(run);
  }

  private afterRun(run: MigrationRun): void {
    run.dispose();
    if (this.disposed) this.dispose();
  }

  private onPanelClosed(): void {
    this.disposed = true;
    this.ready = false;
    this.closed.fire();
    // A run outlives its panel: it goes on with a notification and disposes of itself when done.
    if (this.run?.running) this.run.setPanelVisible(false);
    else this.dispose();
  }

  dispose(): void {
    if (this.disposables.length === 0 && this.disposed) return;
    this.disposed = true;
    this.run?.dispose();
    this.run = undefined;
    for (const d of this.disposables.splice(0)) d.dispose();
    this.gone.fire();
    this.gone.dispose();
    this.closed.dispose();
  }
}

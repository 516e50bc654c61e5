import * as vscode from 'vscode';
import { defaultDatabaseName, HISTORY_COLLECTION } from '../../core';
import {
  FromPanel,
  isFromPanelMessage,
  PANEL_VIEW_TYPE,
  ToPanel,
  type FromPanelMessage,
  type ToPanelMessage,
} from '../../webview/panel/protocol';
import { errorInfo } from '../common/errors';
import { defaultOutputFile } from '../common/files';
import { setUpFilePanel, type FilePanelKind, type ShellDeps } from '../common/panelRegistry';
import type { RunFollower } from '../migration/migrationRun';
import { PanelPlans } from './panelPlans';
import {
  answerInspect,
  answerPickOutputFile,
  answerRecentTarget,
  answerTestConnection,
  type RequestContext,
} from './panelRequests';
import { PanelRuns } from './panelRuns';
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
 * One migration panel for one SQLite file: its webview's lifetime and messages. The requests are answered in
 * panelRequests.ts; the runs it starts or follows, and their replay to a re-created webview, live in panelRuns.ts.
 */
export class MigrationPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private readonly plans: PanelPlans;
  private readonly requests: RequestContext;
  /** The run started here or followed here, and what a re-created webview needs to show it again. */
  private readonly runs: PanelRuns;
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
    this.requests = { ...deps, sourcePath, plans: this.plans, post: (m) => this.post(m) };
    this.runs = new PanelRuns(sourcePath, deps, this.plans, {
      post: (m) => this.post(m),
      inView: () => panel.visible && !this.disposed,
      runEnded: () => {
        if (this.disposed) this.dispose();
      },
    });
    setUpFilePanel(panel, MIGRATION_PANEL, sourcePath, deps.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromPanelMessage(m)) void this.onMessage(m);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false; // a hidden webview is torn down; it says `ready` again when shown
        this.runs.setPanelVisible(panel.visible);
      }),
      panel.onDidDispose(() => this.onPanelClosed()),
      deps.planFiles.onDidSave((saved) => {
        if (saved !== sourcePath) return;
        this.plans.forget();
        // A finished run no longer describes what Start would do: it is not replayed, and the page drops it.
        this.runs.forgetFinished();
        if (this.ready) this.post({ type: ToPanel.planChanged });
        else this.planChangedWhileHidden = true; // a hidden webview hears nothing: tell it when it is back
      }),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  /** Shows a run started elsewhere (Resume in the History view) as this panel's own (see PanelRuns.follow). */
  follow(target: { url: string; database: string }, cancel: () => void): RunFollower | undefined {
    return this.disposed ? undefined : this.runs.follow(target, cancel);
  }

  private post(m: ToPanelMessage): void {
    if (this.ready && !this.disposed) void this.panel.webview.postMessage(m);
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
          activeRunId: this.runs.activeRunId,
        });
        for (const msg of this.runs.replayed) this.post(msg);
        if (this.planChangedWhileHidden) {
          this.planChangedWhileHidden = false;
          this.post({ type: ToPanel.planChanged });
        }
        return;
      case FromPanel.inspect:
        return answerInspect(this.requests, m.requestId, m.plan);
      case FromPanel.testConnection:
        return answerTestConnection(this.requests, m.requestId, m);
      case FromPanel.pickOutputFile:
        return answerPickOutputFile(this.requests, m.requestId, m.current ?? '');
      case FromPanel.useRecentTarget:
        return answerRecentTarget(this.requests, m.requestId, m.targetId);
      case FromPanel.start:
        return this.runs.start(m.request);
      case FromPanel.cancel:
        this.runs.cancel();
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
      case FromPanel.keepInSync: {
        // After a window reload the host no longer knows the run's target: the History view's target is the same one.
        const synced = this.runs.syncTarget;
        if (synced) await this.deps.keepInSync(synced);
        else await vscode.commands.executeCommand('sqlite2mongo.sync.start');
        return;
      }
    }
  }

  private onPanelClosed(): void {
    this.disposed = true;
    this.ready = false;
    this.closed.fire();
    // A run outlives its panel: it goes on with a notification and disposes of itself when done.
    if (this.runs.running) this.runs.setPanelVisible(false);
    else this.dispose();
  }

  dispose(): void {
    if (this.disposables.length === 0 && this.disposed) return;
    this.disposed = true;
    this.runs.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.gone.fire();
    this.gone.dispose();
    this.closed.dispose();
  }
}

import * as vscode from 'vscode';
import { formatCount, hostOf, plural, type MappingPlan, type MigrationReport } from '../../core';
import { errorInfo } from '../common/errors';
import { SerialRefresh } from '../common/serialRefresh';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { RunFollower } from '../migration/migrationRun';
import { historyDatabase } from '../settings';
import type { TargetStore } from '../storage/targets';
import type { ValidationModel } from '../tree/validationModel';
import {
  HISTORY_VIEW_ID,
  HistoryTree,
  TARGET_LIST,
  type HistoryTarget,
  type RunItem,
  type TargetItem,
} from './historyTree';

const WORKSPACE_TARGETS = 'sqlite2mongo.history.targets';
const KEEP_TARGETS = 10;

/** What a resumed run reaches beyond the History view. */
export interface ResumeDeps {
  /** The file's open migration panel shows the resumed run as its own (none when no panel is open or it is busy). */
  follow: (
    sourcePath: string,
    target: { url: string; database: string },
    cancel: () => void,
  ) => RunFollower | undefined;
  /** Keeps the finished run's report and its validation results (panel/runResults.ts); returns the report's URI. */
  keepResults: (
    report: MigrationReport,
    ctx: { sourcePath: string; targetId: string; plan: MappingPlan },
  ) => Promise<vscode.Uri | undefined>;
}

/**
 * Shows the runs recorded in every target database this workspace migrated to (newest target first), and offers
 * Resume on an interrupted run and Rollback (with a confirmation) on any run not rolled back yet. The engine does
 * the work. Targets are kept in workspaceState (ids and masked labels; the URLs stay in SecretStorage).
 */
export class HistoryController implements vscode.Disposable {
  /** Targets the user collapsed (VS Code asks for no children of those). */
  private readonly collapsed = new Set<string>();
  private readonly tree = new HistoryTree(
    (item) => this.view.visible && (item === TARGET_LIST || !this.collapsed.has(item.id ?? '')),
  );
  private readonly view: vscode.TreeView<TargetItem | RunItem>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly reload = new SerialRefresh(() => this.readRuns());

  constructor(
    private readonly engine: EngineClient,
    private readonly targets: TargetStore,
    private readonly validation: ValidationModel,
    private readonly state: vscode.Memento,
    private readonly log: Log,
    private readonly resumeDeps: ResumeDeps,
  ) {
    this.view = vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: this.tree });
    this.disposables.push(
      this.view,
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) this.tree.recheck();
      }),
      this.view.onDidExpandElement(({ element }) => {
        this.collapsed.delete(element.id ?? '');
        this.tree.recheck();
      }),
      this.view.onDidCollapseElement(({ element }) => this.collapsed.add(element.id ?? '')),
      this.tree,
      validation.onDidChange(() => void this.refresh()),
    );
    void this.refresh();
  }

  /** Puts a target first in this workspace's list (kept in workspaceState); true when the list changed. */
  private async remember(current: HistoryTarget): Promise<boolean> {
    const known = this.state.get<HistoryTarget[]>(WORKSPACE_TARGETS, []);
    const next = [
      current,
      ...known.filter((t) => !(t.targetId === current.targetId && t.database === current.database)),
    ].slice(0, KEEP_TARGETS);
    if (JSON.stringify(next) === JSON.stringify(known)) return false;
    await this.state.update(WORKSPACE_TARGETS, next);
    return true;
  }

  /** The targets of this workspace's migrations, the last one first (it is added when its results arrive). */
  private async workspaceTargets(): Promise<HistoryTarget[]> {
    const rec = this.validation.record;
    if (rec) await this.remember({ targetId: rec.targetId, database: rec.database, label: rec.targetLabel });
    return this.state.get<HistoryTarget[]>(WORKSPACE_TARGETS, []);
  }

  /** A run recorded itself in `target` (a cancelled or failed one too, which leaves no validation results). */
  async recordedIn(target: HistoryTarget): Promise<void> {
    await this.remember(target);
    await this.refresh();
  }

  /** Reads the runs again (after any read already under way: each read runs in its own worker). */
  refresh(): Promise<void> {
    return this.reload.run();
  }

  private async readRuns(): Promise<void> {
    const groups = [];
    for (const target of await this.workspaceTargets()) {
      const url = await this.targets.url(target.targetId);
      if (!url) continue; // its connection string was forgotten: nothing to read the runs with
      try {
        const runs = await this.engine.call('history', {
          url,
          database: target.database,
          historyDatabase: historyDatabase(),
        });
        groups.push({ target, runs });
      } catch (e) {
        const message = errorInfo(e).message;
        this.log.warn(`Could not read the migration history of ${target.label} / ${target.database}: ${message}`);
        groups.push({ target, runs: [], error: message });
      }
    }
    this.tree.set(groups);
  }

  private async urlOf(item: RunItem): Promise<string | undefined> {
    const url = await this.targets.url(item.target.targetId);
    if (!url)
      void this.log.showError(
        `The connection string of ${item.target.label} was forgotten; migrate into it again from the panel.`,
      );
    return url;
  }

  async resume(item?: RunItem): Promise<void> {
    if (!item) return;
    const url = await this.urlOf(item);
    if (!url) return;
    const target = { url, database: item.target.database, label: `${item.target.label} / ${item.target.database}` };
    const run = item.run;
    this.log.info(`Resuming run ${run._id} from ${run.source.path} into ${target.label}`);
    const sourcePath = run.source.path;
    let plan: MappingPlan | undefined;
    let follower: RunFollower | undefined;
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Resuming migration ${run._id}`, cancellable: true },
      async (progress, token) => {
        const job = this.engine.run(
          'migrate',
          // No plan and no options: the engine takes both from the run's record, as the run was started.
          {
            sqlitePath: sourcePath,
            mongoUrl: target.url,
            database: target.database,
            historyDatabase: historyDatabase(),
            resume: true,
            ask: false,
          },
          {
            onEvent: (e) => {
              if (e.type === 'plan') plan = e.plan; // the run's own plan, from its record
              if (e.type === 'step-start') progress.report({ message: `${e.index}/${e.total} ${e.label}` });
              follower?.event(e);
            },
          },
        );
        follower = this.resumeDeps.follow(sourcePath, target, () => job.cancel());
        token.onCancellationRequested(() => job.cancel());
        return job.result.catch((e: unknown) => {
          const error = errorInfo(e);
          follower?.finish({ ok: false, error });
          void this.log.showError(`Resume failed: ${error.message}`);
          return undefined;
        });
      },
    );
    if (report) {
      // Like a run started in the panel: its report, the Validation view's results, and the panel's summary.
      const reportUri = plan
        ? await this.resumeDeps.keepResults(report, { sourcePath, targetId: item.target.targetId, plan })
        : undefined;
      follower?.finish({ ok: true, report }, reportUri);
    }
    if (report) {
      // The plan and options came from the run's record: say so, with what they were.
      const o = report.options;
      const asStarted = `its plan (${report.collections.map((c) => c.collection).join(', ')}) and options (batch size ${formatCount(o.batchSize)}, refused rows: ${o.onError})`;
      this.log.info(`Resumed ${run._id} with ${asStarted}: ${report.status}`);
      if (report.status === 'succeeded')
        void vscode.window.showInformationMessage(
          `Resumed ${run._id} with ${asStarted}: migrated and validated ${plural(report.totals.validated, 'document')}.`,
        );
      else void this.log.showError(`Resume of ${run._id} ended ${report.status}: ${report.error?.message ?? ''}`);
    }
    await this.refresh();
  }

  async rollback(item?: RunItem): Promise<void> {
    if (!item) return;
    const url = await this.urlOf(item);
    if (!url) return;
    const target = {
      url,
      database: item.target.database,
      label: `${item.target.database} on ${hostOf(item.target.label)}`,
    };
    const run = item.run;
    const answer = await vscode.window.showWarningMessage(
      `Roll back migration ${run._id} in ${target.label}?`,
      {
        modal: true,
        detail:
          'Collections the run created are dropped and documents it inserted into existing collections are removed. Documents it replaced or deleted cannot be restored.',
      },
      'Roll Back',
    );
    if (answer !== 'Roll Back') return;
    try {
      const outcome = await this.engine.call('rollback', {
        url: target.url,
        database: target.database,
        runId: run._id,
        historyDatabase: historyDatabase(),
      });
      const removed = Object.entries(outcome.removed).map(([c, n]) => `${n} from ${c}`);
      this.log.info(
        `Rolled back ${run._id}: dropped ${outcome.dropped.join(', ') || 'nothing'}; removed ${removed.join(', ') || 'nothing'}. ${outcome.limits.join(' ')}`,
      );
      void vscode.window.showInformationMessage(
        `Rolled back ${run._id}${outcome.dropped.length ? `: dropped ${outcome.dropped.join(', ')}` : ''}.`,
      );
    } catch (e) {
      await this.log.showError(`Rollback failed: ${errorInfo(e).message}`);
    }
    await this.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

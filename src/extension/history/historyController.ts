import * as vscode from 'vscode';
import { formatCount, hostOf } from '../../core';
import { errorInfo } from '../common/errors';
import { SerialRefresh } from '../common/serialRefresh';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import { historyDatabase } from '../settings';
import type { TargetStore } from '../storage/targets';
import type { ValidationModel } from '../tree/validationModel';
import { HISTORY_VIEW_ID, HistoryTree, type HistoryTarget, type RunItem, type TargetItem } from './historyTree';

const WORKSPACE_TARGETS = 'sqlite2mongo.history.targets';
const KEEP_TARGETS = 10;

/**
 * Shows the runs recorded in every target database this workspace migrated to (newest target first), and offers
 * Resume on an interrupted run and Rollback (with a confirmation) on any run not rolled back yet. The engine does
 * the work. Targets are kept in workspaceState (ids and masked labels; the URLs stay in SecretStorage).
 */
export class HistoryController implements vscode.Disposable {
  private readonly tree = new HistoryTree();
  private readonly view: vscode.TreeView<TargetItem | RunItem>;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly reload = new SerialRefresh(() => this.readRuns());

  constructor(
    private readonly engine: EngineClient,
    private readonly targets: TargetStore,
    private readonly validation: ValidationModel,
    private readonly state: vscode.Memento,
    private readonly log: Log,
  ) {
    this.view = vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: this.tree });
    this.disposables.push(
      this.view,
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
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Resuming migration ${run._id}`, cancellable: true },
      async (progress, token) => {
        const job = this.engine.run(
          'migrate',
          // No plan and no options: the engine takes both from the run's record, as the run was started.
          {
            sqlitePath: run.source.path,
            mongoUrl: target.url,
            database: target.database,
            historyDatabase: historyDatabase(),
            resume: true,
            ask: false,
          },
          {
            onEvent: (e) => {
              if (e.type === 'step-start') progress.report({ message: `${e.index}/${e.total} ${e.label}` });
            },
          },
        );
        token.onCancellationRequested(() => job.cancel());
        return job.result.catch((e: unknown) => {
          void this.log.showError(`Resume failed: ${errorInfo(e).message}`);
          return undefined;
        });
      },
    );
    if (report) {
      // The plan and options came from the run's record: say so, with what they were.
      const o = report.options;
      const asStarted = `its plan (${report.collections.map((c) => c.collection).join(', ')}) and options (batch size ${formatCount(o.batchSize)}, refused rows: ${o.onError})`;
      this.log.info(`Resumed ${run._id} with ${asStarted}: ${report.status}`);
      if (report.status === 'succeeded')
        void vscode.window.showInformationMessage(
          `Resumed ${run._id} with ${asStarted}: migrated and validated ${formatCount(report.totals.validated)} documents.`,
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

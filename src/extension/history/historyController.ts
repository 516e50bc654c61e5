import * as vscode from 'vscode';
import { formatCount } from '../../core';
import { errorInfo } from '../common/errors';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { TargetStore } from '../storage/targets';
import type { ValidationModel } from '../tree/validationModel';
import { HISTORY_VIEW_ID, HistoryTree, type RunItem } from './historyTree';

/**
 * Shows the runs recorded in the current target (the one the last migration wrote to) and offers Resume on an
 * interrupted run and Rollback (with a confirmation) on any run not rolled back yet. The engine does the work.
 */
export class HistoryController implements vscode.Disposable {
  private readonly tree = new HistoryTree();
  private readonly view: vscode.TreeView<RunItem>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly engine: EngineClient,
    private readonly targets: TargetStore,
    private readonly validation: ValidationModel,
    private readonly log: Log,
  ) {
    this.view = vscode.window.createTreeView(HISTORY_VIEW_ID, { treeDataProvider: this.tree });
    this.disposables.push(this.view, this.tree, validation.onDidChange(() => void this.refresh()));
    void this.refresh();
  }

  /** The target of the last migration: its URL comes from SecretStorage. */
  async target(): Promise<{ url: string; database: string; label: string } | undefined> {
    const rec = this.validation.record;
    if (!rec) return undefined;
    const url = await this.targets.url(rec.targetId);
    return url ? { url, database: rec.database, label: `${rec.targetLabel} / ${rec.database}` } : undefined;
  }

  async refresh(): Promise<void> {
    const target = await this.target();
    if (!target) {
      this.tree.set([]);
      this.view.description = undefined;
      return;
    }
    this.view.description = target.label;
    try {
      this.tree.set(await this.engine.call('history', { url: target.url, database: target.database }));
    } catch (e) {
      this.log.warn(`Could not read the migration history of ${target.label}: ${errorInfo(e).message}`);
      this.tree.set([]);
    }
  }

  async resume(item?: RunItem): Promise<void> {
    const target = await this.target();
    if (!item || !target) return;
    const run = item.run;
    this.log.info(`Resuming run ${run._id} from ${run.source.path} into ${target.label}`);
    const report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Resuming migration ${run._id}`, cancellable: true },
      async (progress, token) => {
        const job = this.engine.run('migrate', { sqlitePath: run.source.path, mongoUrl: target.url, database: target.database, resume: true, ask: false }, {
          onEvent: (e) => {
            if (e.type === 'step-start') progress.report({ message: `${e.index}/${e.total} ${e.label}` });
          },
        });
        token.onCancellationRequested(() => job.cancel());
        return job.result.catch((e: unknown) => {
          void this.log.showError(`Resume failed: ${errorInfo(e).message}`);
          return undefined;
        });
      },
    );
    if (report) {
      if (report.status === 'succeeded') void vscode.window.showInformationMessage(`Resumed ${run._id}: migrated and validated ${formatCount(report.totals.validated)} documents.`);
      else void this.log.showError(`Resume of ${run._id} ended ${report.status}: ${report.error?.message ?? ''}`);
    }
    await this.refresh();
  }

  async rollback(item?: RunItem): Promise<void> {
    const target = await this.target();
    if (!item || !target) return;
    const run = item.run;
    const answer = await vscode.window.showWarningMessage(
      `Roll back migration ${run._id} in ${target.label}?`,
      { modal: true, detail: 'Collections the run created are dropped and documents it inserted into existing collections are removed. Documents it replaced or deleted cannot be restored.' },
      'Roll Back',
    );
    if (answer !== 'Roll Back') return;
    try {
      const outcome = await this.engine.call('rollback', { url: target.url, database: target.database, runId: run._id });
      const removed = Object.entries(outcome.removed).map(([c, n]) => `${n} from ${c}`);
      this.log.info(`Rolled back ${run._id}: dropped ${outcome.dropped.join(', ') || 'nothing'}; removed ${removed.join(', ') || 'nothing'}. ${outcome.limits.join(' ')}`);
      void vscode.window.showInformationMessage(`Rolled back ${run._id}${outcome.dropped.length ? `: dropped ${outcome.dropped.join(', ')}` : ''}.`);
    } catch (e) {
      await this.log.showError(`Rollback failed: ${errorInfo(e).message}`);
    }
    await this.refresh();
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

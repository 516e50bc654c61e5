import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatCount, type SyncEvent, type SyncOutcome } from '../../core';
import { errorInfo } from '../common/errors';
import type { EngineClient, EngineJob } from '../engine/engineClient';
import type { Log } from '../log';
import { historyDatabase } from '../settings';

/** A migrated target to keep in step with its SQLite file. */
export interface SyncTarget {
  sourcePath: string;
  url: string;
  database: string;
  /** The target as shown (URL with the password masked, and the database). */
  label: string;
}

export interface SyncHooks {
  /** After each sync that wrote (the History view reloads; the Validation view re-runs when the setting asks). */
  onSynced: (target: SyncTarget, outcome: SyncOutcome) => void;
}

const CONTEXT_KEY = 'sqlite2mongo.syncing';
export const SYNC_STATUS_ID = 'sqlite2mongo.syncStatus';

/** "+1 ~3 −1" — inserted, replaced, deleted. */
function counts(o: SyncOutcome): string {
  return `+${formatCount(o.totals.inserted)} ~${formatCount(o.totals.replaced)} −${formatCount(o.totals.deleted)}`;
}

/**
 * "Keep in Sync": one `sync --watch` loop at a time, in its own engine worker, with a status bar item that shows the
 * last sync's time and counts. Click it to stop (or start again after it stopped).
 */
export class SyncController implements vscode.Disposable {
  private readonly status = vscode.window.createStatusBarItem(SYNC_STATUS_ID, vscode.StatusBarAlignment.Left, 10);
  private job: EngineJob<SyncOutcome | null> | undefined;
  private target: SyncTarget | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly log: Log,
    private readonly hooks: SyncHooks,
  ) {
    this.status.name = 'SQLite to MongoDB: Keep in Sync';
    this.status.command = 'sqlite2mongo.sync.menu';
  }

  get running(): boolean {
    return !!this.job;
  }

  /** Starts keeping `target` in sync (stopping the loop of another target first). */
  async start(target: SyncTarget): Promise<void> {
    if (this.job && this.target?.sourcePath === target.sourcePath && this.target.database === target.database) {
      this.status.show();
      return;
    }
    await this.stop();
    this.target = target;
    const interval = vscode.workspace.getConfiguration('sqlite2mongo').get<number>('sync.interval', 2);
    this.log.info(`Keep in Sync: ${target.sourcePath} → ${target.label}`);
    const job = this.engine.run(
      'keepInSync',
      {
        sqlitePath: target.sourcePath,
        url: target.url,
        database: target.database,
        historyDatabase: historyDatabase(),
        intervalMs: Math.max(0.1, interval) * 1000,
      },
      { onSyncEvent: (e) => this.onEvent(target, e) },
    );
    this.job = job;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, true);
    this.show('sync~spin', `${path.basename(target.sourcePath)}: starting sync…`);
    const failure = await job.result.catch((e: unknown) => ({ error: errorInfo(e) }) as Pick<SyncOutcome, 'error'>);
    if (this.job !== job) return; // stopped and replaced meanwhile
    this.job = undefined;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    if (failure?.error && failure.error.code !== 'CANCELLED') {
      this.show(
        'error',
        `${path.basename(target.sourcePath)}: sync stopped`,
        `Sync stopped: ${failure.error.message}${failure.error.hint ? `\n\n${failure.error.hint}` : ''}`,
      );
      void this.log.showError(
        `Keep in Sync of ${path.basename(target.sourcePath)} stopped: ${failure.error.message}${failure.error.hint ? ` ${failure.error.hint}` : ''}`,
      );
    } else
      this.show(
        'debug-pause',
        `${path.basename(target.sourcePath)}: sync stopped`,
        'Keep in Sync is stopped. Click to start it again.',
      );
  }

  /** Stops the loop (the sync in progress is cancelled; the next start redoes it). */
  async stop(): Promise<void> {
    const job = this.job;
    if (!job) return;
    this.job = undefined;
    job.cancel();
    await job.result.catch(() => undefined);
    void vscode.commands.executeCommand('setContext', CONTEXT_KEY, false);
    this.log.info(`Keep in Sync stopped (${this.target?.sourcePath ?? ''})`);
    if (this.target)
      this.show(
        'debug-pause',
        `${path.basename(this.target.sourcePath)}: sync stopped`,
        'Keep in Sync is stopped. Click to start it again.',
      );
  }

  /** The status bar item's menu. */
  async menu(): Promise<void> {
    const target = this.target;
    if (!target) return;
    const items = [this.job ? 'Stop Keeping in Sync' : 'Start Keeping in Sync', 'Show Log'];
    const choice = await vscode.window.showQuickPick(items, {
      title: `Keep in Sync: ${path.basename(target.sourcePath)} → ${target.label}`,
    });
    if (choice === 'Stop Keeping in Sync') await this.stop();
    else if (choice === 'Start Keeping in Sync') void this.start(target);
    else if (choice === 'Show Log') this.log.show();
  }

  private onEvent(target: SyncTarget, e: SyncEvent): void {
    const name = path.basename(target.sourcePath);
    if (e.type === 'log')
      this.log[e.level === 'info' ? 'info' : e.level === 'warn' ? 'warn' : 'error'](`sync ${name}: ${e.message}`);
    if (e.type === 'sync-start')
      this.show('sync~spin', `${name}: syncing ${e.changedTables.join(', ') || 'interrupted work'}…`);
    if (e.type !== 'sync-end') return;
    const o = e.outcome;
    if (o.error) {
      this.log.warn(`sync ${name}: ${o.error.message}`);
      return;
    }
    const time = new Date(o.startedAt).toLocaleTimeString();
    this.log.info(
      `sync ${name}: ${o.status} ${o.changedTables.join(', ')} ${counts(o)} (${formatCount(o.totals.unchanged)} unchanged) in ${o.durationMs} ms, run ${o.runId ?? '—'}`,
    );
    if (o.status === 'unchanged') {
      this.show(
        'sync',
        `${name} in sync ${time}`,
        `Checked ${time}: ${o.changedTables.length > 0 ? `${o.changedTables.join(', ')} changed, but no collection reads them` : 'nothing changed'}.\n\nClick to stop.`,
      );
      return;
    }
    const tip = [
      `Last sync ${time}: ${o.status}`,
      `Changed tables: ${o.changedTables.join(', ') || 'none'}`,
      ...o.collections.map(
        (c) =>
          `${c.collection}: ${c.inserted} inserted, ${c.replaced} replaced, ${c.deleted} deleted, ${c.unchanged} unchanged`,
      ),
      `Run ${o.runId ?? '—'}`,
      'Click to stop.',
    ];
    this.show('sync', `${name} synced ${time} ${counts(o)}`, tip.join('\n\n'));
    if (o.status === 'synced') this.hooks.onSynced(target, o);
  }

  private show(icon: string, text: string, tooltip?: string): void {
    this.status.text = `$(${icon}) ${text}`;
    this.status.tooltip = tooltip ?? `Keep in Sync: ${this.target?.sourcePath ?? ''} → ${this.target?.label ?? ''}`;
    this.status.show();
  }

  dispose(): void {
    this.job?.dispose();
    this.job = undefined;
    this.status.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatCount, hostOf } from '../../core';
import { ConfirmedRefresh } from '../common/confirmedRefresh';
import type { HistoryEntry } from '../engine/workerProtocol';

export const HISTORY_VIEW_ID = 'sqlite2mongo.history';

/** A target database this workspace migrated to: its runs are read from its _sqlite2mongo_migrations collection. */
export interface HistoryTarget {
  /** The SecretStorage id of the connection string (see TargetStore). */
  targetId: string;
  database: string;
  /** The connection string with its password masked. */
  label: string;
}

/** Short, so the sidebar has room for the rest: "10:42" today, "30 Nov 10:42" this year, "30 Nov 2025" before. */
export function runTime(iso: Date | string, now = new Date()): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  if (d.toDateString() === now.toDateString()) return time;
  if (d.getFullYear() === now.getFullYear())
    return `${d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short' })} ${time}`;
  return d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
}

/** One run: labelled by the file it migrated and when; status by its icon, documents in the description. */
export class RunItem extends vscode.TreeItem {
  constructor(
    readonly run: HistoryEntry,
    readonly target: HistoryTarget,
  ) {
    super(`${path.basename(run.source.path)} · ${runTime(run.startedAt)}`, vscode.TreeItemCollapsibleState.None);
    this.id = `run:${target.targetId}:${target.database}:${run._id}`;
    // Documents this run wrote (a rerun that found every document unchanged wrote none).
    const written = run.collections.reduce((n, c) => n + c.imported, 0);
    const unfinished = run.status === 'running' || run.status === 'failed' || run.status === 'cancelled';
    // The icon says "completed"; other states are said in words, first, so a narrow sidebar still shows them.
    this.description = `${run.status === 'completed' ? '' : `${run.status} · `}${formatCount(written)} written${run.kind === 'full' ? '' : ` · ${run.kind}`}`;
    this.contextValue =
      run.status === 'rolled-back' ? 'run-rolled-back' : unfinished ? 'run-unfinished' : 'run-completed';
    const [icon, color] =
      run.status === 'completed'
        ? ['pass', 'testing.iconPassed']
        : run.status === 'rolled-back'
          ? ['discard', 'disabledForeground']
          : unfinished
            ? ['debug-pause', 'testing.iconQueued']
            : ['circle-outline', 'foreground'];
    this.iconPath = new vscode.ThemeIcon(
      run.status === 'failed' ? 'error' : icon,
      new vscode.ThemeColor(run.status === 'failed' ? 'testing.iconFailed' : color),
    );
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(
      `**${path.basename(run.source.path)}** → \`${target.database}\` on ${hostOf(target.label)} — ${run.status} (${run.kind}, run ${run._id})\n\n`,
    );
    tip.appendMarkdown(`Source: \`${run.source.path}\`\n\nStarted: ${new Date(run.startedAt).toLocaleString()}\n\n`);
    for (const c of run.collections)
      tip.appendMarkdown(
        `- ${c.collection}: ${formatCount(c.imported)} imported${c.done ? '' : `, checkpoint ${formatCount(c.checkpoint)}`}\n`,
      );
    if (run.error) tip.appendMarkdown(`\n\nError: ${run.error.message}`);
    this.tooltip = tip;
  }
}

/** A target database, with its runs below (or why they could not be read). */
export class TargetItem extends vscode.TreeItem {
  private shown = '';

  constructor(
    readonly target: HistoryTarget,
    public runs: HistoryEntry[],
    public error?: string,
  ) {
    super(target.database, vscode.TreeItemCollapsibleState.Expanded);
    this.id = `target:${target.targetId}:${target.database}`;
    this.iconPath = new vscode.ThemeIcon('database');
    this.contextValue = 'target';
    this.update(runs, error);
  }

  /** Takes newly read runs; true when anything shown changed. */
  update(runs: HistoryEntry[], error?: string): boolean {
    const shown = JSON.stringify([runs, error]);
    if (shown === this.shown) return false;
    this.shown = shown;
    this.runs = runs;
    this.error = error;
    const { target } = this;
    this.description = error
      ? `${hostOf(target.label)} · not reachable`
      : `${hostOf(target.label)} · ${runs.length} run${runs.length === 1 ? '' : 's'}`;
    this.tooltip = error ? `${target.label} / ${target.database}: ${error}` : `${target.label} / ${target.database}`;
    return true;
  }
}

type HistoryNode = TargetItem | RunItem;
/** The list of targets itself, as a refreshed "element" (VS Code refreshes it when the event names nothing). */
export const TARGET_LIST = 'targets';
export type Refreshed = TargetItem | typeof TARGET_LIST;

/** The "History" tree: each target database this workspace migrated to, and the runs recorded there, newest first. */
export class HistoryTree implements vscode.TreeDataProvider<HistoryNode> {
  private readonly changed = new vscode.EventEmitter<HistoryNode[] | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private groups: TargetItem[] = [];
  /** Every refresh is checked to have reached VS Code (see ConfirmedRefresh: VS Code can lose one). */
  private readonly refreshes: ConfirmedRefresh<Refreshed>;

  /** `canAsk`: whether VS Code would ask for the children of a refreshed target (view visible, target expanded). */
  constructor(canAsk: (item: Refreshed) => boolean) {
    this.refreshes = new ConfirmedRefresh<Refreshed>({
      fire: (items) => this.changed.fire(items.includes(TARGET_LIST) ? undefined : (items as TargetItem[])),
      canAsk,
    });
  }

  /**
   * Shows newly read runs. The same targets as before are updated in place and only the changed ones refreshed:
   * a refresh of the whole tree makes VS Code forget its items, and a request for a target's runs it is answering
   * at that moment then gets none ("No tree item with id … found"), leaving an expanded target empty.
   */
  set(groups: Array<{ target: HistoryTarget; runs: HistoryEntry[]; error?: string }>): void {
    const sameTargets =
      groups.length === this.groups.length &&
      groups.every((g, i) => this.groups[i]!.id === `target:${g.target.targetId}:${g.target.database}`);
    if (!sameTargets) {
      this.groups = groups.map((g) => new TargetItem(g.target, g.runs, g.error));
      // The old targets are gone. A refresh of the whole tree; the list and each new target's runs are waited for.
      this.refreshes.forget();
      this.refreshes.changed([TARGET_LIST, ...this.groups]);
      return;
    }
    const changed = this.groups.filter((item, i) => item.update(groups[i]!.runs, groups[i]!.error));
    this.refreshes.changed(changed);
  }

  /** VS Code may ask for children it could not ask for before (the view was shown, a target expanded). */
  recheck(): void {
    this.refreshes.recheck();
  }

  getTreeItem(item: HistoryNode): vscode.TreeItem {
    return item;
  }

  getChildren(node?: HistoryNode): HistoryNode[] {
    if (!node) {
      this.refreshes.asked(TARGET_LIST);
      return this.groups;
    }
    if (!(node instanceof TargetItem)) return [];
    this.refreshes.asked(node);
    return node.runs.map((r) => new RunItem(r, node.target));
  }

  dispose(): void {
    this.refreshes.dispose();
    this.changed.dispose();
  }
}

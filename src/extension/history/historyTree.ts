import * as vscode from 'vscode';
import { formatCount } from '../../core';
import type { HistoryEntry } from '../engine/workerProtocol';

export const HISTORY_VIEW_ID = 'sqlite2mongo.history';

/** One run from the target's _sqlite2mongo_migrations collection. contextValue drives the Resume/Rollback menus. */
export class RunItem extends vscode.TreeItem {
  constructor(readonly run: HistoryEntry) {
    super(run._id, vscode.TreeItemCollapsibleState.None);
    const docs = run.collections.reduce((n, c) => n + c.imported, 0);
    this.description = `${run.status} · ${run.kind} · ${formatCount(docs)} documents`;
    const unfinished = run.status === 'running' || run.status === 'failed' || run.status === 'cancelled';
    this.contextValue = run.status === 'rolled-back' ? 'run-rolled-back' : unfinished ? 'run-unfinished' : 'run-completed';
    const [icon, color] =
      run.status === 'completed' ? ['pass', 'testing.iconPassed'] : run.status === 'rolled-back' ? ['discard', 'disabledForeground'] : unfinished ? ['debug-pause', 'testing.iconQueued'] : ['circle-outline', 'foreground'];
    this.iconPath = new vscode.ThemeIcon(run.status === 'failed' ? 'error' : icon, new vscode.ThemeColor(run.status === 'failed' ? 'testing.iconFailed' : color));
    const tip = new vscode.MarkdownString();
    tip.appendMarkdown(`**${run._id}** — ${run.status} (${run.kind})\n\n`);
    tip.appendMarkdown(`Source: \`${run.source.path}\`\n\nStarted: ${new Date(run.startedAt).toLocaleString()}\n\n`);
    for (const c of run.collections) tip.appendMarkdown(`- ${c.collection}: ${c.imported} imported${c.done ? '' : `, checkpoint ${c.checkpoint}`}\n`);
    if (run.error) tip.appendMarkdown(`\n\nError: ${run.error.message}`);
    this.tooltip = tip;
  }
}

/** The "History" tree: migration runs recorded in the target of the last migration, newest first. */
export class HistoryTree implements vscode.TreeDataProvider<RunItem> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private runs: HistoryEntry[] = [];

  set(runs: HistoryEntry[]): void {
    this.runs = runs;
    this.changed.fire();
  }

  getTreeItem(item: RunItem): vscode.TreeItem {
    return item;
  }

  getChildren(): RunItem[] {
    return this.runs.map((r) => new RunItem(r));
  }

  dispose(): void {
    this.changed.dispose();
  }
}

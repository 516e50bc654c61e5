import * as path from 'node:path';
import * as vscode from 'vscode';
import { ConfirmedRefresh } from '../common/confirmedRefresh';
import { formatCount as fmt, plural, type Mismatch } from '../../core';
import { Commands } from '../commands';
import type { TableAccount } from '../../core';
import { accountVerdict, describeAccount, describeAccounting } from './accountingText';
import { verdictOf, type CollectionResult, type ValidationModel, type Verdict } from './validationModel';

export const VALIDATION_VIEW_ID = 'sqlite2mongo.validation';

export type ValidationNode =
  | { kind: 'collection'; result: CollectionResult }
  | { kind: 'mismatch'; collection: string; mismatch: Mismatch }
  | { kind: 'more'; collection: string; count: number }
  | { kind: 'accounting'; accounts: TableAccount[] }
  | { kind: 'account'; account: TableAccount };

const ICONS: Record<Verdict, vscode.ThemeIcon> = {
  pass: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  warn: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
  fail: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  unchecked: new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
};

const KIND_TEXT: Record<Mismatch['kind'], string> = {
  'missing-document': 'missing in MongoDB',
  'extra-document': 'not in SQLite',
  'missing-field': 'field missing',
  'extra-field': 'extra field',
  'type-differs': 'type differs',
  'value-differs': 'value differs',
  'count-differs': 'document count differs',
  'missing-collection': 'collection does not exist',
};

/** "3 passed", "2 passed · 1 failed", with warnings and extra documents when there are any. */
export function describeCollection(c: CollectionResult): string {
  const v = c.validation;
  if (!v) return c.failed > 0 ? `${fmt(c.failed)} refused · not validated` : 'not validated';
  const parts = [`${fmt(v.matched)} passed`];
  const failedDocs = v.differing + v.missing + v.extra;
  if (failedDocs > 0) parts.push(`${fmt(failedDocs)} failed`);
  if (c.failed > 0) parts.push(`${fmt(c.failed)} refused`);
  if (c.warnings > 0) parts.push(plural(c.warnings, 'warning'));
  if (v.others > 0) parts.push(`${fmt(v.others)} other documents`);
  return parts.join(' · ');
}

export function describeMismatch(m: Mismatch): string {
  const exp = m.expected !== undefined ? `expected ${m.expected}` : '';
  const act = m.actual !== undefined ? `actual ${m.actual}` : '';
  return [KIND_TEXT[m.kind], [exp, act].filter(Boolean).join(' ≠ ')].filter(Boolean).join(': ');
}

/** The "Validation" tree: one node per collection with its verdict, one child per mismatch. */
export class ValidationTreeProvider implements vscode.TreeDataProvider<ValidationNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ValidationNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly sub: vscode.Disposable;
  /** Each refresh is confirmed to reach VS Code, which can lose one (see ConfirmedRefresh). */
  private readonly refreshes: ConfirmedRefresh<'all'>;

  /** `visible`: whether the view is shown (VS Code asks for the new nodes only then). */
  constructor(
    private readonly model: ValidationModel,
    visible: () => boolean,
  ) {
    this.refreshes = new ConfirmedRefresh({ fire: () => this.changed.fire(undefined), canAsk: visible });
    this.sub = model.onDidChange(() => this.refreshes.changed(['all']));
  }

  /** The view was shown: VS Code may ask now for the nodes it could not ask for while hidden. */
  recheck(): void {
    this.refreshes.recheck();
  }

  getChildren(node?: ValidationNode): ValidationNode[] {
    if (!node) this.refreshes.asked('all');
    const rec = this.model.record;
    if (!rec) return [];
    if (!node)
      return [
        ...rec.collections.map((result): ValidationNode => ({ kind: 'collection', result })),
        ...(rec.accounting ? [{ kind: 'accounting' as const, accounts: rec.accounting }] : []),
      ];
    if (node.kind === 'accounting') return node.accounts.map((account) => ({ kind: 'account', account }));
    if (node.kind !== 'collection') return [];
    const c = node.result;
    const children: ValidationNode[] = c.mismatches.map((mismatch) => ({
      kind: 'mismatch',
      collection: c.collection,
      mismatch,
    }));
    const total = c.validation?.mismatches ?? 0;
    if (total > c.mismatches.length)
      children.push({ kind: 'more', collection: c.collection, count: total - c.mismatches.length });
    return children;
  }

  getTreeItem(node: ValidationNode): vscode.TreeItem {
    if (node.kind === 'collection') {
      const c = node.result;
      const verdict = verdictOf(c);
      const item = new vscode.TreeItem(
        c.collection,
        c.mismatches.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None,
      );
      // A new id per check, so the item takes its new default state (expanded when there are mismatches).
      item.id = `collection:${c.collection}:${c.checkedAt}`;
      item.description = describeCollection(c);
      item.iconPath = ICONS[verdict];
      item.contextValue = `collection.${verdict}`;
      const v = c.validation;
      const tip = new vscode.MarkdownString(undefined, true);
      tip.appendMarkdown(`**${c.collection}** ← table \`${c.table}\`\n\n`);
      tip.appendMarkdown(
        `| | |\n|---|---:|\n| Rows in SQLite | ${fmt(c.sourceRows)} |\n| Imported | ${fmt(c.imported)} |\n| Refused | ${fmt(c.failed)} |\n`,
      );
      if (v)
        tip.appendMarkdown(
          `| Validated OK | ${fmt(v.matched)} |\n| Differing | ${fmt(v.differing)} |\n| Missing | ${fmt(v.missing)} |\n| Extra | ${fmt(v.extra)} |\n`,
        );
      tip.appendMarkdown(`\nChecked ${new Date(c.checkedAt).toLocaleString()}`);
      item.tooltip = tip;
      item.command = { command: Commands.openCollection, title: 'Show the collection', arguments: [node] };
      return item;
    }
    if (node.kind === 'accounting') return this.accountingItem(node.accounts);
    if (node.kind === 'account') return this.accountItem(node.account);
    if (node.kind === 'more') {
      const item = new vscode.TreeItem(`… ${fmt(node.count)} more (see the report)`);
      item.id = `more:${node.collection}`;
      item.contextValue = 'more';
      return item;
    }
    const m = node.mismatch;
    const item = new vscode.TreeItem(
      m.kind === 'count-differs'
        ? 'document count'
        : m.kind === 'missing-collection'
          ? 'collection'
          : `_id ${m.id} · ${m.path || '(document)'}`,
    );
    item.id = `mismatch:${node.collection}:${m.id}:${m.path}:${m.kind}`;
    item.description = describeMismatch(m);
    item.tooltip = new vscode.MarkdownString()
      .appendMarkdown(
        `**${node.collection}** \`_id ${m.id}\`, field \`${m.path || '(whole document)'}\`: ${KIND_TEXT[m.kind]}\n\n`,
      )
      .appendCodeblock(`expected: ${m.expected ?? '—'}\nactual:   ${m.actual ?? '—'}`, 'text');
    item.iconPath = new vscode.ThemeIcon('diff-modified', new vscode.ThemeColor('testing.iconFailed'));
    item.contextValue = 'mismatch';
    if (m.kind !== 'count-differs' && m.kind !== 'missing-collection')
      item.command = {
        command: Commands.openMismatch,
        title: 'Compare SQLite row and MongoDB document',
        arguments: [node],
      };
    return item;
  }

  /** Row accounting: read = written + folded + refused + skipped, per source table; expanded when one is off. */
  private accountingItem(accounts: TableAccount[]): vscode.TreeItem {
    const bad = accounts.some((a) => accountVerdict(a) === 'fail');
    const item = new vscode.TreeItem(
      'Row accounting',
      bad ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = `accounting:${this.model.record?.stamp ?? ''}`;
    item.description = describeAccounting(accounts);
    item.iconPath = ICONS[bad ? 'fail' : 'pass'];
    item.tooltip =
      'Every source row: written as a document, folded into another document (array entry, embedded), refused (see the report), or skipped with a stated reason.';
    item.contextValue = 'accounting';
    return item;
  }

  private accountItem(a: TableAccount): vscode.TreeItem {
    const item = new vscode.TreeItem(a.table === '' ? '""' : a.table);
    item.id = `account:${this.model.record?.stamp ?? ''}:${a.table}`;
    item.description = describeAccount(a);
    item.iconPath = ICONS[accountVerdict(a)];
    const tip = new vscode.MarkdownString(undefined, true);
    tip.appendMarkdown(
      `**${a.table}**\n\n| | |\n|---|---:|\n| Read | ${fmt(a.read)} |\n| Written | ${fmt(a.written)} |\n| Folded or embedded | ${fmt(a.folded)} |\n| Refused | ${fmt(a.refused)} |\n| Skipped | ${fmt(a.skipped)} |\n| Unaccounted | ${fmt(a.unaccounted)} |\n`,
    );
    for (const reason of a.reasons) tip.appendMarkdown(`\n- skipped ${reason}`);
    item.tooltip = tip;
    item.contextValue = 'account';
    return item;
  }

  /** Text for the view's description: which source and target the results are for. */
  description(): string | undefined {
    const rec = this.model.record;
    return rec ? `${path.basename(rec.sourcePath)} → ${rec.database}` : undefined;
  }

  dispose(): void {
    this.sub.dispose();
    this.refreshes.dispose();
    this.changed.dispose();
  }
}

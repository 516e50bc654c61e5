/** Words for the row accounting in the Validation tree (no vscode here, so it is unit-tested). */
import { formatCount as fmt, plural, type TableAccount } from '../../core';

export type AccountVerdict = 'pass' | 'warn' | 'fail';

/** fail: rows unaccounted; warn: rows refused or skipped (with reasons); pass: every row written or folded. */
export function accountVerdict(a: TableAccount): AccountVerdict {
  if (a.unaccounted !== 0) return 'fail';
  return a.refused > 0 || a.skipped > 0 ? 'warn' : 'pass';
}

/** "5 read = 3 written + 2 skipped" — only the terms that are not zero. */
export function describeAccount(a: TableAccount): string {
  const terms: Array<[number, string]> = [
    [a.written, 'written'],
    [a.folded, 'folded'],
    [a.refused, 'refused'],
    [a.skipped, 'skipped'],
    [a.unaccounted, 'UNACCOUNTED'],
  ];
  const shown = terms.filter(([n]) => n !== 0).map(([n, what]) => `${fmt(n)} ${what}`);
  return `${fmt(a.read)} read = ${shown.length > 0 ? shown.join(' + ') : '0'}`;
}

/** The line next to the "Row accounting" node. */
export function describeAccounting(accounts: TableAccount[]): string {
  const bad = accounts.filter((a) => a.unaccounted !== 0);
  if (bad.length > 0) return `rows unaccounted in ${bad.map((a) => a.table).join(', ')}`;
  const rows = accounts.reduce((n, a) => n + a.read, 0);
  return `all ${plural(rows, 'row')} of ${plural(accounts.length, 'table')} accounted for`;
}

/** The Validation tree's words for the row accounting. */
import assert from 'node:assert/strict';
import { openAccount, type TableAccount } from '../../../src/core';
import { accountVerdict, describeAccount, describeAccounting } from '../../../src/extension/tree/accountingText';

const account = (table: string, extra: Partial<TableAccount>): TableAccount => ({ ...openAccount(table), ...extra });

describe('Validation tree: row accounting text', () => {
  it('names only the terms that are not zero, and flags unaccounted rows', () => {
    assert.equal(describeAccount(account('items', { read: 1200, written: 1200 })), '1,200 read = 1,200 written');
    assert.equal(
      describeAccount(account('item_tags', { read: 5, folded: 3, skipped: 2 })),
      '5 read = 3 folded + 2 skipped',
    );
    assert.equal(describeAccount(account('tags', { read: 3, unaccounted: 3 })), '3 read = 3 UNACCOUNTED');
    assert.equal(describeAccount(account('empty', {})), '0 read = 0');
  });

  it('passes written and folded rows, warns on refused or skipped ones, fails on unaccounted ones', () => {
    assert.equal(accountVerdict(account('a', { read: 2, written: 1, folded: 1 })), 'pass');
    assert.equal(accountVerdict(account('a', { read: 2, written: 1, refused: 1 })), 'warn');
    assert.equal(accountVerdict(account('a', { read: 2, written: 1, skipped: 1 })), 'warn');
    assert.equal(accountVerdict(account('a', { read: 2, written: 1, unaccounted: 1 })), 'fail');
  });

  it('sums up the run', () => {
    assert.equal(
      describeAccounting([account('a', { read: 2, written: 2 }), account('b', { read: 3, folded: 3 })]),
      'all 5 rows of 2 tables accounted for',
    );
    assert.equal(
      describeAccounting([account('a', { read: 2, written: 2 }), account('tags', { read: 3, unaccounted: 3 })]),
      'rows unaccounted in tags',
    );
  });
});

/** Counts read as words in every front end: one row, 2,155 rows (never "1 rows"). */
import assert from 'node:assert/strict';
import { formatCount, plural } from '../../../src/core/format';

describe('count formatting', () => {
  it('plural says one noun for exactly one and the plural otherwise, with the count grouped', () => {
    assert.equal(plural(1, 'row'), '1 row');
    assert.equal(plural(0, 'row'), '0 rows');
    assert.equal(plural(2155, 'row'), '2,155 rows');
    assert.equal(plural(1, 'index', 'indexes'), '1 index');
    assert.equal(plural(3, 'index', 'indexes'), '3 indexes');
    assert.equal(formatCount(1234567), '1,234,567');
  });
});

import assert from 'node:assert/strict';
import { filterProblem, whereClause } from '../../../src/core/plan/filter';

describe('row filters', () => {
  it('accepts one SQL expression, with quotes and brackets holding any character', () => {
    for (const f of [
      `deleted_at IS NULL`,
      `status IN ('a;b', 'it''s)')`,
      `"weird (name" > 3 AND (x OR y)`,
      `[odd;name] = 1`,
      `a - -1 > 0`,
    ])
      assert.equal(filterProblem(f), null, f);
  });
  it('refuses what would escape WHERE (…): separators, closing parentheses, comments, open quotes', () => {
    assert.match(filterProblem(`1); DROP TABLE t; --`) ?? '', /closes a parenthesis/);
    assert.match(filterProblem(`1; SELECT 2`) ?? '', /no ";"/);
    assert.match(filterProblem(`1 -- rest`) ?? '', /comment/);
    assert.match(filterProblem(`1 /* x */`) ?? '', /comment/);
    assert.match(filterProblem(`name = 'x`) ?? '', /unterminated quote/);
    assert.match(filterProblem(`(a = 1`) ?? '', /unclosed parenthesis/);
    assert.match(filterProblem(`  `) ?? '', /non-empty/);
    assert.match(filterProblem(42) ?? '', /non-empty/);
  });
  it('joins conditions', () => {
    assert.equal(whereClause('a = 1', undefined, 'b > 2'), '(a = 1) AND (b > 2)');
    assert.equal(whereClause(undefined, ''), undefined);
  });
});

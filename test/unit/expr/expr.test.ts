/** Computed-field expressions: the language, SQL's NULL rules, and that a hostile plan cannot reach JavaScript. */
import assert from 'node:assert/strict';
import { CompiledExpression } from '../../../src/core/expr/evaluate';
import {
  ExprSyntaxError,
  MAX_EXPRESSION_LENGTH,
  parseExpression,
  referencedColumns,
} from '../../../src/core/expr/parse';
import type { SqlValue } from '../../../src/core/sqlite/types';

const row = new Map<string, SqlValue>([
  ['first_name', 'Ada'],
  ['last_name', 'Lovelace'],
  ['Unit Price', 0.99],
  ['qty', 3n],
  ['big', 9223372036854775807n],
  ['tags', 'a,b,,c'],
  ['born', '1815-12-10'],
  ['epoch', 1700000000n],
  ['nothing', null],
  ['__proto__', 'proto is data'],
  ['constructor', 'so is constructor'],
  ['photo', new Uint8Array([1, 2, 3])],
]);
const run = (src: string) => new CompiledExpression(src).evaluate(row);

describe('computed-field expressions', () => {
  it('concatenates, cases, splits, substrings and parses like SQL', () => {
    assert.equal(run(`first_name || ' ' || upper(last_name)`), 'Ada LOVELACE');
    assert.equal(run(`lower("first_name")`), 'ada');
    assert.deepEqual(run(`split(tags, ',')`), ['a', 'b', '', 'c']);
    assert.equal(run(`item(split(tags, ','), -1)`), 'c');
    assert.equal(run(`join(split(tags, ','), '|')`), 'a|b||c');
    assert.equal(run(`substr(last_name, 1, 4)`), 'Love');
    assert.equal(run(`length('née 😀')`), 5n);
    assert.equal(run(`replace(last_name, 'l', 'L')`), 'LoveLace');
    assert.equal(run(`integer('42') + 1`), 43n);
    assert.equal(run(`number('2.5') * 2`), 5);
    assert.equal(run(`round([Unit Price] * qty, 2)`), 2.97);
    assert.deepEqual(run(`date(born)`), new Date(Date.UTC(1815, 11, 10)));
    assert.deepEqual(run(`date(epoch)`), new Date(1700000000000));
  });

  it('integers stay exact int64; overflow is an error; division by zero is NULL', () => {
    assert.equal(run(`big - 1`), 9223372036854775806n);
    assert.throws(() => run(`big + 1`), /integer overflow/);
    assert.equal(run(`qty / 0`), null);
    assert.equal(run(`7 / 2`), 3n);
    assert.equal(run(`7.0 / 2`), 3.5);
  });

  it('NULL propagates, coalesce and isnull handle it, conditionals choose', () => {
    assert.equal(run(`nothing || 'x'`), null);
    assert.equal(run(`upper(nothing)`), null);
    assert.equal(run(`coalesce(nothing, first_name)`), 'Ada');
    assert.equal(run(`concat(first_name, nothing, '!')`), 'Ada!');
    assert.equal(run(`isnull(nothing) ? 'none' : 'some'`), 'none');
    assert.equal(run(`qty >= 3 and not (qty = 4) ? 'bulk' : 'single'`), 'bulk');
    assert.equal(run(`nothing = 1`), null);
    assert.equal(run(`nothing ? 'yes' : 'no'`), 'no');
  });

  it('any column name is data: __proto__ and constructor are read as columns, never as JavaScript', () => {
    assert.equal(run(`"__proto__"`), 'proto is data');
    assert.equal(run(`constructor || '!'`), 'so is constructor!');
    assert.throws(() => run(`toString`), /no column "toString"/);
    assert.throws(() => new CompiledExpression(`constructor('return process')()`), ExprSyntaxError);
    for (const fn of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'eval', 'require', 'process']) {
      assert.throws(() => new CompiledExpression(`${fn}(1)`), /unknown function/, fn);
    }
    assert.throws(() => run(`first_name.length`), ExprSyntaxError);
    assert.throws(() => run(`first_name[0]`), ExprSyntaxError);
  });

  it('refuses what would be expensive: long or deep expressions, text past 1 MiB', () => {
    assert.throws(() => parseExpression('1+'.repeat(MAX_EXPRESSION_LENGTH)), /characters long/);
    assert.throws(() => parseExpression(`${'('.repeat(100)}1${')'.repeat(100)}`), /nests deeper/);
    const wide = Array.from({ length: 300 }, () => 'qty').join(' + ');
    assert.equal(new CompiledExpression(wide).evaluate(row), 900n);
    const big = new Map<string, SqlValue>([['t', 'x'.repeat(100_000)]]);
    const doubling = new CompiledExpression(Array.from({ length: 20 }, () => 't').join(' || '));
    assert.throws(() => doubling.evaluate(big), /at most 1048576/);
    assert.throws(
      () => new CompiledExpression(`replace(t, 'x', 'xxxxxxxxxxxxxxxxxxxx')`).evaluate(big),
      /at most 1048576/,
    );
  });

  it('type errors and syntax errors say what and where', () => {
    assert.throws(() => run(`photo || 'x'`), /expects text, got a BLOB of 3 bytes/);
    assert.throws(() => run(`first_name * 2`), /expects a number, got text 'Ada'/);
    assert.throws(() => run(`upper(1, 2)`), /takes 1 argument/);
    assert.throws(() => parseExpression(`first_name ||`), /ends too early/);
    assert.throws(() => parseExpression(`'open`), /unterminated text/);
    assert.throws(() => parseExpression(`a ; b`), /unexpected ";" at position 3/);
    assert.deepEqual([...referencedColumns(parseExpression(`coalesce(a, "b c") || [d]`))], ['a', 'b c', 'd']);
  });
});

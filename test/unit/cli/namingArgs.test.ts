import * as assert from 'node:assert/strict';
import { parseCli } from '../../../src/cli/args';

describe('cli/args: plan --naming', () => {
  it('reads the naming convention of the plan command', () => {
    assert.equal(parseCli(['plan', '--sqlite-url', 'a.db', '--naming', 'camelCase']).naming, 'camelCase');
    assert.equal(parseCli(['plan', '--sqlite-url', 'a.db', '--naming', 'snake_case']).naming, 'snake_case');
    assert.equal(parseCli(['plan', '--sqlite-url', 'a.db']).naming, undefined);
  });

  it('refuses an unknown convention, and --naming on other commands', () => {
    assert.throws(
      () => parseCli(['plan', '--sqlite-url', 'a.db', '--naming', 'kebab-case']),
      /--naming must be one of as-is, camelCase, snake_case \(got "kebab-case"\)/,
    );
    assert.throws(
      () => parseCli(['migrate', '--sqlite-url', 'a.db', '--naming', 'camelCase']),
      /goes with the plan command/,
    );
  });
});

import * as assert from 'node:assert/strict';
import { parseCli, parseDuration } from '../../../src/cli/args';

describe('cli/args: sync options', () => {
  it('reads sync --watch --interval and --validate', () => {
    const o = parseCli(['sync', '--sqlite-url', 'app.db', '--watch', '--interval', '500ms', '--validate']);
    assert.deepEqual([o.command, o.watch, o.intervalMs, o.syncValidate], ['sync', true, 500, true]);
    const plain = parseCli(['sync', '--sqlite-url', 'app.db']);
    assert.deepEqual([plain.watch, plain.intervalMs, plain.syncValidate], [false, undefined, false]);
  });

  it('reads durations in ms, s and m (a bare number is seconds) and refuses the rest', () => {
    assert.deepEqual(
      ['250ms', '2s', '1.5s', '1m', '3'].map((v) => parseDuration('--interval', v)),
      [250, 2000, 1500, 60_000, 3000],
    );
    for (const bad of ['', 'fast', '50ms', '-1s', '2h'])
      assert.throws(() => parseDuration('--interval', bad), /--interval must be a duration of at least 100ms/);
  });

  it('refuses sync options on other commands, and --interval without --watch', () => {
    assert.throws(() => parseCli(['migrate', '--sqlite-url', 'a.db', '--watch']), /go with the sync command/);
    assert.throws(() => parseCli(['sync', '--sqlite-url', 'a.db', '--interval', '2s']), /--interval goes with --watch/);
  });
});

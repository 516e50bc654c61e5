/**
 * Progress on a non-terminal (piped, CI): a plain line at least every 5 s while a step runs, even when nothing
 * moved — the engine's meter sends an event every second when stalled (see test/unit/core/progress.test.ts).
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ConsoleRenderer } from '../../../src/cli/output';

describe('CLI progress on a non-terminal', () => {
  const realNow = Date.now;
  afterEach(() => {
    Date.now = realNow;
  });

  it('prints a plain progress line at least every 5 s while the import is stalled', () => {
    const out = new PassThrough();
    let text = '';
    out.on('data', (c) => (text += String(c)));
    const renderer = new ConsoleRenderer(out, 'plain', new PassThrough());
    let now = 1_000_000;
    Date.now = () => now;
    renderer.onEvent({ type: 'step-start', step: 'import', index: 2, total: 4, label: 'Import', totalItems: 5000 });
    // One heartbeat event a second for 30 s, the count stuck at 1,200 (a server that stopped answering).
    for (let s = 0; s <= 30; s++, now += 1000)
      renderer.onEvent({ type: 'progress', step: 'import', done: 1200, total: 5000, ratePerSec: 40 });
    const lines = text.split('\n').filter((l) => l.includes('1,200/5,000'));
    assert.ok(lines.length >= 6, `${lines.length} progress lines in 30 s:\n${text}`);
    assert.ok(lines.length <= 8, 'not one line per event');
    assert.doesNotMatch(text, /\r|\x1b/, 'no terminal control characters');
  });
});

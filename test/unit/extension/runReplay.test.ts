/** What a migration panel replays to a webview that was re-created during or after a run. */
import assert from 'node:assert/strict';
import { RunReplay } from '../../../src/extension/panel/runReplay';
import { ToPanel, type PanelRunEvent, type ToPanelMessage } from '../../../src/webview/panel/protocol';

const event = (e: PanelRunEvent): ToPanelMessage => ({ type: ToPanel.runEvent, runId: 1, event: e });
const progress = (step: 'export' | 'import', done: number) =>
  event({ type: 'progress', step, done, total: 10, ratePerSec: 1 });
const started: ToPanelMessage = {
  type: ToPanel.runStarted,
  runId: 1,
  steps: ['export', 'import'],
  target: { host: 'localhost', database: 'shop' },
};

describe('migration panel: run replay', () => {
  it('keeps every step boundary and log line, and only the newest progress of the current step', () => {
    const replay = new RunReplay();
    const exportStart = event({
      type: 'step-start',
      step: 'export',
      index: 0,
      total: 2,
      label: 'Export',
      totalItems: 10,
    });
    const exportEnd = event({ type: 'step-end', step: 'export', index: 0, durationMs: 5, done: 10 });
    const note = event({ type: 'log', level: 'info', message: 'halfway' });
    for (const m of [started, exportStart, progress('export', 3), note, progress('export', 9), exportEnd])
      replay.add(m);
    replay.add(progress('import', 4));
    assert.deepEqual(replay.all, [started, exportStart, note, progress('export', 9), exportEnd, progress('import', 4)]);
  });

  it('starts over when cleared', () => {
    const replay = new RunReplay();
    replay.add(started);
    replay.add(progress('export', 1));
    replay.clear();
    replay.add(progress('export', 2));
    replay.add(progress('export', 3));
    assert.deepEqual(replay.all, [progress('export', 3)]);
  });
});

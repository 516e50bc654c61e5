import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { watchLoop } from '../../../src/core/sync/watch';
import { cleanupTempDirs, tempDir } from '../../helpers/sqliteBuilders';

const HOUR = 3_600_000;

/** Starts a loop whose checks are recorded; `until(n)` resolves when n checks have run. */
function startLoop(file: string, intervalMs: number, check: (n: number) => Promise<void> = async () => undefined) {
  const controller = new AbortController();
  const reasons: string[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  let checks = 0;
  const done = watchLoop({
    file,
    intervalMs,
    debounceMs: 20,
    signal: controller.signal,
    onWake: (r) => reasons.push(r),
    check: async () => {
      checks++;
      await check(checks);
      for (const w of waiters.filter((x) => x.n <= checks)) w.resolve();
    },
  });
  const until = (n: number) => new Promise<void>((resolve) => (checks >= n ? resolve() : waiters.push({ n, resolve })));
  return { controller, reasons, done, until, count: () => checks };
}

describe('sync/watch: the --watch loop', () => {
  let dir: string;
  beforeEach(() => (dir = tempDir('s2m-watch-')));
  after(cleanupTempDirs);

  it('checks at start, then on a change to the -wal file (no interval elapsed), and stops cleanly when aborted', async () => {
    const file = path.join(dir, 'app.db');
    fs.writeFileSync(file, 'x');
    const loop = startLoop(file, HOUR);
    await loop.until(1);
    fs.writeFileSync(`${file}-wal`, 'frames');
    await loop.until(2);
    assert.deepEqual(loop.reasons.slice(0, 2), ['start', 'change']);
    loop.controller.abort();
    await loop.done;
    const after = loop.count();
    fs.writeFileSync(`${file}-wal`, 'more frames');
    fs.writeFileSync(file, 'y');
    // The loop has returned: nothing may run any more (the watcher is closed). Give events a chance to arrive.
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(loop.count(), after);
  });

  it('ignores other files in the folder and checks again when the interval passes', async () => {
    const file = path.join(dir, 'app.db');
    fs.writeFileSync(file, 'x');
    const loop = startLoop(file, 30);
    await loop.until(1);
    fs.writeFileSync(path.join(dir, 'other.db-wal'), 'not ours');
    await loop.until(3);
    loop.controller.abort();
    await loop.done;
    assert.deepEqual(loop.reasons.slice(0, 3), ['start', 'interval', 'interval']);
  });

  it('runs one more check when the file changes during a check (syncs never overlap)', async () => {
    const file = path.join(dir, 'app.db');
    fs.writeFileSync(file, 'x');
    let running = 0;
    let overlapped = false;
    const loop = startLoop(file, HOUR, async (n) => {
      overlapped ||= running > 0;
      running++;
      if (n === 1) {
        fs.writeFileSync(file, 'changed while checking');
        await new Promise((r) => setTimeout(r, 50));
      }
      running--;
    });
    await loop.until(2);
    loop.controller.abort();
    await loop.done;
    assert.equal(overlapped, false);
    assert.equal(loop.reasons[1], 'change');
  });

  it('ends with the error a check throws', async () => {
    const file = path.join(dir, 'app.db');
    fs.writeFileSync(file, 'x');
    const loop = startLoop(file, 10, async (n) => {
      if (n === 2) throw new Error('schema changed');
    });
    await assert.rejects(loop.done, /schema changed/);
    assert.equal(loop.count(), 2);
  });
});

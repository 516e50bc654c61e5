/** SerialRefresh: refreshes never overlap, and a refresh asked for during one is run after it. */
import assert from 'node:assert/strict';
import { SerialRefresh } from '../../../src/extension/common/serialRefresh';

/** A refresh whose runs finish only when the test says so. */
function controlledWork() {
  const runs: Array<() => void> = [];
  let active = 0;
  let maxActive = 0;
  const work = () =>
    new Promise<void>((resolve) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push(() => {
        active--;
        resolve();
      });
    });
  return { work, runs, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SerialRefresh', () => {
  it('runs once more after the current run for any number of calls made during it, never two at once', async () => {
    const c = controlledWork();
    const refresh = new SerialRefresh(c.work);
    let firstDone = false;
    let laterDone = 0;
    void refresh.run().then(() => (firstDone = true));
    await tick();
    for (let i = 0; i < 3; i++) void refresh.run().then(() => laterDone++);
    await tick();
    assert.equal(c.runs.length, 1, 'the calls made during the first run wait for it');
    c.runs[0]!();
    await tick();
    assert.equal(c.runs.length, 2, 'one more run for the three calls');
    assert.equal(laterDone, 0, 'a call made during a run resolves only after a run that started after it');
    c.runs[1]!();
    await tick();
    assert.ok(firstDone);
    assert.equal(laterDone, 3);
    assert.equal(c.maxActive(), 1);
  });

  it('starts afresh after it went idle, and a failed run is reported to its callers without losing later calls', async () => {
    let calls = 0;
    const refresh = new SerialRefresh(async () => {
      calls++;
      if (calls === 1) throw new Error('server gone');
    });
    await assert.rejects(refresh.run(), /server gone/);
    await refresh.run();
    assert.equal(calls, 2);
    const both = await Promise.allSettled([refresh.run(), refresh.run()]);
    assert.deepEqual(
      both.map((b) => b.status),
      ['fulfilled', 'fulfilled'],
    );
    assert.equal(calls, 4, 'the second call, made during the third run, got a run of its own');
  });
});

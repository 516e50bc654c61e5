/** The step progress meter keeps reporting while nothing moves (a slow server, a long scan): its heartbeat. */
import assert from 'node:assert/strict';
import { ProgressMeter } from '../../../src/core/pipeline/progress';

describe('ProgressMeter', () => {
  it('sends progress events while no update arrives, with the last count', async () => {
    const events: number[] = [];
    let meter: ProgressMeter | undefined;
    // Resolves after two events that no update caused (mocha's timeout fails the test if they never come).
    await new Promise<void>((resolve) => {
      meter = new ProgressMeter(100, (done) => {
        events.push(done);
        if (events.length === 3) resolve();
      });
      meter.update(42);
    });
    meter?.stop();
    assert.deepEqual(events, [42, 42, 42]);
  });
});

/** ConfirmedRefresh: a refreshed element VS Code does not ask for again is refreshed again, within limits. */
import assert from 'node:assert/strict';
import { ConfirmedRefresh } from '../../../src/extension/common/confirmedRefresh';

/** A ConfirmedRefresh with a hand-driven timer, recording every fire. */
function harness(opts: { canAsk?: (item: string) => boolean; attempts?: number } = {}) {
  const fired: string[][] = [];
  let pending: (() => void) | undefined;
  const refresh = new ConfirmedRefresh<string>({
    fire: (items) => fired.push([...items]),
    canAsk: opts.canAsk ?? (() => true),
    attempts: opts.attempts,
    setTimer: (run) => {
      assert.equal(pending, undefined, 'one timer at a time');
      pending = run;
      return { dispose: () => (pending = undefined) };
    },
  });
  const elapse = () => {
    const run = pending;
    pending = undefined;
    run?.();
  };
  return { refresh, fired, elapse, timerSet: () => pending !== undefined };
}

describe('ConfirmedRefresh', () => {
  it('fires once and stops waiting when VS Code asks for the element', () => {
    const h = harness();
    h.refresh.changed(['target']);
    assert.deepEqual(h.fired, [['target']]);
    h.refresh.asked('target');
    h.elapse();
    assert.deepEqual(h.fired, [['target']], 'no second refresh');
    assert.equal(h.refresh.waiting, 0);
    assert.equal(h.timerSet(), false);
  });

  it('refreshes again an element VS Code did not ask for, then gives up after the attempts', () => {
    const h = harness({ attempts: 2 });
    h.refresh.changed(['a', 'b']);
    h.refresh.asked('b');
    h.elapse();
    assert.deepEqual(h.fired, [['a', 'b'], ['a']]);
    h.elapse();
    assert.deepEqual(h.fired, [['a', 'b'], ['a'], ['a']]);
    h.elapse();
    assert.deepEqual(h.fired.length, 3, 'no more than 2 refreshes again');
    assert.equal(h.refresh.waiting, 0);
  });

  it('waits while VS Code cannot ask (view hidden), and checks again on recheck()', () => {
    let visible = false;
    const h = harness({ canAsk: () => visible });
    h.refresh.changed(['a']);
    h.elapse();
    assert.deepEqual(h.fired, [['a']], 'not refreshed again while hidden');
    assert.equal(h.timerSet(), false, 'no timer runs while nothing can be asked');
    assert.equal(h.refresh.waiting, 1);
    visible = true;
    h.refresh.recheck();
    h.elapse();
    assert.deepEqual(h.fired, [['a'], ['a']]);
    h.refresh.asked('a');
    h.elapse();
    assert.equal(h.fired.length, 2);
  });

  it('a new change restarts the attempts; forget() drops everything', () => {
    const h = harness({ attempts: 1 });
    h.refresh.changed(['a']);
    h.elapse();
    h.refresh.changed(['a']);
    h.elapse();
    assert.deepEqual(h.fired, [['a'], ['a'], ['a'], ['a']]);
    h.refresh.changed(['a']);
    h.refresh.forget();
    assert.equal(h.timerSet(), false);
    assert.equal(h.refresh.waiting, 0);
  });
});

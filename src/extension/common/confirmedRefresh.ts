/**
 * Tells VS Code that tree elements changed, and makes sure it asked for them again.
 *
 * VS Code can lose the refresh of an element. When the window's request for an element's children is answered and
 * the element's refresh leaves the extension host in the same turn, the window handles the refresh first (it
 * clears its copy of the children), then stores the answer that was already on its way (the old children), and
 * serves the refresh from that copy without asking the extension again: the view keeps showing the old children
 * until something else refreshes it. (Reproduced in code-server 4.100.3: docs/testing.md, "sixth session".) The
 * extension host also drops, without a word, a refresh of an element the window has not fetched yet.
 *
 * So each refreshed element is kept until VS Code asks for its children. One it would have asked for (its view
 * visible and the element expanded) but did not within `confirmMs` is refreshed again, up to `attempts` times.
 * One it could not ask for (hidden, collapsed) waits for `recheck()` (the view shown, the element expanded).
 */
export interface ConfirmedRefreshOptions<T> {
  /** Fires the tree's onDidChangeTreeData for these elements. */
  fire: (items: T[]) => void;
  /** Whether VS Code asks for this element's children when it is refreshed (its view visible, it expanded). */
  canAsk: (item: T) => boolean;
  /** How long VS Code has to ask before the element is refreshed again. */
  confirmMs?: number;
  /** Refreshes sent again for one change at most. */
  attempts?: number;
  /** A timer (tests pass a controlled one). */
  setTimer?: (run: () => void, ms: number) => { dispose(): void };
}

const nodeTimer = (run: () => void, ms: number) => {
  const handle = setTimeout(run, ms);
  return { dispose: () => clearTimeout(handle) };
};

export class ConfirmedRefresh<T> {
  /** Elements refreshed and not asked for since, with the number of times they were refreshed again. */
  private readonly unconfirmed = new Map<T, number>();
  private timer: { dispose(): void } | undefined;
  private readonly confirmMs: number;
  private readonly attempts: number;
  private readonly setTimer: NonNullable<ConfirmedRefreshOptions<T>['setTimer']>;

  constructor(private readonly opts: ConfirmedRefreshOptions<T>) {
    this.confirmMs = opts.confirmMs ?? 1000;
    this.attempts = opts.attempts ?? 3;
    this.setTimer = opts.setTimer ?? nodeTimer;
  }

  /** These elements changed: refreshes them and waits for VS Code to ask for their children. */
  changed(items: T[]): void {
    if (items.length === 0) return;
    for (const item of items) this.unconfirmed.set(item, 0);
    this.opts.fire(items);
    this.schedule();
  }

  /** VS Code asked for this element's children (call it from getChildren). */
  asked(item: T): void {
    this.unconfirmed.delete(item);
  }

  /** VS Code may ask now where it could not before (the view became visible, an element was expanded). */
  recheck(): void {
    this.schedule();
  }

  /** The elements were replaced (a refresh of the whole tree): nothing is waited for any more. */
  forget(): void {
    this.unconfirmed.clear();
    this.timer?.dispose();
    this.timer = undefined;
  }

  /** Elements still waiting to be asked for (for tests and logs). */
  get waiting(): number {
    return this.unconfirmed.size;
  }

  dispose(): void {
    this.forget();
  }

  private schedule(): void {
    if (this.timer || this.unconfirmed.size === 0) return;
    this.timer = this.setTimer(() => {
      this.timer = undefined;
      this.check();
    }, this.confirmMs);
  }

  private check(): void {
    const again: T[] = [];
    for (const [item, sent] of this.unconfirmed) {
      if (sent >= this.attempts)
        this.unconfirmed.delete(item); // given up: the next change refreshes it
      else if (this.opts.canAsk(item)) {
        this.unconfirmed.set(item, sent + 1);
        again.push(item);
      }
    }
    if (again.length === 0) return; // the rest wait for recheck()
    this.opts.fire(again);
    this.schedule();
  }
}

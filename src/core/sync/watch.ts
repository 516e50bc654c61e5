/**
 * The loop behind `sync --watch`: wake on a change to the database file or its -wal (fs.watch on the folder, since
 * the -wal comes and goes), wait a short debounce so a burst of commits becomes one sync, and also check every
 * `intervalMs` (file events are not delivered on every file system; a check that finds nothing reads only the
 * headers). Syncs never overlap: a change during a sync makes the next one start right after it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface WatchLoopOptions {
  /** The SQLite database file. */
  file: string;
  /** Longest time between two checks. */
  intervalMs: number;
  /** After a file event, wait this long (for the rest of the burst) before syncing. */
  debounceMs: number;
  signal: AbortSignal;
  /** One sync; an error it throws ends the loop (the caller decides what is worth stopping for). */
  check: () => Promise<void>;
  /** For tests and status output: the reason of each wake-up. */
  onWake?: (reason: 'start' | 'change' | 'interval') => void;
}

/** Resolves after `ms`, or at once when `signal` fires. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Watches the file's folder for events about the file, its -wal or -journal. */
function watchFolder(file: string, onChange: () => void): fs.FSWatcher | undefined {
  const names = new Set([path.basename(file), `${path.basename(file)}-wal`, `${path.basename(file)}-journal`]);
  try {
    const watcher = fs.watch(path.dirname(file), { persistent: false }, (_event, name) => {
      if (name === null || names.has(name.toString())) onChange();
    });
    // A folder removed or unmounted: keep going on the interval alone.
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return undefined; // no file events here: the interval still checks
  }
}

/** Runs `check` at start, after each change burst and at every interval, until `signal` fires. */
export async function watchLoop(opts: WatchLoopOptions): Promise<void> {
  let changed: boolean;
  let wake: (() => void) | undefined;
  const watcher = watchFolder(opts.file, () => {
    changed = true;
    wake?.();
  });
  try {
    let reason: 'start' | 'change' | 'interval' = 'start';
    while (!opts.signal.aborted) {
      opts.onWake?.(reason);
      changed = false;
      await opts.check();
      if (opts.signal.aborted) break;
      if (!changed) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        const inner = new AbortController();
        const stop = () => inner.abort();
        opts.signal.addEventListener('abort', stop);
        void woken.then(stop);
        await pause(opts.intervalMs, inner.signal);
        opts.signal.removeEventListener('abort', stop);
        wake = undefined;
      }
      if (opts.signal.aborted) break;
      reason = changed ? 'change' : 'interval';
      if (changed) await pause(opts.debounceMs, opts.signal);
    }
  } finally {
    watcher?.close();
  }
}

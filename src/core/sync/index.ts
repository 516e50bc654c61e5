/** Keeping a migrated target in step with a live SQLite file (docs/sync.md). No vscode here. */
import type { ErrorCode } from '../errors';
import { SyncSession } from './session';
import { watchLoop } from './watch';
import type { SyncOptions, SyncOutcome, WatchOptions } from './types';

export type { SyncOptions, SyncOutcome, SyncEvent, SyncCollectionOutcome, SyncTotals, WatchOptions } from './types';

export const DEFAULT_SYNC_INTERVAL_MS = 2000;
export const DEFAULT_SYNC_DEBOUNCE_MS = 200;

/**
 * Failures the next sync may not meet: the file was mid-write (a torn read, refused), the server was away. A watch
 * loop reports them and carries on; anything else (schema changed, refused documents…) would repeat, so it stops.
 */
const PASSING: ReadonlySet<ErrorCode | 'INTERNAL'> = new Set([
  'SOURCE_UNREADABLE',
  'SOURCE_UNCHECKPOINTED',
  'TARGET_UNREACHABLE',
]);

function isPassing(outcome: SyncOutcome): boolean {
  const code = outcome.error?.code as ErrorCode | undefined;
  if (!code) return true;
  // The driver's own network errors arrive as INTERNAL with a connection message.
  return (
    PASSING.has(code) ||
    (code === 'INTERNAL' &&
      /connection|ECONNREFUSED|server selection|timed out|closed/i.test(outcome.error?.message ?? ''))
  );
}

/** One sync (the `sync` command): always recorded as a run, even when nothing changed. */
export async function syncDatabase(opts: SyncOptions): Promise<SyncOutcome> {
  const session = await SyncSession.open(opts);
  try {
    return await session.syncOnce(true);
  } finally {
    await session.close();
  }
}

/**
 * `sync --watch`: syncs at start, after each change to the file or its -wal (debounced) and at every interval, until
 * `signal` fires (then it finishes or cancels the sync in progress and returns) or a sync fails for good (returns
 * its outcome).
 */
export async function watchDatabase(opts: WatchOptions & { signal: AbortSignal }): Promise<SyncOutcome | undefined> {
  const session = await SyncSession.open({ ...opts, trackPages: true });
  let failure: SyncOutcome | undefined;
  const stop = new AbortController();
  const quit = () => stop.abort();
  opts.signal.addEventListener('abort', quit);
  try {
    await watchLoop({
      file: opts.sqlitePath,
      intervalMs: opts.intervalMs ?? DEFAULT_SYNC_INTERVAL_MS,
      debounceMs: opts.debounceMs ?? DEFAULT_SYNC_DEBOUNCE_MS,
      signal: stop.signal,
      check: async () => {
        const outcome = await session.syncOnce(false);
        if (outcome.status === 'cancelled' || isPassing(outcome)) {
          if (outcome.error && outcome.status !== 'cancelled')
            opts.onEvent?.({
              type: 'log',
              level: 'warn',
              message: `${outcome.error.message} Retrying at the next change or interval.`,
            });
          return;
        }
        failure = outcome;
        stop.abort();
      },
    });
  } finally {
    opts.signal.removeEventListener('abort', quit);
    await session.close();
  }
  opts.onEvent?.({
    type: 'watch-end',
    reason: failure ? 'failed' : 'stopped',
    ...(failure?.error ? { error: failure.error } : {}),
  });
  return failure;
}

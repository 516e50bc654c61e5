/**
 * A server started in its own process group that never outlives the tests: killed with its whole group on stop, on
 * this process's exit, and (by a watchdog) even when this process is killed with SIGKILL.
 */
import type { ChildProcess } from 'node:child_process';
import { registerExitCleanup, spawnWatchdog } from '../../scripts/lib/exitCleanup';

/** Process groups started and not yet stopped. */
export const liveGroups = new Set<number>();

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone */
  }
}

export function installExitHandlers(): void {
  registerExitCleanup(() => {
    for (const g of liveGroups) killGroup(g, 'SIGKILL');
    liveGroups.clear();
  });
}

/** A `sh` that kills the process group (and removes `dir`) when this process dies, even by SIGKILL. */
export function startWatchdog(pgid: number, dir: string): ChildProcess | undefined {
  return spawnWatchdog('kill -9 -"$S2M_PGID" 2>/dev/null; sleep 0.3; rm -rf "$S2M_DIR"', {
    S2M_PGID: String(pgid),
    S2M_DIR: dir,
  });
}

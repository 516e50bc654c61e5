/**
 * One place for "kill what the tests started when this process ends": the FerretDB helper and the code-server
 * harness both register here, so a single set of exit/signal handlers runs every cleanup and still lets the
 * process die of the signal (with two independent handler sets, each saw the other and neither re-raised it).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type net from 'node:net';
import os from 'node:os';

const cleanups = new Set<() => void>();
let installed = false;

function runAll(): void {
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
}

/** Runs `fn` (synchronously) when the process exits or gets SIGINT/SIGTERM/SIGHUP. */
export function registerExitCleanup(fn: () => void): void {
  cleanups.add(fn);
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      runAll();
      process.removeListener(sig, onSignal);
      // Behave like the default: terminate with the signal. Another listener does not mean someone else exits:
      // Playwright's SIGTERM/SIGHUP handlers close their browsers and let the process run on. So give the other
      // listeners this turn of the event loop, then exit.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
      else setImmediate(() => process.exit(128 + os.constants.signals[sig]));
    };
    process.on(sig, onSignal);
  }
}

/**
 * Starts a detached `sh` that blocks reading a pipe from this process and runs `script` (after its `read`) once
 * the pipe closes — that is, when this process dies, even by SIGKILL, when no JS handler can run.
 */
export function spawnWatchdog(script: string, env: Record<string, string>): ChildProcess | undefined {
  try {
    const dog = spawn('sh', ['-c', `read _ignored; ${script}`], {
      stdio: ['pipe', 'ignore', 'ignore'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    });
    dog.on('error', () => undefined);
    dog.unref();
    (dog.stdin as unknown as net.Socket | null)?.unref?.();
    return dog;
  } catch {
    return undefined;
  }
}

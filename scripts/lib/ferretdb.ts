/**
 * A real MongoDB-compatible server for tests and the benchmark: FerretDB v1 (SQLite backend) started as a child
 * process. Lives here (not in test/) because both test/ and bench/ start it.
 *
 *   const server = await startFerretDb();            // free port, temp dir, waits for `ping`
 *   const client = new MongoClient(server.url);      // mongodb://127.0.0.1:PORT/
 *   ...
 *   await server.kill('SIGKILL'); await server.restart();   // crash + recovery on the same port and data
 *   await server.stop();                             // kills it and removes the temp dir
 *
 * Integration tests normally use the ONE shared server of the run instead: `getTestMongoUrl()` in
 * test/helpers/mongoServer.ts (started by test/integration/setup.ts), a real mongod when MONGODB_URL is set.
 *
 * The binary is .cache/bin/ferretdb (built by scripts/build-ferretdb.sh), or $FERRETDB_BIN.
 * Set SQLITE2MONGO_FERRETDB_LOG=1 to stream the server's log to this process's stderr.
 *
 * Authentication (`auth` option), as verified against FerretDB v1.24.2 with the mongodb driver 6.x:
 *  - the user is created in `auth.database` (default "admin"); clients must authenticate against that database
 *    (authSource), e.g. `mongodb://u:p@127.0.0.1:PORT/?authSource=DB` — `server.authUrl` is exactly that;
 *  - a wrong password or unknown user fails the connection with MongoServerError code 18 "AuthenticationFailed"
 *    ("Authentication failed."); SCRAM-SHA-256 and SCRAM-SHA-1 work, PLAIN is refused (code 18);
 *  - unauthenticated clients may still connect and run `ping`/`hello`, but any data command (insert, find,
 *    listDatabases, …) fails with code 13 "Unauthorized" ("Command insert requires authentication").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { registerExitCleanup, spawnWatchdog } from './exitCleanup';

export interface FerretDbServer {
  /** `mongodb://127.0.0.1:PORT/` (no credentials). */
  url: string;
  /** With `auth`: the URL carrying the configured credentials and `authSource`. */
  authUrl?: string;
  /** With `tls`: `mongodb://127.0.0.1:TLSPORT/?tls=true` (the certificate must name IP 127.0.0.1). */
  tlsUrl?: string;
  port: number;
  /** The state dir; the SQLite files live in `${dataDir}/data/`. */
  dataDir: string;
  /** pid of the current FerretDB process (changes after restart()). */
  readonly pid: number;
  /** Kills the server (SIGTERM, then SIGKILL after 5 s) and removes the temp dir it created. Idempotent. */
  stop(): Promise<void>;
  /** Sends `signal` (default SIGKILL) and waits until the process has exited. Keeps the data dir. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data dir (stopping it first if it is running). */
  restart(): Promise<void>;
  /** Output the server printed so far (the last 64 KiB). */
  logs(): string;
}

export interface StartOptions {
  /** Use this state dir (created if missing; kept on stop). Default: a fresh mkdtemp dir, removed on stop. */
  dataDir?: string;
  /** Create this user at start (FerretDB's --test-enable-new-auth --setup-*). */
  auth?: { username: string; password: string; database?: string };
  /** How long to wait for the first successful `ping`. Default 20 s. */
  startTimeoutMs?: number;
  /** Extra command line flags, e.g. ['--test-batch-size=10']. */
  extraArgs?: string[];
  /**
   * Also listen with TLS on a second port (FerretDB's --listen-tls), with this PEM certificate and key; `tlsUrl`
   * then points there. The plain port stays open (it is how start-up is detected).
   */
  tls?: { certFile: string; keyFile: string };
}

/** The repository: the nearest folder above this file with a package.json (this file may be bundled into dist/). */
export const REPO_ROOT = ((): string => {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(__dirname, '..', '..');
  }
})();

export function ferretDbBinary(): string {
  return process.env.FERRETDB_BIN || path.join(REPO_ROOT, '.cache', 'bin', 'ferretdb');
}

/** A port that was free a moment ago (listen on :0, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

// ------------------------------------------------------------------------------------------ orphan protection
// Every live server process is in this set; they are SIGKILLed when this process exits or is interrupted.
// A tiny `sh` watchdog per server also kills it if this process dies without running any handler (SIGKILL,
// OOM), and removes the temp dir it owned: it blocks reading a pipe from us, which reaches EOF when we die.
const live = new Set<ChildProcess>();

function killAllSync(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
  live.clear();
}

function installExitHandlers(): void {
  registerExitCleanup(killAllSync);
}

function startWatchdog(pid: number, dirToRemove?: string): ChildProcess | undefined {
  return spawnWatchdog(
    'if [ -r "/proc/$S2M_PID/cmdline" ] && grep -q ferretdb "/proc/$S2M_PID/cmdline" 2>/dev/null; then kill -9 "$S2M_PID" 2>/dev/null; sleep 0.2; fi; ' +
      'if [ -n "$S2M_DIR" ]; then rm -rf "$S2M_DIR"; fi',
    { S2M_PID: String(pid), S2M_DIR: dirToRemove ?? '' },
  );
}

// ------------------------------------------------------------------------------------------------- server
class Log {
  private chunks: string[] = [];
  private size = 0;
  constructor(private readonly limit = 64 * 1024) {}
  push(s: string): void {
    this.chunks.push(s);
    this.size += s.length;
    while (this.size > this.limit && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }
  text(): string {
    const t = this.chunks.join('');
    return t.length > this.limit ? t.slice(t.length - this.limit) : t;
  }
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.removeListener('exit', onExit);
      resolve(false);
    }, timeoutMs);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

async function pingOnce(url: string): Promise<void> {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: 1000,
    connectTimeoutMS: 1000,
    socketTimeoutMS: 2000,
    directConnection: true,
  });
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
  } finally {
    await client.close().catch(() => undefined);
  }
}

export async function startFerretDb(opts: StartOptions = {}): Promise<FerretDbServer> {
  const bin = ferretDbBinary();
  if (!existsSync(bin)) {
    throw new Error(`FerretDB binary not found at ${bin}. Build it with: npm run ferretdb (scripts/build-ferretdb.sh)`);
  }
  installExitHandlers();

  const ownsDir = !opts.dataDir;
  const dataDir = opts.dataDir
    ? path.resolve(opts.dataDir)
    : mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-ferretdb-'));
  mkdirSync(path.join(dataDir, 'data'), { recursive: true });
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/`;
  const authDb = opts.auth?.database ?? 'admin';
  const authUrl = opts.auth
    ? `mongodb://${encodeURIComponent(opts.auth.username)}:${encodeURIComponent(opts.auth.password)}@127.0.0.1:${port}/?authSource=${encodeURIComponent(authDb)}`
    : undefined;

  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/data/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=warn',
  ];
  if (opts.auth) {
    args.push(
      '--test-enable-new-auth',
      `--setup-database=${authDb}`,
      `--setup-username=${opts.auth.username}`,
      `--setup-password=${opts.auth.password}`,
    );
  }
  let tlsUrl: string | undefined;
  if (opts.tls) {
    const tlsPort = await freePort();
    tlsUrl = `mongodb://127.0.0.1:${tlsPort}/?tls=true`;
    args.push(
      `--listen-tls=127.0.0.1:${tlsPort}`,
      `--listen-tls-cert-file=${opts.tls.certFile}`,
      `--listen-tls-key-file=${opts.tls.keyFile}`,
    );
  }
  args.push(...(opts.extraArgs ?? []));

  const log = new Log();
  const stream = !!process.env.SQLITE2MONGO_FERRETDB_LOG;
  let child: ChildProcess | undefined;
  let watchdog: ChildProcess | undefined;
  let stopped = false;

  const launch = async (): Promise<void> => {
    const proc = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dataDir });
    let spawnError: Error | undefined;
    proc.on('error', (e) => {
      spawnError = e;
      log.push(`\n[spawn error] ${e.message}\n`);
    });
    for (const s of [proc.stdout!, proc.stderr!]) {
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        log.push(d);
        if (stream) process.stderr.write(d);
      });
    }
    proc.on('exit', (code, signal) => {
      live.delete(proc);
      log.push(`\n[ferretdb exited: code=${code} signal=${signal}]\n`);
    });
    live.add(proc);
    child = proc;
    if (proc.pid) watchdog = startWatchdog(proc.pid, ownsDir ? dataDir : undefined);

    const timeoutMs = opts.startTimeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    let lastError: unknown;
    for (;;) {
      if (spawnError || proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(
          `FerretDB exited before it answered ping (${bin} ${args.join(' ')}).\n--- server output ---\n${log.text()}`,
        );
      }
      try {
        await pingOnce(url);
        return;
      } catch (e) {
        lastError = e;
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        await waitForExit(proc, 5000);
        throw new Error(
          `FerretDB did not answer ping on ${url} within ${timeoutMs} ms (last error: ${String(lastError)}).\n` +
            `--- server output ---\n${log.text()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  };

  const terminate = async (signal: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc) return;
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      if (!(await waitForExit(proc, 5000))) {
        proc.kill('SIGKILL');
        await waitForExit(proc, 5000);
      }
    }
    live.delete(proc);
    if (watchdog) {
      watchdog.kill('SIGKILL');
      watchdog = undefined;
    }
  };

  try {
    await launch();
  } catch (e) {
    await terminate('SIGKILL');
    if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }

  const server: FerretDbServer = {
    url,
    authUrl,
    tlsUrl,
    port,
    dataDir,
    get pid() {
      return child?.pid ?? -1;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await terminate('SIGTERM');
      if (ownsDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill(signal);
      if (!(await waitForExit(proc, 10_000))) throw new Error(`FerretDB (pid ${proc.pid}) did not exit on ${signal}`);
      live.delete(proc);
      if (watchdog) {
        watchdog.kill('SIGKILL');
        watchdog = undefined;
      }
    },
    async restart() {
      if (stopped) throw new Error('restart() after stop()');
      await terminate('SIGTERM');
      await launch();
    },
    logs: () => log.text(),
  };
  return server;
}

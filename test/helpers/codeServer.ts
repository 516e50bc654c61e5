/**
 * code-server for browser tests: VS Code served to a browser, with a real Node extension host, started on a free
 * port with a throw-away user-data and extensions dir. The browser side (Chromium, the workbench page) is in
 * ./workbench.ts; ./e2eSession.ts puts both together for a test file.
 *
 *   const cs = await startCodeServer({ workspaceDir, extensionDevelopmentPath: REPO_ROOT });
 *   ...
 *   await cs.stop();
 *
 * Install first with `npm run setup:e2e` (scripts/setup-e2e.sh: chromium + code-server in .cache/code-server).
 * Override the binary with CODE_SERVER_BIN.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { saveLogs } from './codeServerLogs';
import { freePort, REPO_ROOT } from './mongoServer';
import { installExitHandlers, killGroup, liveGroups, startWatchdog } from './processGroup';

export { REPO_ROOT };
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

export function codeServerBinary(): string {
  return (
    process.env.CODE_SERVER_BIN || path.join(REPO_ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server')
  );
}

/** Settings written to the user's settings.json: no trust dialog, no welcome page, no telemetry, no noise. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'git.autoRepositoryDetection': false,
  'git.openRepositoryInParentFolders': 'never',
  'chat.commandCenter.enabled': false,
  'github.copilot.enable': { '*': false },
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'editor.accessibilitySupport': 'off',
};

export interface CodeServerOptions {
  /** The folder VS Code opens. */
  workspaceDir: string;
  /** A packaged .vsix to install (code-server --install-extension) before starting. */
  vsixPath?: string;
  /**
   * An unpacked extension folder (with package.json, e.g. the repo root after `npm run build`) to load as an
   * extension under development (like F5 in desktop VS Code): the returned `url` opens an
   * "[Extension Development Host]" workbench that loads it from the folder, live.
   */
  extensionDevelopmentPath?: string;
  /** Extra user settings, merged over DEFAULT_SETTINGS. */
  settings?: Record<string, unknown>;
  /** Extra environment for code-server (and so for the extension host). */
  env?: Record<string, string>;
  /** How long to wait for /healthz. Default 60 s. */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /** Workbench URL with the workspace folder (and the extension under development), e.g. http://127.0.0.1:PORT/?folder=/tmp/ws */
  url: string;
  port: number;
  userDataDir: string;
  extensionsDir: string;
  pid: number;
  /** code-server's own output so far (last 256 KiB). */
  logs(): string;
  /**
   * Saves code-server's output (code-server.log), the log of the extension under test (extension.log: every
   * extension host's "SQLite to MongoDB" channel, in order) and VS Code's whole log folder (vscode-logs/) into `dir`.
   */
  saveLogs(dir: string): void;
  /** Kills code-server and everything it started (its process group) and removes its temp dirs. */
  stop(): Promise<void>;
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** A throw-away profile (user data, extensions, settings, config homes) and code-server's environment. */
interface Profile {
  base: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
}

function makeProfile(opts: CodeServerOptions): Profile {
  const base = mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-code-server-'));
  const userDataDir = path.join(base, 'user');
  const extensionsDir = path.join(base, 'ext');
  mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...DEFAULT_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, ...(opts.env ?? {}) };
  delete env.VSCODE_IPC_HOOK_CLI; // never talk to a VS Code that runs this test process
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  // code-server writes ~/.config/code-server/config.yaml on first start: keep that out of the user's home.
  env.XDG_CONFIG_HOME = path.join(base, 'config');
  env.XDG_DATA_HOME = path.join(base, 'data');
  return { base, userDataDir, extensionsDir, env };
}

/** Installs the .vsix into the profile (code-server --install-extension). */
function installVsix(bin: string, vsixPath: string, profile: Profile): void {
  const r = spawnSync(
    bin,
    [
      '--install-extension',
      path.resolve(vsixPath),
      '--force',
      '--extensions-dir',
      profile.extensionsDir,
      '--user-data-dir',
      profile.userDataDir,
    ],
    { env: profile.env, encoding: 'utf8', timeout: 120_000 },
  );
  if (r.status !== 0)
    throw new Error(`code-server --install-extension ${vsixPath} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
}

/** Stops code-server: SIGTERM, then SIGKILL to whatever is left of its group; removes the profile. */
function stopper(child: ChildProcess, pgid: number, profile: Profile, watchdog: ChildProcess | undefined) {
  let stopped = false;
  return async () => {
    if (stopped) return;
    stopped = true;
    killGroup(pgid, 'SIGTERM');
    const exited = await new Promise<boolean>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve(true);
      const t = setTimeout(() => resolve(false), 5000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
    killGroup(pgid, 'SIGKILL'); // extension host, pty host, watchers… whatever is left of the group
    if (!exited) await new Promise((r) => setTimeout(r, 200));
    liveGroups.delete(pgid);
    watchdog?.kill('SIGKILL');
    rmSync(profile.base, { recursive: true, force: true });
  };
}

/**
 * The workbench URL. An extension under development is passed the way VS Code's web workbench takes it: a
 * `payload` query parameter holding [["extensionDevelopmentPath", "vscode-remote://HOST:PORT/abs/path"]], which
 * opens an "[Extension Development Host]" window whose remote extension host loads the folder as is.
 */
function workbenchUrl(port: number, opts: CodeServerOptions): string {
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(path.resolve(opts.workspaceDir))}`;
  if (opts.extensionDevelopmentPath) {
    const devUri = `vscode-remote://127.0.0.1:${port}${path.resolve(opts.extensionDevelopmentPath)}`;
    url += `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', devUri]]))}`;
  }
  return url;
}

// ------------------------------------------------------------------------------------------------ server
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBinary();
  if (!existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}. Install it with: npm run setup:e2e (scripts/setup-e2e.sh)`);
  }
  if (!existsSync(opts.workspaceDir)) throw new Error(`workspaceDir does not exist: ${opts.workspaceDir}`);
  if (opts.extensionDevelopmentPath && !existsSync(path.join(opts.extensionDevelopmentPath, 'package.json')))
    throw new Error(`extensionDevelopmentPath has no package.json: ${opts.extensionDevelopmentPath}`);
  installExitHandlers();
  const profile = makeProfile(opts);
  try {
    if (opts.vsixPath) installVsix(bin, opts.vsixPath, profile);
  } catch (e) {
    rmSync(profile.base, { recursive: true, force: true });
    throw e;
  }

  const port = await freePort();
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir',
    profile.userDataDir,
    '--extensions-dir',
    profile.extensionsDir,
    opts.workspaceDir,
  ];
  const child = spawn(bin, args, {
    env: profile.env,
    cwd: opts.workspaceDir,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const append = (d: Buffer) => {
    output += d.toString('utf8');
    if (output.length > 256 * 1024) output = output.slice(-256 * 1024);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let spawnError: Error | undefined;
  child.on('error', (e) => (spawnError = e));
  const pgid = child.pid!;
  liveGroups.add(pgid);
  const stop = stopper(child, pgid, profile, startWatchdog(pgid, profile.base));

  // Wait until the HTTP server answers.
  const timeoutMs = opts.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError || child.exitCode !== null || child.signalCode !== null) {
      const out = output;
      await stop();
      throw new Error(`code-server exited during start (${spawnError?.message ?? `code ${child.exitCode}`}):\n${out}`);
    }
    if ((await httpStatus(`http://127.0.0.1:${port}/healthz`)) === 200) break;
    if (Date.now() > deadline) {
      const out = output;
      await stop();
      throw new Error(`code-server did not answer on port ${port} within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: workbenchUrl(port, opts),
    port,
    userDataDir: profile.userDataDir,
    extensionsDir: profile.extensionsDir,
    pid: pgid,
    logs: () => output,
    saveLogs: (dir) => saveLogs(dir, output, path.join(profile.userDataDir, 'logs')),
    stop,
  };
}

/** A fresh temp workspace folder holding writable copies of `files` ({ nameInWorkspace: sourcePath }). */
export function makeWorkspace(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sqlite2mongo-ws-'));
  for (const [name, src] of Object.entries(files)) {
    const dest = path.join(dir, name);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(src, dest);
    chmodSync(dest, 0o644); // shared fixtures are read-only
  }
  return dir;
}

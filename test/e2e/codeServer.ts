/**
 * Harness for browser tests against a real VS Code: code-server (VS Code served to a browser, with a real Node
 * extension host) driven by Debian's Chromium through playwright-core.
 *
 *   const cs = await startCodeServer({ workspaceDir, extensionDevelopmentPath: REPO_ROOT });
 *   const browser = await launchBrowser();
 *   const page = await browser.newPage();
 *   await openWorkbench(page, cs.url);
 *   await runCommand(page, 'SQLite to MongoDB: Migrate…');
 *   await screenshot(page, 'migrate.png');          // → test-results/e2e/migrate.png
 *   await browser.close(); await cs.stop();
 *
 * Install first with `npm run setup:e2e` (scripts/setup-e2e.sh: chromium + code-server in .cache/code-server).
 * Overrides: CODE_SERVER_BIN, CHROMIUM_PATH. Set SQLITE2MONGO_E2E_HEADED=1 to watch (needs a display).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, REPO_ROOT } from '../helpers/mongoServer';
import { registerExitCleanup, spawnWatchdog } from '../helpers/exitCleanup';

export { REPO_ROOT };
export const RESULTS_DIR = path.join(REPO_ROOT, 'test-results', 'e2e');

export function codeServerBinary(): string {
  return process.env.CODE_SERVER_BIN || path.join(REPO_ROOT, '.cache', 'code-server', 'node_modules', '.bin', 'code-server');
}

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
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
  /** Kills code-server and everything it started (its process group) and removes its temp dirs. */
  stop(): Promise<void>;
}

// ------------------------------------------------------------------------------------------ process hygiene
const liveGroups = new Set<number>();

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* gone */
  }
}

function installExitHandlers(): void {
  registerExitCleanup(() => {
    for (const g of liveGroups) killGroup(g, 'SIGKILL');
    liveGroups.clear();
  });
}

/** A `sh` that kills the process group (and removes `dir`) when this process dies, even by SIGKILL. */
function startWatchdog(pgid: number, dir: string): ChildProcess | undefined {
  return spawnWatchdog('kill -9 -"$S2M_PGID" 2>/dev/null; sleep 0.3; rm -rf "$S2M_DIR"', { S2M_PGID: String(pgid), S2M_DIR: dir });
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

// ------------------------------------------------------------------------------------------------ server
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const bin = codeServerBinary();
  if (!existsSync(bin)) {
    throw new Error(`code-server not found at ${bin}. Install it with: npm run setup:e2e (scripts/setup-e2e.sh)`);
  }
  if (!existsSync(opts.workspaceDir)) throw new Error(`workspaceDir does not exist: ${opts.workspaceDir}`);
  installExitHandlers();

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

  const cleanupBase = () => rmSync(base, { recursive: true, force: true });
  try {
    if (opts.vsixPath) {
      const r = spawnSync(
        bin,
        ['--install-extension', path.resolve(opts.vsixPath), '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir],
        { env, encoding: 'utf8', timeout: 120_000 },
      );
      if (r.status !== 0) {
        throw new Error(`code-server --install-extension ${opts.vsixPath} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
      }
    }
    if (opts.extensionDevelopmentPath && !existsSync(path.join(opts.extensionDevelopmentPath, 'package.json'))) {
      throw new Error(`extensionDevelopmentPath has no package.json: ${opts.extensionDevelopmentPath}`);
    }
  } catch (e) {
    cleanupBase();
    throw e;
  }

  const port = await freePort();
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    opts.workspaceDir,
  ];
  const child = spawn(bin, args, { env, cwd: opts.workspaceDir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
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
  let watchdog = startWatchdog(pgid, base);

  let stopped = false;
  const stop = async () => {
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
    watchdog = undefined;
    cleanupBase();
  };

  // Wait until the HTTP server answers.
  const deadline = Date.now() + (opts.startTimeoutMs ?? 60_000);
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
      throw new Error(`code-server did not answer on port ${port} within ${opts.startTimeoutMs ?? 60_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  // The workbench URL. An extension under development is passed the way VS Code's web workbench takes it: a
  // `payload` query parameter holding [["extensionDevelopmentPath", "vscode-remote://HOST:PORT/abs/path"]], which
  // opens an "[Extension Development Host]" window whose remote extension host loads the folder as is.
  let url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(path.resolve(opts.workspaceDir))}`;
  if (opts.extensionDevelopmentPath) {
    const devUri = `vscode-remote://127.0.0.1:${port}${path.resolve(opts.extensionDevelopmentPath)}`;
    url += `&payload=${encodeURIComponent(JSON.stringify([['extensionDevelopmentPath', devUri]]))}`;
  }
  return {
    url,
    port,
    userDataDir,
    extensionsDir,
    pid: pgid,
    logs: () => output,
    stop,
  };
}

// ------------------------------------------------------------------------------------------------ browser
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-default-apps',
  '--disable-features=Translate,OptimizationHints,MediaRouter',
];

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}. Install it with: npm run setup:e2e (apt-get install chromium)`);
  }
  return chromium.launch({
    executablePath,
    headless: !process.env.SQLITE2MONGO_E2E_HEADED,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/** A page sized like a laptop screen, with clipboard permissions for the workbench origin. */
export async function newPage(browser: Browser, url?: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 });
  if (url) {
    const origin = new URL(url).origin;
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin }).catch(() => undefined);
  }
  return context.newPage();
}

/**
 * Opens the workbench and waits until it is usable: the shell is rendered, the remote connection to
 * code-server's server is up (the Explorer shows the folder) and the startup progress bars are gone.
 */
export async function openWorkbench(page: Page, url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  await page.goto(url, { waitUntil: 'domcontentloaded', timeout: left() });
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: left() });
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout: left() });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: left() });
  if (new URL(url).searchParams.get('folder')) {
    // The Explorer's tree appears once the server connection is up and the folder is read.
    await ensureExplorerVisible(page, left());
    await page.locator('.explorer-folders-view .monaco-list').first().waitFor({ state: 'visible', timeout: left() });
  }
  // Let startup work (extension host start, indexing) settle: wait until no progress bar is active.
  await page
    .waitForFunction(() => !document.querySelector('.monaco-progress-container.active.infinite'), null, { timeout: Math.min(left(), 15_000) })
    .catch(() => undefined);
}

/** Makes sure the Explorer view is showing (opens it with the Explorer command if not). */
export async function ensureExplorerVisible(page: Page, timeoutMs = 30_000): Promise<void> {
  const tree = page.locator('.explorer-folders-view');
  if (await tree.isVisible().catch(() => false)) return;
  await page.keyboard.press('Control+Shift+E');
  await tree.waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The Explorer row for `name` (a file or folder at any visible depth). */
export function explorerItem(page: Page, name: string) {
  return page.locator('.explorer-folders-view .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }),
  });
}

/**
 * Runs a command through the Command Palette (F1, falling back to Ctrl+Shift+P), typing its title and pressing
 * Enter on the matching entry. Throws, listing what the palette offered, when no entry matches.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 20_000): Promise<void> {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
  const match = rows
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(title)}\\s*$`, 'i') }) })
    .first();
  const deadline = Date.now() + timeoutMs;
  let offered: string[] = [];
  // The palette lists the commands known when it opens; an extension that registers later only shows up after
  // reopening it, so retry until the deadline.
  for (let attempt = 0; ; attempt++) {
    for (const key of attempt % 2 === 0 ? ['F1', 'Control+Shift+P'] : ['Control+Shift+P', 'F1']) {
      if (await input.isVisible().catch(() => false)) break;
      await page.keyboard.press(key);
      if (await input.waitFor({ state: 'visible', timeout: 3000 }).then(() => true, () => false)) break;
    }
    await input.fill(`>${title}`);
    const found = await match.waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(500, deadline - Date.now())) }).then(
      () => true,
      () => false,
    );
    if (found) {
      await match.click();
      await input.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => undefined);
      return;
    }
    offered = (await rows.allInnerTexts().catch(() => [])).map((t) => t.replace(/\s+/g, ' ').trim());
    await page.keyboard.press('Escape');
    await input.waitFor({ state: 'hidden', timeout: 2000 }).catch(() => undefined);
    if (Date.now() >= deadline) break;
    await page.waitForTimeout(500);
  }
  throw new Error(`Command "${title}" not found in the Command Palette within ${timeoutMs} ms. Offered: ${JSON.stringify(offered.slice(0, 15))}`);
}

/** Saves a PNG of what the user sees. Relative names go under test-results/e2e/. Returns the absolute path. */
export async function screenshot(page: Page, file: string): Promise<string> {
  const out = path.isAbsolute(file) ? file : path.join(RESULTS_DIR, file);
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  return out;
}

/** Visible text of the notifications currently shown (toasts and the notification center). */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message').allInnerTexts();
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

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** For an `afterEach`: when the test failed, save a screenshot and print code-server's last output. */
export async function reportFailedTest(test: Mocha.Test | undefined, page: Page | undefined, server: CodeServer | undefined, prefix: string): Promise<void> {
  if (test?.state !== 'failed' || !page) return;
  const file = await screenshot(page, `FAILED-${prefix}${test.title.replace(/[^A-Za-z0-9]+/g, '-')}.png`).catch(() => '');
  if (file) console.log(`    screenshot of the failure: ${file}`);
  if (server) console.log(`    code-server output (tail):\n${server.logs().slice(-3000)}`);
}

/**
 * One e2e test file's setup in one call: a workspace, optionally FerretDB and a MongoClient on it, code-server with
 * the packaged extension (or a folder under development), Chromium showing the workbench — started in `before`,
 * stopped in `after`, and after every failed test the evidence saved under test-results/e2e/FAILED-<prefix><title>/:
 * screenshot.png, code-server.log, extension.log (the extension's own log channel), browser-console.log and VS Code's
 * log folder.
 *
 *   describe('…', function () {
 *     const s = useWorkbench('designer-', { ferret: true, vsix: true, workspace: (dir) => makeDb(…) });
 *     it('…', async () => { await runExplorerMenuEntry(s.page, 'shop.db', 'Design MongoDB Mapping…'); … });
 *   });
 */
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Browser, Page } from 'playwright-core';
import { makeWorkspace, RESULTS_DIR, startCodeServer, type CodeServer } from './codeServer';
import { startFerretDb, type TestServer } from './mongoServer';
import { packagedExtension } from './vsix';
import { launchBrowser, newPage, openWorkbench, screenshot } from './workbench';

export interface SessionOptions {
  /** Files copied into the workspace ({ nameInWorkspace: sourcePath }). */
  files?: Record<string, string>;
  /** Runs on the workspace folder before code-server starts (to create files there). */
  workspace?: (dir: string) => void;
  /** Start a FerretDB and a connected MongoClient (`ferret`, `mongo`). */
  ferret?: boolean;
  /** Install the packaged extension (.vsix, built once per run). */
  vsix?: boolean;
  /** A folder to load as an extension under development (evaluated when the session starts). */
  extensionDevelopmentPath?: () => string;
  settings?: Record<string, unknown>;
  env?: Record<string, string>;
  viewport?: { width: number; height: number };
  /** Open the workbench in `before` (default true). */
  open?: boolean;
}

const CONSOLE_LINES = 2000;

// Evidence of an earlier run's failures would be mistaken for this run's: clear it when the tier starts.
if (existsSync(RESULTS_DIR)) {
  for (const f of readdirSync(RESULTS_DIR))
    if (f.startsWith('FAILED-')) rmSync(path.join(RESULTS_DIR, f), { recursive: true, force: true });
}

export class WorkbenchSession {
  private parts: {
    server?: CodeServer;
    browser?: Browser;
    page?: Page;
    ferret?: TestServer;
    mongo?: MongoClient;
    workspace?: string;
  } = {};
  private readonly console: string[] = [];

  get page(): Page {
    return need(this.parts.page, 'page');
  }
  get server(): CodeServer {
    return need(this.parts.server, 'code-server');
  }
  get workspace(): string {
    return need(this.parts.workspace, 'workspace');
  }
  get ferret(): TestServer {
    return need(this.parts.ferret, 'FerretDB (ferret: true)');
  }
  get mongo(): MongoClient {
    return need(this.parts.mongo, 'MongoClient (ferret: true)');
  }

  async start(opts: SessionOptions): Promise<void> {
    const p = this.parts;
    const vsixPath = opts.vsix ? packagedExtension() : undefined;
    if (opts.ferret) {
      p.ferret = await startFerretDb();
      p.mongo = await new MongoClient(p.ferret.url).connect();
    }
    p.workspace = makeWorkspace(opts.files);
    opts.workspace?.(p.workspace);
    p.server = await startCodeServer({
      workspaceDir: p.workspace,
      vsixPath,
      extensionDevelopmentPath: opts.extensionDevelopmentPath?.(),
      settings: { 'workbench.colorTheme': 'Default Dark Modern', ...opts.settings },
      env: opts.env,
    });
    p.browser = await launchBrowser();
    p.page = await newPage(p.browser, p.server.url);
    p.page.on('console', (m) => this.log(`[${m.type()}] ${m.text()}`));
    p.page.on('pageerror', (e) => this.log(`[pageerror] ${e.stack ?? e.message}`));
    if (opts.viewport) await p.page.setViewportSize(opts.viewport);
    if (opts.open !== false) await openWorkbench(p.page, p.server.url);
  }

  private log(line: string): void {
    this.console.push(`${new Date().toISOString()} ${line}`);
    if (this.console.length > CONSOLE_LINES) this.console.splice(0, this.console.length - CONSOLE_LINES);
  }

  /** Saves the evidence of a failed test; returns the folder. */
  async saveFailure(title: string): Promise<string> {
    const dir = path.join(RESULTS_DIR, `FAILED-${title.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 120)}`);
    rmSync(dir, { recursive: true, force: true });
    if (this.parts.page)
      await screenshot(this.parts.page, path.join(dir, 'screenshot.png')).catch((e: unknown) =>
        this.log(`[harness] no screenshot: ${String(e)}`),
      );
    this.parts.server?.saveLogs(dir);
    writeFileSync(path.join(dir, 'browser-console.log'), this.console.join('\n') + '\n');
    return dir;
  }

  async stop(): Promise<void> {
    const p = this.parts;
    this.parts = {};
    await p.browser?.close().catch(() => undefined);
    await p.server?.stop();
    await p.mongo?.close().catch(() => undefined);
    await p.ferret?.stop();
    if (p.workspace) rmSync(p.workspace, { recursive: true, force: true });
  }
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the e2e session has no ${what}: was it started with that option?`);
  return value;
}

/**
 * Registers this describe block's hooks: start the session before its tests, save the evidence after each failed
 * test (test-results/e2e/FAILED-<prefix><title>/), stop everything after.
 */
export function useWorkbench(prefix: string, opts: SessionOptions): WorkbenchSession {
  const session = new WorkbenchSession();
  before(async function () {
    try {
      await session.start(opts);
    } catch (e) {
      console.log(`    evidence of the failed start: ${await session.saveFailure(`${prefix}starting the workbench`)}`);
      throw e;
    }
  });
  afterEach(async function () {
    const test = this.currentTest;
    if (test?.state !== 'failed') return;
    const dir = await session.saveFailure(`${prefix}${test.title}`);
    console.log(`    evidence of the failure (screenshot, code-server, extension and browser logs): ${dir}`);
  });
  after(async function () {
    await session.stop();
  });
  return session;
}

/**
 * The browser side of the e2e harness: Debian's Chromium through playwright-core, showing code-server's workbench,
 * and the few workbench gestures the tests use (Command Palette, Explorer context menu, webviews, tree views).
 *
 *   const browser = await launchBrowser();
 *   const page = await newPage(browser, server.url);
 *   await openWorkbench(page, server.url);
 *   await runCommand(page, 'SQLite to MongoDB: Migrate Database…');
 *   await screenshot(page, 'migrate.png');          // → test-results/e2e/migrate.png
 *
 * Override the browser with CHROMIUM_PATH; SQLITE2MONGO_E2E_HEADED=1 shows it (needs a display).
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type FrameLocator, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT, RESULTS_DIR } from './codeServer';

const DOC_IMAGES = path.join(REPO_ROOT, 'docs', 'images');

export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH || '/usr/bin/chromium';
}

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
    throw new Error(
      `Chromium not found at ${executablePath}. Install it with: npm run setup:e2e (apt-get install chromium)`,
    );
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
    .waitForFunction(() => !document.querySelector('.monaco-progress-container.active.infinite'), null, {
      timeout: Math.min(left(), 15_000),
    })
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
  let offered: string[];
  // The palette lists the commands known when it opens; an extension that registers later only shows up after
  // reopening it, so retry until the deadline.
  for (let attempt = 0; ; attempt++) {
    for (const key of attempt % 2 === 0 ? ['F1', 'Control+Shift+P'] : ['Control+Shift+P', 'F1']) {
      if (await input.isVisible().catch(() => false)) break;
      await page.keyboard.press(key);
      if (
        await input.waitFor({ state: 'visible', timeout: 3000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    // The palette can close again before it is typed into: VS Code closes it when it loses the focus (a webview
    // that takes the focus a moment after its tab was activated — see activateWebviewTab). Then open it again.
    const typed = await input.fill(`>${title}`, { timeout: 3000 }).then(
      () => true,
      () => false,
    );
    if (!typed) {
      offered = [];
      if (Date.now() >= deadline) break;
      continue;
    }
    const found = await match
      .waitFor({ state: 'visible', timeout: Math.min(3000, Math.max(500, deadline - Date.now())) })
      .then(
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
  throw new Error(
    `Command "${title}" not found in the Command Palette within ${timeoutMs} ms. Offered: ${JSON.stringify(offered.slice(0, 15))}`,
  );
}

/**
 * Runs an entry of the Explorer context menu of `file` the way a keyboard user does: right-click the file, point at
 * the entry, press Enter. Not with a click: VS Code's menu only starts listening for mouse-up 100 ms after it is
 * shown (so that releasing the right button cannot pick an entry), and a click that lands sooner is dropped without
 * a trace — the entry stays highlighted, the menu stays open, nothing runs. On a busy machine Playwright clicks
 * within that window often. Enter on the focused entry has no such window. `shot` saves a screenshot of the open
 * menu first.
 */
export async function runExplorerMenuEntry(page: Page, file: string, entryText: string, shot?: string): Promise<void> {
  const item = explorerItem(page, file);
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  const menu = page.locator('.context-view .monaco-menu');
  await item.click({ button: 'right' });
  await menu.waitFor({ state: 'visible', timeout: 10_000 });
  const entry = menu.locator('.action-item', { hasText: new RegExp(`^\\s*${escapeRegExp(entryText)}`) }).first();
  if (!(await entry.isVisible())) {
    const offered = (await menu.locator('.action-item').allInnerTexts()).map((t) => t.trim()).filter(Boolean);
    await page.keyboard.press('Escape');
    throw new Error(
      `"${entryText}" is not in the Explorer context menu of ${file}. Offered: ${JSON.stringify(offered)}`,
    );
  }
  await entry.hover();
  await menu.locator('.action-item.focused', { hasText: entryText }).waitFor({ state: 'visible', timeout: 5000 });
  if (shot) await screenshot(page, shot);
  await page.keyboard.press('Enter');
  await menu.waitFor({ state: 'hidden', timeout: 10_000 });
}

/** The content frame of the webview in view (a panel or the designer): code-server nests it in two iframes. */
export function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

/**
 * Whether `target` reaches the viewport within `timeoutMs`. A webview brings a card into view with a smooth
 * scroll, which takes a few hundred milliseconds after the state that triggered it: checking the position once,
 * right after that state, races the animation.
 */
export async function reachesViewport(target: Locator, timeoutMs = 10_000): Promise<boolean> {
  // No named function inside: tsx would wrap it in a `__name` helper the page does not have.
  return target.evaluate(
    (element, ms) =>
      new Promise<boolean>((resolve) => {
        const deadline = Date.now() + ms;
        const timer = setInterval(() => {
          const r = element.getBoundingClientRect();
          const inView = r.top < window.innerHeight && r.bottom > 0;
          if (!inView && Date.now() < deadline) return;
          clearInterval(timer);
          resolve(inView);
        }, 50);
      }),
    timeoutMs,
  );
}

/** An editor tab whose label contains `label`. */
export function editorTab(page: Page, label: string | RegExp): Locator {
  return page.locator('.tabs-container .tab', { hasText: label });
}

/**
 * Clicks a webview editor's tab and waits until the webview holds the keyboard focus. VS Code focuses a webview a
 * moment after its tab activates (by a message to its frame); a Command Palette opened in that moment closes again
 * when the frame takes the focus, and keys pressed then go to the wrong place.
 */
export async function activateWebviewTab(page: Page, label: string | RegExp): Promise<void> {
  await editorTab(page, label).click();
  await page.waitForFunction(() => document.activeElement?.tagName === 'IFRAME', undefined, { timeout: 15_000 });
}

/** The extension's Validation view (a pane of the Migration view container). */
export function validationView(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Validation/i }) });
}

/** A row of the Validation tree whose label matches `label`. */
export function treeRow(page: Page, label: string | RegExp): Locator {
  return validationView(page).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) });
}

/** The Migration item of the activity bar: it shows once the extension's contributions are registered. */
export function migrationActivity(page: Page): Locator {
  return page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Migration"]') });
}

/** Saves a PNG of what the user sees. Relative names go under test-results/e2e/. Returns the absolute path. */
export async function screenshot(page: Page, file: string): Promise<string> {
  const out = path.isAbsolute(file) ? file : path.join(RESULTS_DIR, file);
  mkdirSync(path.dirname(out), { recursive: true });
  await page.screenshot({ path: out, fullPage: false });
  return out;
}

/**
 * A screenshot the documentation shows (README, docs/): saved to test-results/e2e/<name>, and over
 * docs/images/<name> only when SQLITE2MONGO_UPDATE_SCREENSHOTS=1 — so an ordinary test run leaves the tree clean.
 */
export async function docScreenshot(page: Page, name: string): Promise<string> {
  const out = await screenshot(page, name);
  if (process.env.SQLITE2MONGO_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOC_IMAGES, { recursive: true });
    copyFileSync(out, path.join(DOC_IMAGES, name));
  }
  return out;
}

/** Visible text of the notifications currently shown (toasts and the notification center). */
export async function notifications(page: Page): Promise<string[]> {
  return page
    .locator(
      '.notifications-toasts .notification-list-item-message, .notifications-center .notification-list-item-message',
    )
    .allInnerTexts();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

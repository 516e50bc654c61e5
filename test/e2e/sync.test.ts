/**
 * Keep in Sync in the packaged extension (code-server + Chromium): migrate app.db from the panel, press "Keep in
 * Sync", change the database the way an application would (Python's sqlite3), and see the status bar and the
 * History view report the sync, and MongoDB hold the change. Then stop it from the status bar.
 *
 * Needs `npm run setup:e2e` (Chromium + code-server) and `npm run ferretdb` (the FerretDB binary).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { useWorkbench } from '../helpers/e2eSession';
import { sharedFixture } from '../helpers/fixtures';
import { uniqueDbName } from '../helpers/mongoServer';
import { docScreenshot, editorTab, migrationActivity, runExplorerMenuEntry, webviewFrame } from '../helpers/workbench';

/** The Keep in Sync status bar item (VS Code gives it the id extension-id.item-id). */
function syncStatus(page: Page) {
  return page.locator('.part.statusbar .statusbar-item', { hasText: /app\.db(: | in sync| synced)/ });
}

/** The History view (a pane of the Migration view container), expanded. */
async function historyView(page: Page) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*History/i }) });
  if (!(await pane.isVisible().catch(() => false))) await migrationActivity(page).click();
  const header = pane.locator('.pane-header');
  await header.waitFor({ state: 'visible', timeout: 30_000 });
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

describe('VS Code extension: Keep in Sync', function () {
  this.timeout(300_000);
  const database = uniqueDbName('sync');
  const s = useWorkbench('sync-', {
    ferret: true,
    vsix: true,
    files: { 'app.db': sharedFixture('app.db') },
    settings: { 'sqlite2mongo.sync.interval': 1 },
  });

  it('migrates app.db from the panel, then "Keep in Sync" shows the sync in the status bar', async function () {
    await migrationActivity(s.page).waitFor({ state: 'visible', timeout: 60_000 });
    await runExplorerMenuEntry(s.page, 'app.db', 'Migrate to MongoDB…');
    await editorTab(s.page, 'Migrate app.db').waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(s.page);
    await frame.locator('#source-tables').waitFor({ state: 'visible', timeout: 60_000 });
    await frame.locator('#url').fill(s.ferret.url);
    await frame.locator('#database').fill(database);
    await frame.locator('#start').click();
    await frame.locator('#summary[data-status="succeeded"]').waitFor({ timeout: 120_000 });

    const keep = frame.locator('#keepInSync');
    await keep.waitFor({ state: 'visible' });
    await keep.click();
    // The first check finds the file as it was migrated.
    await syncStatus(s.page)
      .filter({ hasText: /app\.db in sync/ })
      .waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('a change to the database shows up in the status bar, the History view and MongoDB', async function () {
    const file = path.join(s.workspace, 'app.db');
    execFileSync('python3', [
      '-c',
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE resources SET name = 'changed by the app' WHERE id = 2")
con.commit()
con.close()`,
      file,
    ]);
    const status = syncStatus(s.page).filter({ hasText: /app\.db synced .*\+0 ~1 −0/ });
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    const doc = await s.mongo.db(database).collection<{ _id: number; name: string }>('resources').findOne({ _id: 2 });
    assert.equal(doc?.name, 'changed by the app');

    const history = await historyView(s.page);
    const syncRow = history.locator('.monaco-list-row', {
      has: s.page.locator('.label-description', { hasText: /^1 written · sync$/ }),
    });
    await syncRow.first().waitFor({ state: 'visible', timeout: 30_000 });
    await docScreenshot(s.page, 'keep-in-sync.png');
  });

  it('the status bar item stops it', async function () {
    await syncStatus(s.page).first().click();
    const pick = s.page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      hasText: 'Stop Keeping in Sync',
    });
    await pick.waitFor({ state: 'visible', timeout: 15_000 });
    await pick.click();
    await syncStatus(s.page)
      .filter({ hasText: /sync stopped/ })
      .waitFor({ state: 'visible', timeout: 30_000 });
  });
});

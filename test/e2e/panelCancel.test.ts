/**
 * Cancel in the migration panel on a 200,000-row database (packaged extension, in code-server): the import is
 * stopped in the middle, a notification mirrors the progress while the panel is hidden, and the summary says what
 * was written, which is exactly what MongoDB holds.
 *
 * Needs `npm run setup:e2e` (Chromium + code-server) and `npm run ferretdb` (the FerretDB binary).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { useWorkbench } from '../helpers/e2eSession';
import { sharedFixture } from '../helpers/fixtures';
import { uniqueDbName } from '../helpers/mongoServer';
import { configure, openPanelFromExplorer } from '../helpers/panelActions';
import { docScreenshot, editorTab, runCommand, screenshot } from '../helpers/workbench';

const BIG_RESOURCES = 200_000;

describe('Cancel in the migration panel (packaged, in code-server)', function () {
  this.timeout(300_000);
  const s = useWorkbench('cancel-', {
    ferret: true,
    vsix: true,
    workspace: (dir) =>
      execFileSync(
        'python3',
        [sharedFixture('make_app_db.py'), path.join(dir, 'big.db'), '--resources', String(BIG_RESOURCES)],
        { stdio: 'ignore', timeout: 120_000 },
      ),
  });

  it(`Cancel stops a run on a ${BIG_RESOURCES.toLocaleString('en-US')}-row database and the summary says what was written`, async function () {
    await s.page.keyboard.press('Control+Shift+E');
    const frame = await openPanelFromExplorer(s.page, 'big.db');
    const bigDb = uniqueDbName('big');
    await configure(frame, s.ferret.url, bigDb);
    await frame.locator('#start').click();
    const importStep = frame.locator('li.step[data-step="import"]');
    // Wait until documents are being written, so the cancel lands in the middle of the import.
    await frame
      .locator('li.step[data-step="import"][data-status="running"] .step-detail', {
        hasText: /[1-9][\d,]* \/ [\d,]+ documents/,
      })
      .waitFor({ timeout: 120_000 });
    // Export and import run together now (documents stream from the builder into the writer): export may still run.
    assert.match(
      (await frame.locator('li.step[data-step="export"]').getAttribute('data-status')) ?? '',
      /running|done/,
    );
    // Hidden panel: a notification mirrors the progress. Shown again: the re-created webview catches up.
    await runCommand(s.page, 'File: New Untitled Text File');
    const toast = s.page.locator('.notifications-toasts .notification-toast', { hasText: 'Migrating big.db' });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await toast.innerText(), /Migrating big\.db → s2m_big_/);
    await editorTab(s.page, 'Migrate big.db').click();
    await toast.waitFor({ state: 'hidden', timeout: 30_000 });
    await frame.locator('li.step[data-step="import"][data-status="running"]').waitFor({ timeout: 30_000 });
    await docScreenshot(s.page, 'panel-running.png');
    await frame.locator('#cancel').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await summary.getAttribute('data-status'), 'cancelled', await summary.innerText());
    assert.equal(await importStep.getAttribute('data-status'), 'cancelled');
    const text = await summary.innerText();
    const m = /Cancelled\. ([\d,]+) documents? had been written/.exec(text);
    assert.ok(m, text);
    const written = Number(m[1].replace(/,/g, ''));
    assert.ok(written > 0 && written < BIG_RESOURCES, `written ${written}`);
    assert.equal(
      await s.mongo.db(bigDb).collection('resources').countDocuments(),
      written,
      'the summary matches what is in MongoDB',
    );
    await screenshot(s.page, 'panel-cancelled.png');
  });
});

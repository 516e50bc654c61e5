/**
 * The packaged extension in a real VS Code (code-server) driven by Chromium: Explorer right-click on app.db →
 * the migration panel → a migration into a FerretDB started here → the Validation tree; a changed document found
 * by "Re-run Validation" (panelCancel.test.ts: a cancelled run on a larger database). Screenshots of what a user sees go to
 * test-results/e2e/ (and to docs/images/, which the README shows, with SQLITE2MONGO_UPDATE_SCREENSHOTS=1).
 *
 * Needs `npm run setup:e2e` (Chromium + code-server) and `npm run ferretdb` (the FerretDB binary).
 * SQLITE2MONGO_E2E_VSIX=path skips packaging and installs that .vsix instead.
 */
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { useWorkbench } from '../helpers/e2eSession';
import { sharedFixture } from '../helpers/fixtures';
import { uniqueDbName } from '../helpers/mongoServer';
import { configure, openPanelFromExplorer, showValidationView } from '../helpers/panelActions';
import {
  activateWebviewTab,
  docScreenshot,
  editorTab,
  runCommand,
  treeRow,
  validationView,
  webviewFrame,
} from '../helpers/workbench';

/** Drags the sash between the side bar and the editor until the side bar is `width` pixels wide. */
async function setSideBarWidth(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || Math.abs(box.width - width) < 4) return;
  const x = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(x + 1, y);
  await page.mouse.down();
  await page.mouse.move(box.x + width + 1, y, { steps: 8 });
  await page.mouse.up();
}

/** Switches the colour theme the way a user does: "Preferences: Color Theme", then the theme's name. */
async function setTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(theme);
  // Rows read "Light Modern, Default Light Modern": the label, then the theme's id as its description.
  await page
    .locator(`.quick-input-widget .quick-input-list .monaco-list-row[aria-label$=", ${theme}"]`)
    .first()
    .click();
  await input.waitFor({ state: 'hidden', timeout: 15_000 });
}

describe('VS Code extension (packaged, in code-server)', function () {
  this.timeout(300_000);
  const database = uniqueDbName('app');
  const s = useWorkbench('extension-', {
    ferret: true,
    vsix: true,
    files: { 'app.db': sharedFixture('app.db') },
  });

  it('Explorer right-click on app.db → "Migrate to MongoDB…" opens the panel with tables, plan and a sample document', async function () {
    const frame = await openPanelFromExplorer(s.page, 'app.db', 'explorer-context-menu.png');
    const resourcesRow = frame.locator('#source-tables tr[data-table="resources"]');
    await resourcesRow.waitFor();
    assert.match(await resourcesRow.innerText(), /resources\s+3\s/);
    assert.match(
      await frame.locator('#source-tables tr[data-table="resource_dependencies"]').innerText(),
      /junction table folded into resources\.dependencies/,
    );
    const card = frame.locator('.card.collection[data-collection="resources"]');
    assert.match(await card.innerText(), /_id = column id/);
    assert.match(await card.innerText(), /dependencies\[\] from junction resource_dependencies\.dependency_id/);
    // Dates read as ISO text in the sample, whatever their year.
    assert.match(
      await card.locator('pre.json').innerText(),
      /"_id": 1,[\s\S]*"created_at": "\d{4}-\d\d-\d\dT[\d:.]+Z"/,
    );
  });

  it('tests the connection and shows a clear result', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#url').fill('mongodb://127.0.0.1:1/');
    await frame.locator('#test').click();
    await frame.locator('#connection-result .result-error').waitFor({ timeout: 30_000 });
    assert.match(
      await frame.locator('#connection-result').innerText(),
      /Connection refused|No MongoDB server answered/,
    );
    await configure(frame, s.ferret.url, database);
    assert.match(
      await frame.locator('#connection-result').innerText(),
      /Connected: (MongoDB|FerretDB) .*database .* is empty or new/,
    );
    await docScreenshot(s.page, 'panel-configured.png');
  });

  it('Start runs the four steps to success and shows the summary', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#start').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded', await summary.innerText());
    for (const step of ['export', 'import', 'indexes', 'validate']) {
      assert.equal(
        await frame.locator(`li.step[data-step="${step}"]`).getAttribute('data-status'),
        'done',
        `step ${step}`,
      );
    }
    assert.match(await summary.innerText(), /Migrated and validated 3 documents/);
    // Rows, exported, imported, failed, validated, mismatches, warnings: app.db's two timestamps per row carry
    // microseconds, which a BSON date cannot hold — one date-precision warning each.
    assert.match(
      await frame.locator('#summary tr[data-collection="resources"]').innerText(),
      /resources\s+3\s+3\s+3\s+0\s+3\s+0\s+6/,
    );
    assert.equal(await s.mongo.db(database).collection('resources').countDocuments(), 3);
    await frame.locator('#openReport').waitFor({ state: 'visible' });
    await docScreenshot(s.page, 'panel-finished.png');
  });

  it('a second Start asks in a modal dialog what to do with the existing collection; "Upsert by _id" rewrites it without duplicates', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#start').click();
    const dialog = s.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await dialog.innerText(), /already has resources \(3 documents\)/);
    await dialog.locator('.monaco-button', { hasText: 'Upsert by _id' }).click();
    await frame.locator('#summary[data-status="succeeded"]').waitFor({ timeout: 120_000 });
    assert.equal(await s.mongo.db(database).collection('resources').countDocuments(), 3);
  });

  it('"Open report" opens the report JSON', async function () {
    await webviewFrame(s.page).locator('#openReport').click();
    const tab = s.page.locator('.tabs-container .tab', { hasText: /^app\.db-.*\.json/ });
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    await s.page
      .locator('.monaco-editor .view-lines', { hasText: '"status": "succeeded"' })
      .first()
      .waitFor({ timeout: 15_000 });
  });

  it('the Validation tree shows resources with 3 passed (and the microseconds app.db loses as warnings)', async function () {
    await showValidationView(s.page);
    const row = treeRow(s.page, /^resources$/);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    // app.db's DATETIME text has microseconds; a BSON Date keeps milliseconds: 6 values counted as date-precision.
    assert.match(await row.locator('.label-description').innerText(), /^3 passed · 6 warnings$/);
    assert.equal(await row.locator('.codicon-warning').count(), 1, 'a warning icon');
    const accounting = treeRow(s.page, /^Row accounting$/);
    assert.match(await accounting.locator('.label-description').innerText(), /^all 5 rows of 2 tables accounted for$/);
  });

  it('the History view lists the run, completed, read from the target database', async function () {
    await showValidationView(s.page);
    const history = s.page.locator('.pane', { has: s.page.locator('.pane-header', { hasText: /^\s*History/i }) });
    const header = history.locator('.pane-header');
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
    // Two runs so far: the first migration, and the second start answered with "Upsert by _id". They are listed under
    // their target database, labelled by source file and time, readable at the default sidebar width.
    const target = history.locator('.monaco-list-row', { has: s.page.locator('.label-name', { hasText: database }) });
    await target.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await target.locator('.label-description').innerText(), /^127\.0\.0\.1:\d+ · 2 runs$/);
    // The second run compared and found every document unchanged: it wrote none.
    const rows = history.locator('.monaco-list-row', {
      has: s.page.locator('.label-description', { hasText: /^[03] written$/ }),
    });
    await rows.nth(1).waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal(await rows.count(), 2);
    assert.match(
      await rows.first().locator('.label-name').innerText(),
      /^app\.db · (\d{1,2} \w{3} )?\d\d:\d\d$/,
      'source file and time',
    );
    await docScreenshot(s.page, 'history-view.png');
  });

  it('after a window reload the panel comes back with its summary, and the tree with its results', async function () {
    await runCommand(s.page, 'Developer: Reload Window');
    await s.page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: 60_000 });
    const tab = editorTab(s.page, 'Migrate app.db');
    await tab.waitFor({ state: 'visible', timeout: 60_000 });
    await tab.click();
    const summary = webviewFrame(s.page).locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded');
    // The restored panel asks the host again: the source is re-read and the connection string is back.
    await webviewFrame(s.page).locator('#source-tables tr[data-table="resources"]').waitFor({ timeout: 60_000 });
    assert.equal(await webviewFrame(s.page).locator('#url').inputValue(), s.ferret.url);
    await showValidationView(s.page);
    await treeRow(s.page, /^resources$/).waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(
      await treeRow(s.page, /^resources$/)
        .locator('.label-description')
        .innerText(),
      /^3 passed · 6 warnings$/,
    );
  });

  it('the panel reads well in the light and high-contrast themes (screenshots)', async function () {
    await activateWebviewTab(s.page, 'Migrate app.db');
    await runCommand(s.page, 'View: Close Editors in Other Groups');
    const body = webviewFrame(s.page).locator('body');
    const background = () => body.evaluate((el) => getComputedStyle(el).backgroundColor);
    const dark = await background();
    for (const [theme, file] of [
      ['Default Light Modern', 'panel-light.png'],
      ['Default High Contrast', 'panel-high-contrast.png'],
    ] as const) {
      await setTheme(s.page, theme);
      const deadline = Date.now() + 30_000;
      while ((await background()) === dark && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      assert.notEqual(await background(), dark, `${theme} was not applied`);
      await new Promise((r) => setTimeout(r, 500));
      await docScreenshot(s.page, file);
    }
    await setTheme(s.page, 'Default Dark Modern');
    const deadline = Date.now() + 30_000;
    while ((await background()) !== dark && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
  });

  it('"Re-run Validation" after a change in MongoDB shows the mismatch with its field path, and opens both documents side by side', async function () {
    await s.mongo
      .db(database)
      .collection<{ _id: number; name: string }>('resources')
      .updateOne({ _id: 2 }, { $set: { name: 'changed by the test' } });
    const row = treeRow(s.page, /^resources$/);
    await row.hover();
    await row.locator('.actions .action-label[aria-label="Re-run Validation"]').click();
    const mismatch = treeRow(s.page, /^_id 2 · name$/);
    await mismatch.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(
      await mismatch.locator('.label-description').innerText(),
      /value differs: expected text ".*" ≠ actual "changed by the test"/,
    );
    assert.match(await row.locator('.label-description').innerText(), /^2 passed · 1 failed · 6 warnings$/);
    assert.equal(await row.locator('.codicon-error').count(), 1, 'a fail icon');
    // For the screenshot, a larger screen: the whole mismatch line in the tree, both documents side by side.
    await runCommand(s.page, 'View: Close All Editor Groups');
    await s.page.setViewportSize({ width: 1920, height: 1000 });
    await setSideBarWidth(s.page, 700);
    await mismatch.click();
    const tab = s.page.locator('.tabs-container .tab', { hasText: 'resources _id 2' });
    await tab.waitFor({ state: 'visible', timeout: 30_000 });
    const diff = s.page.locator('.monaco-diff-editor');
    await diff.locator('.view-lines', { hasText: 'changed by the test' }).first().waitFor({ timeout: 30_000 });
    await docScreenshot(s.page, 'validation-mismatch.png');
    await setSideBarWidth(s.page, 300);
    await s.page.setViewportSize({ width: 1440, height: 900 });
  });

  it('"Clear Validation Results" empties the Validation tree and brings back its welcome text', async function () {
    await showValidationView(s.page);
    const header = validationView(s.page).locator('.pane-header');
    await header.hover();
    await header.locator('.action-label[aria-label="Clear Validation Results"]').click();
    await treeRow(s.page, /^resources$/).waitFor({ state: 'detached', timeout: 30_000 });
    await validationView(s.page)
      .locator('.welcome-view-content', { hasText: 'No validation results yet' })
      .waitFor({ state: 'visible', timeout: 30_000 });
  });
});

/**
 * The migration panel, the designer and the Validation view on a 30-table database (Northwind-like names, a
 * composite key, a self-reference, BLOBs, dates before 1970, views, an empty table, 18 chained tables), at
 * 1440×900: plan cards that scale, the connecting state against a server that accepts and never answers (Cancel,
 * then the timeout), stale results cleared when the target or the plan changes, and a click on a collection in the
 * Validation tree. Every state is photographed in the dark and the light theme (docs/images/ with
 * SQLITE2MONGO_UPDATE_SCREENSHOTS=1).
 *
 * Needs `npm run setup:e2e` and `npm run ferretdb`, like the other e2e files.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { useWorkbench } from '../helpers/e2eSession';
import { uniqueDbName } from '../helpers/mongoServer';
import { SCALE_TABLES, scaleDbSql } from '../helpers/scaleDb';
import { makeDb } from '../helpers/sqliteBuilders';
import { shootBothThemes } from '../helpers/themes';
import {
  editorTab,
  migrationActivity,
  reachesViewport,
  runExplorerMenuEntry,
  treeRow,
  validationView,
  webviewFrame,
} from '../helpers/workbench';

const FILE = 'northwind30.db';
/** A TCP server on loopback that accepts connections and never says a word: a MongoDB host that does not answer. */
async function silentServer(): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function openPanel(page: Page): Promise<FrameLocator> {
  await migrationActivity(page).waitFor({ state: 'visible', timeout: 60_000 });
  await runExplorerMenuEntry(page, FILE, 'Migrate to MongoDB…');
  await editorTab(page, `Migrate ${FILE}`).waitFor({ state: 'visible', timeout: 30_000 });
  const frame = webviewFrame(page);
  await frame.locator('#source-tables').waitFor({ state: 'visible', timeout: 60_000 });
  return frame;
}

describe('panel states at scale (packaged, in code-server, 1440×900)', function () {
  this.timeout(300_000);
  const database = uniqueDbName('northwind');
  const s = useWorkbench('states-', {
    ferret: true,
    vsix: true,
    viewport: { width: 1440, height: 900 },
    workspace: (dir) => makeDb(path.join(dir, FILE), scaleDbSql()),
  });
  let silent: Awaited<ReturnType<typeof silentServer>>;
  before(async () => {
    silent = await silentServer();
  });
  after(async () => {
    await silent?.close();
  });

  it(`a ${SCALE_TABLES}-table database opens as one-line plan cards; a source table's link opens and shows its card`, async function () {
    const frame = await openPanel(s.page);
    const cards = frame.locator('#plan-body details.card.collection');
    await cards.first().waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await cards.count(), SCALE_TABLES - 1, 'every table but the junction becomes a collection');
    assert.equal(
      await cards.evaluateAll((els) => els.filter((e) => (e as HTMLDetailsElement).open).length),
      0,
      'all collapsed',
    );
    // One line per collection: the whole plan of 29 collections fits in about a screen, not six.
    const planHeight = (await frame.locator('#plan-body').boundingBox())?.height ?? Infinity;
    assert.ok(planHeight < 1400, `plan body ${planHeight}px tall`);
    assert.match(
      await frame.locator('#views-note').innerText(),
      /^3 views, not migrated: .*Tick “Include views” in Options/,
    );
    assert.equal(
      await frame.locator('#not-migrated').filter({ hasText: 'include-views' }).count(),
      0,
      'no CLI flag repeated per view',
    );
    assert.match(await frame.locator('#empty-note').innerText(), /each becomes an empty collection, with its indexes/);
    await frame.locator('#source-tables tr[data-table="Employees"] a[data-jump]').click();
    const employees = frame.locator('details.card.collection[data-collection="Employees"]');
    assert.equal(await employees.evaluate((e) => (e as HTMLDetailsElement).open), true);
    await employees.locator('pre.json').waitFor({ state: 'visible' });
    const sample = await employees.locator('pre.json').innerText();
    assert.match(sample, /"BirthDate": "1948-12-08T00:00:00\.000Z"/, 'a date before 1970 as ISO text');
    assert.match(sample, /"Photo": "Binary · 2,048 bytes"/);
    await frame.locator('#planFilter').fill('order');
    assert.deepEqual(await cards.evaluateAll((els) => els.map((e) => e.getAttribute('data-collection'))), [
      'Orders',
      'Order Details',
    ]);
    await frame.locator('#planFilter').fill('');
    await employees.scrollIntoViewIfNeeded();
    await shootBothThemes(s, 'panel-scale', frame);
  });

  it('a server that accepts and never answers: "Connecting…" with the elapsed time, and Cancel stops at once', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#url').fill(`mongodb://127.0.0.1:${silent.port}/`);
    await frame.locator('#database').fill(database);
    await frame.locator('#connectTimeout').fill('120');
    await frame.locator('#connectTimeout').dispatchEvent('change');
    await frame.locator('#start').click();
    const status = frame.locator('#run-status[data-phase="connecting"]');
    await status.waitFor({ state: 'visible', timeout: 60_000 });
    // The count goes up while it waits (it is redrawn every second).
    await frame
      .locator('#run-status', {
        hasText: new RegExp(`^Connecting to 127\\.0\\.0\\.1:${silent.port}… [1-9]\\d* s \\(waits up to 120 s`),
      })
      .waitFor({ timeout: 30_000 });
    assert.equal(await frame.locator('#cancel').isEnabled(), true);
    await shootBothThemes(s, 'panel-connecting', frame);
    await frame.locator('#cancel').click();
    const stopped = frame.locator('#run-error[data-code="CANCELLED"]');
    await stopped.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await stopped.innerText(), /Cancelled while connecting: nothing was written\./);
    assert.equal(await frame.locator('#steps').count(), 0, 'no list of steps that never ran');
  });

  it('the connection timeout from the Options ends the wait with a plain-language error alone', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#connectTimeout').fill('2');
    await frame.locator('#connectTimeout').dispatchEvent('change');
    await frame.locator('#start').click();
    const error = frame.locator('#run-error');
    await error.waitFor({ state: 'visible', timeout: 90_000 });
    const text = await error.innerText();
    assert.match(
      text,
      new RegExp(`No MongoDB server answered at mongodb://127\\.0\\.0\\.1:${silent.port}/? within 2 s\\.`),
    );
    assert.match(text, /Connection timeout in the panel/);
    assert.doesNotMatch(text, /monitor|closed/, 'no driver internals');
    assert.equal(await frame.locator('#steps').count(), 0, 'the error alone, no table of zeros');
    await shootBothThemes(s, 'panel-timeout', frame);
  });

  it('a finished run names database and host, and goes away when the target changes', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#url').fill(s.ferret.url);
    await frame.locator('#connectTimeout').fill('10');
    await frame.locator('#connectTimeout').dispatchEvent('change');
    await frame.locator('#ifExists').selectOption('drop');
    await frame.locator('#start').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded', await summary.innerText());
    const text = await summary.innerText();
    assert.match(
      text,
      new RegExp(`Migrated and validated [\\d,]+ documents in ${database} on 127\\.0\\.0\\.1:\\d+\\.`),
    );
    assert.match(text, /Rows are what SQLite holds; documents are what MongoDB holds/);
    assert.match(text, /The run is recorded in _sqlite2mongo_migrations/);
    // The table without rows is an empty collection, said in the summary and there on the server.
    assert.match(text, /Created an empty collection \(no rows to copy, indexes as planned\): AuditLog\./);
    assert.deepEqual(
      (await s.mongo.db(database).listCollections({ name: 'AuditLog' }).toArray()).map((c) => c.name),
      ['AuditLog'],
    );
    await shootBothThemes(s, 'panel-summary', frame);
    await frame.locator('#database').fill(`${database}_other`);
    await frame.locator('#run').waitFor({ state: 'hidden', timeout: 10_000 });
    await frame.locator('#database').fill(database);
  });

  it('a click on a collection in the Validation tree opens its summary with the documents read from MongoDB', async function () {
    await migrationActivity(s.page).click();
    await validationView(s.page).waitFor({ state: 'visible', timeout: 30_000 });
    const row = treeRow(s.page, /^Employees$/);
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    await row.click();
    await editorTab(s.page, 'Employees.md').waitFor({ state: 'visible', timeout: 30_000 });
    const editor = s.page.locator('.editor-instance .monaco-editor .view-lines').first();
    await editor.filter({ hasText: 'Documents written' }).waitFor({ state: 'visible', timeout: 30_000 });
    // Monaco draws only the lines in view: read the top, then the end.
    const top = (await editor.innerText()).replace(/\u00a0/g, ' ');
    assert.match(top, /# Employees/);
    assert.match(top, /Documents written \| 3 \|/);
    assert.match(top, /3 documents\. The first 3:/);
    assert.match(top, /"LastName": "Davolio"/, 'a document read back from the server');
    await shootBothThemes(s, 'validation-summary');
    await editor.click();
    await s.page.keyboard.press('Control+End');
    await editor.filter({ hasText: 'mongosh "' }).waitFor({ state: 'visible', timeout: 10_000 });
    const end = (await editor.innerText()).replace(/\u00a0/g, ' ');
    assert.match(end, new RegExp(`mongosh "mongodb://127\\.0\\.0\\.1:\\d+/${database}"`));
  });

  it("the designer saving a new plan clears the panel's finished run; the plan card lists the embedded array", async function () {
    await editorTab(s.page, `Migrate ${FILE}`).click();
    let frame = webviewFrame(s.page);
    await frame.locator('#start').click();
    await frame.locator('#summary[data-status="succeeded"]').waitFor({ state: 'visible', timeout: 120_000 });
    await frame.locator('#design').click();
    await editorTab(s.page, `Design ${FILE}`).waitFor({ state: 'visible', timeout: 30_000 });
    frame = webviewFrame(s.page);
    const lines = frame.locator('[data-relationship="Order Details(OrderID)->Orders"] select');
    await lines.waitFor({ state: 'visible', timeout: 60_000 });
    await lines.selectOption('array');
    await frame
      .locator('#plan-status[data-dirty="true"]')
      .filter({ hasNotText: 'Updating' })
      .waitFor({ timeout: 60_000 });
    // The collection the lines went into is brought into view.
    const orders = frame.locator('article.card.collection[data-table="Orders"]');
    await orders.waitFor({ state: 'visible' });
    assert.ok(await reachesViewport(orders), 'Orders card in view');
    const header = frame.locator('header.top');
    assert.ok(((await header.boundingBox())?.height ?? 999) < 80, 'the header stays one line');
    await shootBothThemes(s, 'designer-scale', frame);
    await frame.locator('#save').click();
    await frame.locator('#plan-status', { hasText: 'Saved to' }).waitFor({ timeout: 30_000 });
    await frame.locator('#migrate').click();
    await editorTab(s.page, `Migrate ${FILE}`).waitFor({ state: 'visible' });
    frame = webviewFrame(s.page);
    await frame.locator('#plan-file-note').waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await frame.locator('#run').isHidden(), true, 'the previous run no longer describes this plan');
    await frame.locator('#source-tables tr[data-table="Orders"] a[data-jump]').click();
    assert.match(
      await frame.locator('details.card.collection[data-collection="Orders"] dd.embedded').innerText(),
      /Order Details\[\] rows of Order Details/,
    );
  });
});

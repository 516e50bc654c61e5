/**
 * The mapping designer in the packaged extension (code-server + Chromium): Explorer right-click on shop.db →
 * "Design MongoDB Mapping…" → order_lines switched to an embedded array in orders → the live preview shows the
 * lines → a lossy type override shows its warning → Save writes .sqlite2mongo/shop.plan.json → "Migrate…" opens
 * the migration panel, which uses that plan → migrated into a FerretDB started here, the Validation tree clean,
 * and an order read back with its lines. Screenshots go to docs/images/ (the README shows them).
 *
 * Needs `npm run setup:e2e` and `npm run ferretdb`, like test/e2e/extension.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import type { MappingPlan } from '../../src/core/plan/types';
import { startFerretDb, uniqueDbName, type TestServer } from '../helpers/mongoServer';
import { makeDb } from '../helpers/sqliteBuilders';
import { explorerItem, launchBrowser, makeWorkspace, newPage, openWorkbench, REPO_ROOT, screenshot, startCodeServer, type CodeServer, reportFailedTest } from './codeServer';
import { packagedExtension } from './vsix';
import { SHOP_SCHEMA } from '../helpers/shop';

const IMAGES = path.join(REPO_ROOT, 'docs', 'images');

/** The shop of test/integration/embed.test.ts, with a few more rows. */
const SHOP = `${SHOP_SCHEMA}
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25), ('C-3', 'Crate', 12.0);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 2, '2024-05-02 11:30:00', NULL), (12, NULL, '2024-05-03 09:15:00', 'walk-in'),
  (13, 1, '2024-05-04 08:00:00', 'no lines');
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3), (12, 2, 'A-1', 2), (12, 1, 'B-2', 5), (12, 3, 'C-3', 1);
`;
const LINES = 'order_lines(order_id)->orders';

/** The content frame of the webview in view: code-server nests it in two iframes. */
function webviewFrame(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

function validationView(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*Validation/i }) });
}

function treeRow(page: Page, label: string | RegExp): Locator {
  return validationView(page).locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: label }) });
}

async function contextMenu(page: Page, file: string, entryText: string): Promise<void> {
  await page.locator('.activitybar .action-item a[aria-label^="Migration"]').waitFor({ state: 'visible', timeout: 60_000 });
  const item = explorerItem(page, file);
  await item.waitFor({ state: 'visible', timeout: 30_000 });
  const entry = page.locator('.context-view .monaco-menu .action-item', { hasText: entryText });
  for (let attempt = 0; ; attempt++) {
    await item.click({ button: 'right' });
    if (await entry.waitFor({ state: 'visible', timeout: 5000 }).then(() => true, () => false)) break;
    await page.keyboard.press('Escape');
    if (attempt >= 5) throw new Error(`"${entryText}" is not in the Explorer context menu of ${file}`);
  }
  await entry.click();
}

describe('designer: the mapping designer (packaged, in code-server)', function () {
  this.timeout(300_000);
  let ferret: TestServer | undefined;
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let mongo: MongoClient;
  const database = uniqueDbName('shop');

  before(async function () {
    const vsix = packagedExtension();
    ferret = await startFerretDb();
    mongo = await new MongoClient(ferret.url).connect();
    workspace = makeWorkspace();
    makeDb(path.join(workspace, 'shop.db'), SHOP);
    server = await startCodeServer({ workspaceDir: workspace, vsixPath: vsix, settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
    browser = await launchBrowser();
    page = await newPage(browser, server.url);
    await page.setViewportSize({ width: 1600, height: 1000 });
    await openWorkbench(page, server.url);
    mkdirSync(IMAGES, { recursive: true });
  });

  afterEach(async function () {
    await reportFailedTest(this.currentTest, page, server, 'designer-');
  });

  after(async function () {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await mongo?.close().catch(() => undefined);
    await ferret?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('Explorer right-click → "Design MongoDB Mapping…" shows tables, relationships and one sample per collection', async function () {
    await contextMenu(page, 'shop.db', 'Design MongoDB Mapping…');
    await page.locator('.tabs-container .tab', { hasText: 'Design shop.db' }).waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(page);
    await frame.locator(`li.relationship[data-relationship="${LINES}"]`).waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await frame.locator('article.table-card[data-table="order_lines"]').innerText(), /order_lines · 6 rows/);
    assert.equal(await frame.locator(`li.relationship[data-relationship="${LINES}"] select`).inputValue(), 'reference');
    assert.deepEqual(await frame.locator('article.collection[data-collection]').evaluateAll((els) => els.map((e) => e.getAttribute('data-collection'))), ['customers', 'products', 'orders', 'order_lines']);
    const orders = frame.locator('article.collection[data-collection="orders"] pre.json');
    assert.match(await orders.innerText(), /"_id": 10,[\s\S]*"customer_id": 1/);
    assert.doesNotMatch(await orders.innerText(), /order_lines/);
    assert.match(await frame.locator('#plan-status').innerText(), /^Default plan$/);
  });

  it('order_lines → embedded array in orders: the preview shows the order with its lines', async function () {
    const frame = webviewFrame(page);
    await frame.locator(`li.relationship[data-relationship="${LINES}"] select`).selectOption('array');
    const orders = frame.locator('article.collection[data-collection="orders"] pre.json');
    await orders.filter({ hasText: '"order_lines": [' }).waitFor({ timeout: 60_000 });
    assert.match(await orders.innerText(), /"order_lines": \[\s*\{\s*"line_no": 1,\s*"sku": "A-1",\s*"qty": 1\s*\},\s*\{\s*"line_no": 2,\s*"sku": "B-2",\s*"qty": 40\s*\}\s*\]/);
    assert.match(await frame.locator('article.collection.skipped[data-table="order_lines"]').innerText(), /embedded into orders\.order_lines/);
    assert.match(await frame.locator('#plan-status').innerText(), /Unsaved plan \(Save writes \.sqlite2mongo\/shop\.plan\.json\)/);
    await frame.locator('article.collection[data-collection="orders"]').scrollIntoViewIfNeeded();
    await screenshot(page, path.join(IMAGES, 'designer-embedded.png'));
  });

  it('a lossy type override (REAL price forced to int) shows an inline warning; auto again clears it', async function () {
    const frame = webviewFrame(page);
    const products = frame.locator('article.collection[data-collection="products"]');
    await products.locator('details.fields-details summary').click();
    await products.locator('select[data-edit="field-type"][data-column="price"]').selectOption('int');
    const warning = products.locator('li.warning[data-kind="lossy-type"]');
    await warning.waitFor({ timeout: 60_000 });
    assert.match(await warning.innerText(), /products\.price as int: 2 values cannot become int \(e\.g\. "99\.5"\)/);
    assert.match(await frame.locator('#warning-count').innerText(), /1 warning/);
    await products.scrollIntoViewIfNeeded();
    await screenshot(page, path.join(IMAGES, 'designer-warning.png'));
    await products.locator('select[data-edit="field-type"][data-column="price"]').selectOption('auto');
    await warning.waitFor({ state: 'detached', timeout: 60_000 });
    assert.match(await frame.locator('#warning-count').innerText(), /no warnings/);
  });

  it('Save writes .sqlite2mongo/shop.plan.json with the embedded lines', async function () {
    const frame = webviewFrame(page);
    await frame.locator('#save').click();
    await frame.locator('#plan-status', { hasText: 'Saved to .sqlite2mongo/shop.plan.json' }).waitFor({ timeout: 30_000 });
    const file = path.join(workspace, '.sqlite2mongo', 'shop.plan.json');
    assert.ok(existsSync(file), file);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\{\n  "version": 1,\n  "source": \{\n    "file": "shop.db"\n  \},/, 'pretty JSON');
    const plan = JSON.parse(text) as MappingPlan;
    const orders = plan.collections.find((c) => c.collection === 'orders');
    assert.deepEqual(orders?.embeds?.map((e) => [e.field, e.kind, e.table, e.parentColumns, e.childColumns]), [['order_lines', 'array', 'order_lines', ['id'], ['order_id']]]);
    assert.ok(!plan.collections.some((c) => c.table === 'order_lines'));
    assert.equal(plan.collections.find((c) => c.table === 'products')?.fields.find((f) => f.column === 'price')?.type, 'auto');
  });

  it('"Migrate…" opens the migration panel, which uses the plan; the migration validates clean and orders hold their lines', async function () {
    await webviewFrame(page).locator('#migrate').click();
    await page.locator('.tabs-container .tab', { hasText: 'Migrate shop.db' }).waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(page);
    const note = frame.locator('#plan-file-note');
    await note.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await note.innerText(), /Using plan \.sqlite2mongo\/shop\.plan\.json/);
    assert.match(await frame.locator('#source-tables tr[data-table="order_lines"]').innerText(), /embedded into orders\.order_lines/);
    assert.match(await frame.locator('.card.collection[data-collection="orders"] pre.json').innerText(), /"order_lines": \[/);
    await frame.locator('#url').fill(ferret!.url);
    await frame.locator('#database').fill(database);
    await frame.locator('#start').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded', await summary.innerText());
    assert.match(await summary.innerText(), /Migrated and validated 10 documents/);

    await page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Migration"]') }).click();
    await validationView(page).waitFor({ state: 'visible', timeout: 30_000 });
    for (const [name, n] of [['customers', 3], ['products', 3], ['orders', 4]] as const) {
      const row = treeRow(page, new RegExp(`^${name}$`));
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await row.locator('.label-description').innerText(), `${n} passed`, name);
    }
    assert.equal(await treeRow(page, /^order_lines$/).count(), 0, 'order_lines is not a collection');

    const order = await mongo.db(database).collection<{ _id: number; order_lines?: unknown }>('orders').findOne({ _id: 12 });
    assert.deepEqual(order?.order_lines, [
      { line_no: 1, sku: 'B-2', qty: 5 },
      { line_no: 2, sku: 'A-1', qty: 2 },
      { line_no: 3, sku: 'C-3', qty: 1 },
    ]);
    assert.deepEqual((await mongo.db(database).listCollections().toArray()).map((c) => c.name).filter((n) => !n.startsWith('_')).sort(), ['customers', 'orders', 'products']);
  });
});

/**
 * Resume from the History view runs the plan and options a run was started with: a designer plan (order lines
 * embedded in their orders) migrated from the panel with a non-default batch size, cancelled in the middle of the
 * import, then resumed from the History view. The resumed run finishes the designer's collections (read back from
 * the server: embedded lines, no order_lines collection, the index on the lines' product reference) and its record
 * says so; the panel still open on the file shows the resumed run's outcome and the Validation view its results.
 * Also: an empty table becomes an empty collection, and the panel says so before and after the run.
 *
 * Needs `npm run setup:e2e` and `npm run ferretdb`, like the other e2e files.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { shootBothThemes } from '../helpers/themes';
import { useWorkbench } from '../helpers/e2eSession';
import { uniqueDbName } from '../helpers/mongoServer';
import { SHOP_SCHEMA } from '../helpers/shop';
import { makeDb } from '../helpers/sqliteBuilders';
import { showValidationView } from '../helpers/panelActions';
import {
  editorTab,
  migrationActivity,
  notifications,
  runExplorerMenuEntry,
  treeRow,
  webviewFrame,
} from '../helpers/workbench';

const ORDERS = 20_000;
const LINES = 'order_lines(order_id)->orders';
/** The shop with 20,000 orders of two lines each, and a table without rows. */
const SHOP = `${SHOP_SCHEMA}
CREATE TABLE coupons (code TEXT PRIMARY KEY, percent INTEGER);
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25), ('C-3', 'Crate', 12.0);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${ORDERS})
INSERT INTO orders SELECT i, 1 + i % 3, '2024-05-01 10:00:00', 'order ' || i FROM n;
INSERT INTO order_lines SELECT id, 1, 'A-1', 1 FROM orders;
INSERT INTO order_lines SELECT id, 2, CASE WHEN id % 2 THEN 'B-2' ELSE 'C-3' END, id % 7 FROM orders;
`;

/** The History pane of the Migration view container, expanded. */
async function historyPane(page: Page) {
  await showValidationView(page);
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*History/i }) });
  const header = pane.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return pane;
}

describe('History view: resume runs the plan and options the run was started with (packaged, in code-server)', function () {
  this.timeout(300_000);
  const database = uniqueDbName('resume');
  const s = useWorkbench('resume-', {
    ferret: true,
    vsix: true,
    viewport: { width: 1440, height: 900 },
    workspace: (dir) => makeDb(path.join(dir, 'shop.db'), SHOP),
  });
  let runId = '';

  it('a designer plan started from the panel with batch size 250 and cancelled mid-import is listed as cancelled', async function () {
    await migrationActivity(s.page).waitFor({ state: 'visible', timeout: 60_000 });
    await runExplorerMenuEntry(s.page, 'shop.db', 'Design MongoDB Mapping…');
    await editorTab(s.page, 'Design shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    let frame = webviewFrame(s.page);
    const lines = frame.locator(`li.relationship[data-relationship="${LINES}"] select`);
    await lines.waitFor({ state: 'visible', timeout: 60_000 });
    await lines.selectOption('array');
    await frame
      .locator('article.collection[data-collection="orders"] pre.json', { hasText: '"order_lines": [' })
      .waitFor({ timeout: 60_000 });
    await frame.locator('#save').click();
    await frame.locator('#plan-status', { hasText: 'Saved to' }).waitFor({ timeout: 30_000 });
    await frame.locator('#migrate').click();
    await editorTab(s.page, 'Migrate shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    frame = webviewFrame(s.page);
    await frame.locator('#plan-file-note').waitFor({ state: 'visible', timeout: 60_000 });
    // The plan card lists the index on the product reference inside the embedded lines, and the empty table.
    await frame.locator('#source-tables tr[data-table="orders"] a[data-jump]').click();
    const orders = frame.locator('details.card.collection[data-collection="orders"]');
    assert.match(await orders.innerText(), /Indexes\s+customer_id, order_lines\.sku\b/);
    assert.match(
      await frame.locator('details.card.collection[data-collection="coupons"] summary').innerText(),
      /0 rows \(empty\)/,
    );
    assert.match(await frame.locator('#empty-note').innerText(), /each becomes an empty collection, with its indexes/);

    await frame.locator('#url').fill(s.ferret.url);
    await frame.locator('#database').fill(database);
    await frame.locator('#batchSize').fill('250');
    await frame.locator('#batchSize').dispatchEvent('change');
    await frame.locator('#start').click();
    await frame
      .locator('li.step[data-step="import"][data-status="running"] .step-detail', {
        hasText: /[1-9][\d,]* \/ [\d,]+ documents/,
      })
      .waitFor({ timeout: 120_000 });
    await frame.locator('#cancel').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 60_000 });
    assert.equal(await summary.getAttribute('data-status'), 'cancelled', await summary.innerText());
    const written = await s.mongo.db(database).collection('orders').countDocuments();
    assert.ok(written < ORDERS, `cancelled with ${written} of ${ORDERS} orders written`);
    const record = await s.mongo.db(database).collection('_sqlite2mongo_migrations').findOne({});
    assert.ok(record, 'the cancelled run recorded itself');
    assert.deepEqual([record.status, record.options.batchSize], ['cancelled', 250]);
    runId = String(record._id);

    // A cancelled run leaves no validation results; its target is listed in the History view all the same.
    const pane = await historyPane(s.page);
    const run = pane.locator('.monaco-list-row', {
      has: s.page.locator('.label-description', { hasText: /^cancelled · [\d,]+ written$/ }),
    });
    await run.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await run.locator('.label-name').innerText(), /^shop\.db · /);
  });

  it('Resume in the History view finishes it with that plan and batch size; the server holds the designer’s documents', async function () {
    const pane = await historyPane(s.page);
    const run = pane.locator('.monaco-list-row', {
      has: s.page.locator('.label-description', { hasText: /^cancelled · / }),
    });
    await run.hover();
    await run.locator('.action-label[aria-label="Resume Migration"]').click();
    const done = new RegExp(
      `Resumed ${runId} with its plan \\(customers, products, orders, coupons\\) and options \\(batch size 250, refused rows: stop\\): migrated and validated ${(ORDERS + 6 + 0).toLocaleString('en-US')} documents\\.`,
    );
    await s.page
      .locator('.notifications-toasts .notification-list-item-message', { hasText: done })
      .waitFor({ state: 'visible', timeout: 180_000 })
      .catch(async (e: unknown) => {
        throw new Error(`${String(e)}\nnotifications: ${JSON.stringify(await notifications(s.page))}`);
      });
    await pane
      .locator('.monaco-list-row', { has: s.page.locator('.label-description', { hasText: /^[\d,]+ written$/ }) })
      .waitFor({ state: 'visible', timeout: 30_000 });
    // The panel still open on shop.db shows the resumed run's outcome (not "Cancelled"), the Validation view its results.
    const panelSummary = webviewFrame(s.page).locator('#summary[data-status="succeeded"]');
    await panelSummary.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(
      await panelSummary.innerText(),
      new RegExp(`Migrated and validated ${(ORDERS + 6).toLocaleString('en-US')} documents in ${database} on `),
    );
    const ordersResult = treeRow(s.page, /^orders$/);
    await ordersResult.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await ordersResult.locator('.label-description').innerText(), /^20,000 passed\b/);
    await shootBothThemes(s, 'history-resumed');

    const db = s.mongo.db(database);
    const record = await db.collection('_sqlite2mongo_migrations').findOne({ _id: runId as never });
    assert.deepEqual(
      [record?.status, record?.verified, record?.resumedAt?.length, record?.options.batchSize],
      ['completed', true, 1, 250],
    );
    assert.equal(await db.collection('_sqlite2mongo_migrations').countDocuments(), 1, 'no second run: the same one');
    assert.equal(await db.collection('orders').countDocuments(), ORDERS);
    assert.deepEqual(await db.collection('orders').findOne({ _id: 7 as never }), {
      _id: 7,
      customer_id: 2,
      placed_at: new Date('2024-05-01T10:00:00Z'),
      note: 'order 7',
      order_lines: [
        { line_no: 1, sku: 'A-1', qty: 1 },
        { line_no: 2, sku: 'B-2', qty: 0 },
      ],
    });
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
    assert.deepEqual(names, ['_sqlite2mongo_migrations', 'coupons', 'customers', 'orders', 'products']);
    const indexes = await db.collection('orders').indexes();
    assert.deepEqual(
      indexes.find((ix) => ix.name === 'order_lines.sku_fk')?.key,
      { 'order_lines.sku': 1 },
      'the multikey index on the embedded reference',
    );
    assert.equal(await db.collection('coupons').countDocuments(), 0, 'the empty table is an empty collection');
  });
});

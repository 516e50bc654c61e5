/**
 * The mapping designer in the packaged extension (code-server + Chromium): Explorer right-click on shop.db →
 * "Design MongoDB Mapping…" → order_lines switched to an embedded array in orders → the live preview shows the
 * lines → a lossy type override shows its warning → Save writes .sqlite2mongo/shop.plan.json → "Migrate…" opens
 * the migration panel, which uses that plan → migrated into a FerretDB started here, the Validation tree clean,
 * and an order read back with its lines. Screenshots go to test-results/e2e/ (and to docs/images/, which the README
 * shows, with SQLITE2MONGO_UPDATE_SCREENSHOTS=1).
 *
 * Needs `npm run setup:e2e` and `npm run ferretdb`, like test/e2e/extension.test.ts.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { MappingPlan } from '../../src/core/plan/types';
import { useWorkbench } from '../helpers/e2eSession';
import { uniqueDbName } from '../helpers/mongoServer';
import { SHOP_SCHEMA } from '../helpers/shop';
import { makeDb } from '../helpers/sqliteBuilders';
import {
  docScreenshot,
  editorTab,
  migrationActivity,
  runExplorerMenuEntry,
  treeRow,
  validationView,
  webviewFrame,
} from '../helpers/workbench';

/** The shop of test/integration/embed.test.ts, with a few more rows. */
const SHOP = `${SHOP_SCHEMA}
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25), ('C-3', 'Crate', 12.0);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 2, '2024-05-02 11:30:00', NULL), (12, NULL, '2024-05-03 09:15:00', 'walk-in'),
  (13, 1, '2024-05-04 08:00:00', 'no lines');
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'B-2', 3), (12, 2, 'A-1', 2), (12, 1, 'B-2', 5), (12, 3, 'C-3', 1);
`;
const LINES = 'order_lines(order_id)->orders';

describe('designer: the mapping designer (packaged, in code-server)', function () {
  this.timeout(300_000);
  const database = uniqueDbName('shop');
  const s = useWorkbench('designer-', {
    ferret: true,
    vsix: true,
    viewport: { width: 1600, height: 1000 },
    workspace: (dir) => makeDb(path.join(dir, 'shop.db'), SHOP),
  });

  it('Explorer right-click → "Design MongoDB Mapping…" shows tables, relationships and one sample per collection', async function () {
    // The extension's menu entries exist once its contributions are registered (its activity bar item shows then).
    await migrationActivity(s.page).waitFor({ state: 'visible', timeout: 60_000 });
    await runExplorerMenuEntry(s.page, 'shop.db', 'Design MongoDB Mapping…');
    await editorTab(s.page, 'Design shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(s.page);
    await frame.locator(`li.relationship[data-relationship="${LINES}"]`).waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(
      await frame.locator('article.table-card[data-table="order_lines"]').innerText(),
      /order_lines · 6 rows/,
    );
    assert.equal(await frame.locator(`li.relationship[data-relationship="${LINES}"] select`).inputValue(), 'reference');
    assert.deepEqual(
      await frame
        .locator('article.collection[data-collection]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-collection'))),
      ['customers', 'products', 'orders', 'order_lines'],
    );
    const orders = frame.locator('article.collection[data-collection="orders"] pre.json');
    assert.match(await orders.innerText(), /"_id": 10,[\s\S]*"customer_id": 1/);
    assert.doesNotMatch(await orders.innerText(), /order_lines/);
    assert.match(await frame.locator('#plan-status').innerText(), /^Default plan$/);
  });

  it('order_lines → embedded array in orders: the preview shows the order with its lines', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator(`li.relationship[data-relationship="${LINES}"] select`).selectOption('array');
    const orders = frame.locator('article.collection[data-collection="orders"] pre.json');
    await orders.filter({ hasText: '"order_lines": [' }).waitFor({ timeout: 60_000 });
    assert.match(
      await orders.innerText(),
      /"order_lines": \[\s*\{\s*"line_no": 1,\s*"sku": "A-1",\s*"qty": 1\s*\},\s*\{\s*"line_no": 2,\s*"sku": "B-2",\s*"qty": 40\s*\}\s*\]/,
    );
    assert.match(
      await frame.locator('article.collection.skipped[data-table="order_lines"]').innerText(),
      /embedded into orders\.order_lines/,
    );
    assert.match(
      await frame.locator('#plan-status').innerText(),
      /Unsaved plan \(Save writes \.sqlite2mongo\/shop\.plan\.json\)/,
    );
    await frame.locator('article.collection[data-collection="orders"]').scrollIntoViewIfNeeded();
    await docScreenshot(s.page, 'designer-embedded.png');
  });

  it('a lossy type override (REAL price forced to int) shows an inline warning; auto again clears it', async function () {
    const frame = webviewFrame(s.page);
    const products = frame.locator('article.collection[data-collection="products"]');
    await products.locator('details.fields-details summary').click();
    await products.locator('select[data-edit="field-type"][data-column="price"]').selectOption('int');
    const warning = products.locator('li.warning[data-kind="lossy-type"]');
    await warning.waitFor({ timeout: 60_000 });
    assert.match(await warning.innerText(), /products\.price as int: 2 values cannot become int \(e\.g\. "99\.5"\)/);
    assert.match(await frame.locator('#warning-count').innerText(), /1 warning/);
    await products.scrollIntoViewIfNeeded();
    await docScreenshot(s.page, 'designer-warning.png');
    await products.locator('select[data-edit="field-type"][data-column="price"]').selectOption('auto');
    await warning.waitFor({ state: 'detached', timeout: 60_000 });
    assert.match(await frame.locator('#warning-count').innerText(), /no warnings/);
  });

  it('Save writes .sqlite2mongo/shop.plan.json with the embedded lines', async function () {
    const frame = webviewFrame(s.page);
    await frame.locator('#save').click();
    await frame
      .locator('#plan-status', { hasText: 'Saved to .sqlite2mongo/shop.plan.json' })
      .waitFor({ timeout: 30_000 });
    const file = path.join(s.workspace, '.sqlite2mongo', 'shop.plan.json');
    assert.ok(existsSync(file), file);
    const text = readFileSync(file, 'utf8');
    assert.match(text, /^\{\n {2}"version": 1,\n {2}"source": \{\n {4}"file": "shop.db"\n {2}\},/, 'pretty JSON');
    const plan = JSON.parse(text) as MappingPlan;
    const orders = plan.collections.find((c) => c.collection === 'orders');
    assert.deepEqual(
      orders?.embeds?.map((e) => [e.field, e.kind, e.table, e.parentColumns, e.childColumns]),
      [['order_lines', 'array', 'order_lines', ['id'], ['order_id']]],
    );
    assert.ok(!plan.collections.some((c) => c.table === 'order_lines'));
    assert.equal(
      plan.collections.find((c) => c.table === 'products')?.fields.find((f) => f.column === 'price')?.type,
      'auto',
    );
  });

  it('"Migrate…" opens the migration panel, which uses the plan; the migration validates clean and orders hold their lines', async function () {
    await webviewFrame(s.page).locator('#migrate').click();
    await editorTab(s.page, 'Migrate shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    const frame = webviewFrame(s.page);
    const note = frame.locator('#plan-file-note');
    await note.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await note.innerText(), /Using plan \.sqlite2mongo\/shop\.plan\.json/);
    assert.match(
      await frame.locator('#source-tables tr[data-table="order_lines"]').innerText(),
      /embedded into orders\.order_lines/,
    );
    assert.match(
      await frame.locator('.card.collection[data-collection="orders"] pre.json').innerText(),
      /"order_lines": \[/,
    );
    await frame.locator('#url').fill(s.ferret.url);
    await frame.locator('#database').fill(database);
    await frame.locator('#start').click();
    const summary = frame.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded', await summary.innerText());
    assert.match(await summary.innerText(), /Migrated and validated 10 documents/);

    await migrationActivity(s.page).click();
    await validationView(s.page).waitFor({ state: 'visible', timeout: 30_000 });
    for (const [name, n] of [
      ['customers', 3],
      ['products', 3],
      ['orders', 4],
    ] as const) {
      const row = treeRow(s.page, new RegExp(`^${name}$`));
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await row.locator('.label-description').innerText(), `${n} passed`, name);
    }
    assert.equal(await treeRow(s.page, /^order_lines$/).count(), 0, 'order_lines is not a collection');

    const order = await s.mongo
      .db(database)
      .collection<{ _id: number; order_lines?: unknown }>('orders')
      .findOne({ _id: 12 });
    assert.deepEqual(order?.order_lines, [
      { line_no: 1, sku: 'B-2', qty: 5 },
      { line_no: 2, sku: 'A-1', qty: 2 },
      { line_no: 3, sku: 'C-3', qty: 1 },
    ]);
    assert.deepEqual(
      (await s.mongo.db(database).listCollections().toArray())
        .map((c) => c.name)
        .filter((n) => !n.startsWith('_'))
        .sort(),
      ['customers', 'orders', 'products'],
    );
  });
});

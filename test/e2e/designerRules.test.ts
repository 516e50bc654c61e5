/**
 * The mapping designer's rules in the packaged extension (code-server + Chromium, 1440×900): a relationship SQLite
 * does not declare (invoices.customer_id) is suggested with its share of matching values, accepted and embedded;
 * products are embedded in each order line (a nested embed); a computed field shows its expression error inline,
 * then its value in the live preview; a row filter shows what it keeps; the JSON Schema is shown. Save writes all of
 * it to the plan file, and the migration into a FerretDB started here writes it. Screenshots of each state in dark
 * and light go to test-results/e2e/ (docs/images/ with SQLITE2MONGO_UPDATE_SCREENSHOTS=1).
 *
 * Needs `npm run setup:e2e` and `npm run ferretdb`, like the other e2e files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { MappingPlan } from '../../src/core/plan/types';
import { useWorkbench } from '../helpers/e2eSession';
import { uniqueDbName } from '../helpers/mongoServer';
import { SHOP_SCHEMA } from '../helpers/shop';
import { makeDb } from '../helpers/sqliteBuilders';
import { shootBothThemes } from '../helpers/themes';
import { editorTab, migrationActivity, runExplorerMenuEntry, webviewFrame } from '../helpers/workbench';

/** The shop, plus invoices whose customer_id has no FOREIGN KEY clause. */
const SHOP = `${SHOP_SCHEMA}
CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL);
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL), (3, 'Linus', 'l@example.com');
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5), ('B-2', 'Bolt', 0.25), ('C-3', 'Crate', 12.0);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 2, '2024-05-02 11:30:00', NULL);
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'B-2', 40), (11, 1, 'C-3', 3);
INSERT INTO invoices VALUES (1, 1, 10.5), (2, 2, 3.0), (3, 1, 7.25);
`;
const INVOICES = 'invoices(customer_id)->customers';
const LINES = 'order_lines(order_id)->orders';

describe('designer rules: suggestions, nested embeds, computed fields (packaged, in code-server)', function () {
  this.timeout(300_000);
  const database = uniqueDbName('rules');
  const s = useWorkbench('designer-rules-', {
    ferret: true,
    vsix: true,
    viewport: { width: 1440, height: 900 },
    workspace: (dir) => makeDb(path.join(dir, 'shop.db'), SHOP),
  });
  const frame = () => webviewFrame(s.page);
  const card = (collection: string) => frame().locator(`article.collection[data-collection="${collection}"]`);

  it('suggests invoices.customer_id → customers.id with the share of matching values; Accept declares it', async function () {
    await migrationActivity(s.page).waitFor({ state: 'visible', timeout: 60_000 });
    await runExplorerMenuEntry(s.page, 'shop.db', 'Design MongoDB Mapping…');
    await editorTab(s.page, 'Design shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    const suggestion = frame().locator(`li.suggestion[data-suggestion="${INVOICES}"]`);
    await suggestion.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await suggestion.innerText(), /invoices\.customer_id[\s\S]*customers\.id · 100% of 2 values match/);
    await suggestion.scrollIntoViewIfNeeded();
    await shootBothThemes(s, 'designer-suggestion', frame());

    await suggestion.locator('button[data-action="accept-suggestion"]').click();
    const declared = frame().locator(`li.relationship[data-relationship="${INVOICES}"]`);
    await declared.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await declared.innerText(), /declared/);
    assert.equal(await suggestion.count(), 0);
    await declared.locator('select[data-edit="relationship"]').selectOption('array');
    await card('customers').locator('pre.json', { hasText: '"invoices": [' }).waitFor({ timeout: 60_000 });
    assert.match(
      await card('customers').locator('pre.json').first().innerText(),
      /"invoices": \[\s*\{\s*"id": 1,\s*"total": 10\.5\s*\},\s*\{\s*"id": 3,\s*"total": 7\.25\s*\}\s*\]/,
    );
  });

  it("embeds order lines in orders, then each line's product inside the line (a nested embed)", async function () {
    await frame().locator(`li.relationship[data-relationship="${LINES}"] select`).selectOption('array');
    const lines = card('orders').locator('li.embed[data-embed="order_lines"]');
    await lines.waitFor({ state: 'visible', timeout: 60_000 });
    await lines.locator('select.nested-add').selectOption('document|order_lines(sku)->products');
    const nested = card('orders').locator('li.embed.nested[data-embed="order_lines.sku_product"]');
    await nested.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await nested.innerText(), /sku_product[\s\S]*the products row where products\.sku = sku/);
    // The live preview shows each line with its product inside (built by the engine's nested embeds).
    await card('orders').locator('pre.json', { hasText: '"sku_product": {' }).waitFor({ timeout: 60_000 });
    assert.match(
      await card('orders').locator('pre.json').first().innerText(),
      /"line_no": 1,\s*"sku": "A-1",\s*"qty": 1,\s*"sku_product": \{\s*"sku": "A-1",\s*"title": "Anvil",\s*"price": 99\.5\s*\}/,
    );
    await card('orders').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shootBothThemes(s, 'designer-nested', frame());
  });

  it('a computed field shows its expression error inline, then its value in the preview; a filter shows its counts', async function () {
    const customers = card('customers');
    // A card's rules are folded while it has none.
    await customers.locator('details.rules-details summary').click();
    await customers.locator('.new-computed-name').fill('name_upper');
    await customers.locator('.new-computed-expression').fill('upper(name');
    await customers.locator('button[data-action="computed-add"]').click();
    const row = customers.locator('li[data-computed="name_upper"]');
    const error = row.locator('ul.warnings.inline li.error');
    await error.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await error.innerText(), /computed field "name_upper"/);
    await row.locator('.computed-expression').fill('upper(name)');
    await row.locator('.computed-expression').press('Tab');
    await error.waitFor({ state: 'detached', timeout: 60_000 });
    await customers.locator('pre.json', { hasText: '"name_upper": "ADA"' }).waitFor({ timeout: 60_000 });

    const products = card('products');
    await products.locator('details.rules-details summary').click();
    await products.locator('input[data-edit="filter"]').fill('price > 1');
    await products.locator('input[data-edit="filter"]').press('Tab');
    await products.locator('.filter-counts', { hasText: 'keeps 2 rows, skips 1 row' }).waitFor({ timeout: 60_000 });

    await row.evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shootBothThemes(s, 'designer-computed', frame());
    await customers.locator('details.json-schema summary').click();
    const schema = customers.locator('details.json-schema pre.json');
    assert.match(await schema.innerText(), /"name_upper": \{\s*"description": "computed: upper\(name\)"/);
    await customers.locator('details.json-schema summary').evaluate((el) => el.scrollIntoView({ block: 'start' }));
    await shootBothThemes(s, 'designer-schema', frame());
  });

  it('Save writes the declared relationship, the nested embed, the computed field and the filter to the plan', async function () {
    await frame().locator('#save').click();
    await frame()
      .locator('#plan-status', { hasText: 'Saved to .sqlite2mongo/shop.plan.json' })
      .waitFor({ timeout: 30_000 });
    const plan = JSON.parse(
      readFileSync(path.join(s.workspace, '.sqlite2mongo', 'shop.plan.json'), 'utf8'),
    ) as MappingPlan;
    assert.deepEqual(plan.relationships, [
      { table: 'invoices', columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] },
    ]);
    const customers = plan.collections.find((c) => c.collection === 'customers');
    assert.deepEqual(customers?.computed, [{ field: 'name_upper', expression: 'upper(name)' }]);
    assert.deepEqual(
      customers?.embeds?.map((e) => [e.field, e.kind, e.table]),
      [['invoices', 'array', 'invoices']],
    );
    const lines = plan.collections.find((c) => c.collection === 'orders')?.embeds?.[0];
    assert.deepEqual(
      lines?.embeds?.map((e) => [e.field, e.kind, e.table, e.parentColumns, e.childColumns]),
      [['sku_product', 'document', 'products', ['sku'], ['sku']]],
    );
    assert.equal(plan.collections.find((c) => c.collection === 'products')?.filter, 'price > 1');
  });

  it("the migration writes the computed field, the accepted relationship's invoices and each line's product", async function () {
    await frame().locator('#migrate').click();
    await editorTab(s.page, 'Migrate shop.db').waitFor({ state: 'visible', timeout: 30_000 });
    const panel = webviewFrame(s.page);
    await panel.locator('#plan-file-note').waitFor({ state: 'visible', timeout: 60_000 });
    await panel.locator('#url').fill(s.ferret.url);
    await panel.locator('#database').fill(database);
    await panel.locator('#start').click();
    const summary = panel.locator('#summary');
    await summary.waitFor({ state: 'visible', timeout: 120_000 });
    assert.equal(await summary.getAttribute('data-status'), 'succeeded', await summary.innerText());

    const db = s.mongo.db(database);
    const ada = await db
      .collection<{ _id: number; name_upper?: string; invoices?: unknown }>('customers')
      .findOne({ _id: 1 });
    assert.equal(ada?.name_upper, 'ADA');
    assert.deepEqual(ada?.invoices, [
      { id: 1, total: 10.5 },
      { id: 3, total: 7.25 },
    ]);
    const order = await db.collection<{ _id: number; order_lines?: unknown }>('orders').findOne({ _id: 11 });
    assert.deepEqual(order?.order_lines, [
      { line_no: 1, sku: 'C-3', qty: 3, sku_product: { sku: 'C-3', title: 'Crate', price: 12 } },
    ]);
    assert.deepEqual(
      (await db.collection<{ _id: string }>('products').find().sort({ _id: 1 }).toArray()).map((p) => p._id),
      ['A-1', 'C-3'],
    );
  });
});

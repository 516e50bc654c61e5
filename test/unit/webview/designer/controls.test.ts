/**
 * The designer's controls for suggested relationships, computed fields, row filters, `_id` rules, dates, plan-wide
 * options, nested embeds, junction sub-documents and the JSON Schema (happy-dom): each renders from a design the
 * real engine (DesignSession) made, and a click or change sends exactly one edit.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DesignSession, type DesignState, type PlanEdit } from '../../../../src/core';
import {
  FromDesigner,
  ToDesigner,
  type FromDesignerMessage,
  type ToDesignerMessage,
} from '../../../../src/webview/designer/protocol';
import type { DesignerViewState } from '../../../../src/webview/designer/state';
import { SHOP_ROWS, SHOP_SCHEMA } from '../../../helpers/shop';
import { cleanupTempDirs, makeDb, tempDir } from '../../../helpers/sqliteBuilders';
import { loadWebview, type WebviewPage } from '../harness';

const MAIN = path.join(__dirname, '../../../../src/webview/designer/main.ts');
type Page = WebviewPage<FromDesignerMessage, ToDesignerMessage, DesignerViewState>;

const DB = `${SHOP_SCHEMA}${SHOP_ROWS}CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER, total REAL, issued INTEGER);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE product_tags (sku TEXT REFERENCES products(sku), tag_id INTEGER REFERENCES tags(id), PRIMARY KEY (sku, tag_id));
INSERT INTO invoices VALUES (1, 1, 10.5, 1700000000), (2, 2, 3.0, 1710000000), (3, 1, 7.25, 1720000000);
INSERT INTO tags VALUES (1, 'heavy'), (2, 'small');
INSERT INTO product_tags VALUES ('A-1', 1), ('B-2', 2);
`;

describe('designer controls (DOM)', function () {
  this.timeout(60_000);
  let session: DesignSession;
  let base: DesignState;
  let page: Page;

  const design = (from: DesignState, edit: PlanEdit, evaluateExpressions = true) =>
    session.design({ plan: from.plan, edit, evaluateExpressions });

  before(async () => {
    const file = path.join(tempDir('s2m-designer-controls-'), 'shop.db');
    makeDb(file, DB);
    session = await DesignSession.open(file);
    base = await session.design({});
  });
  after(() => {
    session.close();
    cleanupTempDirs();
  });
  afterEach(() => page?.close());

  function show(d: DesignState): Page {
    page = loadWebview<FromDesignerMessage, ToDesignerMessage, DesignerViewState>(MAIN);
    page.send({
      type: ToDesigner.init,
      sourcePath: 'shop.db',
      planFile: '.sqlite2mongo/shop.plan.json',
      planFileExists: false,
    });
    page.send({ type: ToDesigner.design, requestId: 0, ok: true, design: d, dirty: false });
    return page;
  }

  /** The edit of the last message posted (which must be an edit). */
  function lastEdit(): PlanEdit {
    const m = page.posted.at(-1);
    assert.ok(m?.type === FromDesigner.edit, `expected an edit, got ${JSON.stringify(m)}`);
    return m.edit;
  }

  /** Answers the pending edit so the next click is taken (clicks wait while an edit runs). */
  function answer(d: DesignState): void {
    const m = page.posted.at(-1) as { requestId: number };
    page.send({ type: ToDesigner.design, requestId: m.requestId, ok: true, design: d, dirty: true });
  }

  it('shows a suggested relationship with its share of matching values; Accept and Reject send their edits', () => {
    show(base);
    const item = page.$('li.suggestion[data-suggestion="invoices(customer_id)->customers"]');
    assert.match(item.textContent ?? '', /invoices\.customer_id.*customers\.id · 100% of 2 values match/);
    item.querySelector<HTMLButtonElement>('button[data-action="accept-suggestion"]')!.click();
    assert.deepEqual(lastEdit(), {
      kind: 'declareRelationship',
      relationship: { table: 'invoices', columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] },
    });
    answer(base);
    page.$<HTMLButtonElement>('li.suggestion button[data-action="reject-suggestion"]').click();
    assert.deepEqual(lastEdit(), { kind: 'rejectRelationship', id: 'invoices(customer_id)->customers' });
  });

  it("an accepted relationship is listed as declared, with Undeclare; the declare form sends the user's own", async () => {
    const accepted = await design(base, {
      kind: 'declareRelationship',
      relationship: { table: 'invoices', columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] },
    });
    show(accepted);
    assert.equal(page.$$('li.suggestion').length, 0);
    const rel = page.$('li.relationship[data-relationship="invoices(customer_id)->customers"]');
    assert.match(rel.textContent ?? '', /declared/);
    rel.querySelector<HTMLButtonElement>('button[data-action="undeclare-relationship"]')!.click();
    assert.deepEqual(lastEdit(), { kind: 'undeclareRelationship', id: 'invoices(customer_id)->customers' });
    answer(accepted);
    page.choose('#declare-from', JSON.stringify(['order_lines', 'sku']));
    page.choose('#declare-to', JSON.stringify(['products', 'sku']));
    page.$<HTMLButtonElement>('button[data-action="declare-relationship"]').click();
    assert.deepEqual(lastEdit(), {
      kind: 'declareRelationship',
      relationship: { table: 'order_lines', columns: ['sku'], refTable: 'products', refColumns: ['sku'] },
    });
  });

  it('computed fields: Add sends name and expression; an expression error shows inline; rows it refuses show under the sample', async () => {
    show(base);
    const card = '#collections-body article[data-collection="orders"]';
    page.type(`${card} .new-computed-name`, 'when');
    page.type(`${card} .new-computed-expression`, 'date(note)');
    assert.equal(page.posted.length, 1, 'typing into the new-field inputs sends nothing');
    page.$<HTMLButtonElement>(`${card} button[data-action="computed-add"]`).click();
    assert.deepEqual(lastEdit(), { kind: 'computed', collection: 'orders', field: 'when', expression: 'date(note)' });
    const added = await design(base, lastEdit());
    answer(added);
    assert.match(
      page.$(`${card} .result.refused`).textContent ?? '',
      /1 of the first 2 rows is refused.*key 10.*date\(\) cannot read text 'first'/,
    );
    page.type(`${card} li[data-computed="when"] .computed-expression`, 'upper(');
    assert.deepEqual(lastEdit(), { kind: 'computed', collection: 'orders', field: 'when', expression: 'upper(' });
    const broken = await design(added, lastEdit());
    answer(broken);
    const inline = page.$(`${card} li[data-computed="when"] ul.warnings.inline li.error`);
    assert.match(inline.textContent ?? '', /computed field "when"/);
    assert.doesNotMatch(
      page
        .$$(`${card} > ul.warnings li`)
        .map((li) => li.textContent)
        .join(' '),
      /computed field/,
      'shown once, next to its field',
    );
    page.$<HTMLButtonElement>(`${card} li[data-computed="when"] button[data-action="computed-remove"]`).click();
    assert.deepEqual(lastEdit(), { kind: 'computed', collection: 'orders', field: 'when' });
  });

  it('in Restricted Mode the computed fields are listed with a note that they are not run', async () => {
    const added = await design(
      base,
      { kind: 'computed', collection: 'orders', field: 'shout', expression: 'upper(note)' },
      false,
    );
    show(added);
    const card = page.$('#collections-body article[data-collection="orders"]');
    assert.match(card.querySelector('.restricted')?.textContent ?? '', /Restricted Mode/);
    assert.equal(
      card.querySelector<HTMLInputElement>('li[data-computed="shout"] .computed-expression')?.value,
      'upper(note)',
    );
    assert.doesNotMatch(card.querySelector('pre.json')?.textContent ?? '', /shout/);
  });

  it('the row filter sends its SQL and shows how many rows it keeps and skips', async () => {
    show(base);
    page.type('input[data-edit="filter"][data-collection="invoices"]', ' total > 5 ');
    assert.deepEqual(lastEdit(), { kind: 'filter', collection: 'invoices', filter: 'total > 5' });
    answer(await design(base, lastEdit()));
    const card = page.$('#collections-body article[data-collection="invoices"]');
    assert.equal(card.querySelector('.filter-counts')?.textContent, 'keeps 2 rows, skips 1 row');
    assert.match(card.querySelector('.collection-head')?.textContent ?? '', /2 documents/);
  });

  it('the _id rule, epoch dates and plan-wide options send their edits', async () => {
    show(base);
    const id = page.$<HTMLSelectElement>('select[data-edit="id-rule"][data-table="customers"]');
    assert.deepEqual(
      Array.from(id.options).map((o) => o.value),
      ['column:id', 'column:name', 'column:email', 'rowid'],
    );
    page.choose('select[data-edit="id-rule"][data-table="customers"]', 'rowid');
    assert.deepEqual(lastEdit(), { kind: 'id', table: 'customers', rule: 'rowid' });
    page.choose('select[data-edit="id-rule"][data-table="customers"]', 'column:email');
    assert.deepEqual(lastEdit(), { kind: 'id', table: 'customers', rule: 'column', column: 'email' });
    assert.ok(page.$('select[data-edit="id-rule"][data-table="order_lines"] option[value="composite"]'));

    const dated = await design(base, { kind: 'column', table: 'invoices', column: 'issued', type: 'date' });
    answer(dated);
    page.choose('select[data-edit="field-epoch"][data-column="issued"]', 'seconds');
    assert.deepEqual(lastEdit(), { kind: 'column', table: 'invoices', column: 'issued', epoch: 'seconds' });

    page.type('input[data-edit="option-timezone"]', 'Europe/Paris');
    assert.deepEqual(lastEdit(), { kind: 'options', timezone: 'Europe/Paris' });
    assert.ok(page.$$('#zone-names option').length > 1, 'zone names are suggested');
    page.choose('select[data-edit="option-nulls"]', 'omit');
    assert.deepEqual(lastEdit(), { kind: 'options', nulls: 'omit' });
    page.choose('select[data-edit="option-naming"]', 'camelCase');
    assert.deepEqual(lastEdit(), { kind: 'options', naming: 'camelCase' });
  });

  it('an embed offers embeds inside it; a nested embed shows indented with Remove', async () => {
    const lines = await design(base, { kind: 'relationship', id: 'order_lines(order_id)->orders', mode: 'array' });
    show(lines);
    const select = page.$<HTMLSelectElement>('li.embed[data-embed="order_lines"] select.nested-add');
    assert.deepEqual(
      Array.from(select.options).map((o) => o.value),
      ['', 'document|order_lines(sku)->products'],
    );
    page.choose('li.embed[data-embed="order_lines"] select.nested-add', 'document|order_lines(sku)->products');
    assert.deepEqual(lastEdit(), {
      kind: 'nestedEmbed',
      collection: 'orders',
      path: ['order_lines'],
      id: 'order_lines(sku)->products',
      as: 'document',
    });
    answer(await design(lines, lastEdit()));
    const nested = page.$(
      'li.embed[data-embed="order_lines"] ul.embeds.nested li.embed.nested[data-embed="order_lines.sku_product"]',
    );
    assert.match(nested.textContent ?? '', /sku_product.*the products row where products\.sku = sku/);
    nested.querySelector<HTMLButtonElement>('button[data-action="nested-remove"]')!.click();
    assert.deepEqual(lastEdit(), {
      kind: 'removeNestedEmbed',
      collection: 'orders',
      path: ['order_lines', 'sku_product'],
    });
  });

  it('a junction array switches to sub-documents; the JSON Schema is shown per collection', () => {
    show(base);
    const array = page.$('article[data-collection="products"] li.array');
    const field = array.getAttribute('data-array')!;
    page.choose(`article[data-collection="products"] li.array select[data-edit="junction-documents"]`, 'documents');
    assert.deepEqual(lastEdit(), { kind: 'junctionDocuments', collection: 'products', field, documents: true });
    const schema = page.$<HTMLDetailsElement>('article[data-collection="customers"] details.json-schema');
    assert.match(schema.querySelector('summary')?.textContent ?? '', /JSON Schema/);
    assert.equal(schema.querySelector('pre.json'), null, 'built when opened, not on every redraw');
    schema.querySelector<HTMLElement>('summary')!.click();
    assert.equal(schema.open, true);
    assert.match(
      schema.querySelector('pre.json')?.textContent ?? '',
      /"\$jsonSchema"[\s\S]*"required": \[\s*"_id",\s*"name"/,
    );
  });
});

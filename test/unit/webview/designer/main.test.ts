/**
 * The mapping designer's page in a DOM (happy-dom): what it shows before and after a design, and the edits a
 * change sends. The design comes from the real engine (DesignSession) over a small shop database.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DesignSession, type DesignState } from '../../../../src/core';
import {
  FromDesigner,
  ToDesigner,
  type FromDesignerMessage,
  type ToDesignerMessage,
} from '../../../../src/webview/designer/protocol';
import type { DesignerViewState } from '../../../../src/webview/designer/state';
import { makeShopDb, ONE_ORDER } from '../../../helpers/shop';
import { cleanupTempDirs } from '../../../helpers/sqliteBuilders';
import { loadWebview, type WebviewPage } from '../harness';

const MAIN = path.join(__dirname, '../../../../src/webview/designer/main.ts');
const LINES = 'order_lines(order_id)->orders';
type State = DesignerViewState & { openFields?: string[] };
type Page = WebviewPage<FromDesignerMessage, ToDesignerMessage, State>;

describe('designer page (DOM)', function () {
  this.timeout(30_000);
  let file: string;
  let design: DesignState;
  let page: Page;

  before(async () => {
    file = makeShopDb('s2m-designer-dom-', ONE_ORDER);
    const session = await DesignSession.open(file);
    design = await session.design({});
    session.close();
  });
  after(cleanupTempDirs);
  afterEach(() => page?.close());

  function open(restored?: State): Page {
    page = loadWebview<FromDesignerMessage, ToDesignerMessage, State>(MAIN, restored);
    page.send({
      type: ToDesigner.init,
      sourcePath: file,
      planFile: '.sqlite2mongo/shop.plan.json',
      planFileExists: false,
    });
    return page;
  }

  it('says ready, shows "Updating…" until the first design, then the schema and one card per table', () => {
    open();
    assert.deepEqual(page.posted[0], { type: FromDesigner.ready, restored: false, plan: undefined, dirty: undefined });
    assert.match(page.$('#plan-status').textContent ?? '', /Updating/);
    page.send({ type: ToDesigner.design, requestId: 0, ok: true, design, dirty: false });
    assert.equal(page.$('#plan-status').textContent, 'Default plan');
    assert.deepEqual(
      page
        .$$('#collections-body article[data-table]')
        .map((a) => a.getAttribute('data-table'))
        .sort(),
      ['customers', 'order_lines', 'orders', 'products'],
    );
    assert.ok(page.$(`[data-relationship="${LINES}"] select`));
    assert.equal(page.$<HTMLButtonElement>('#save').disabled, true, 'nothing to save yet');
  });

  it('a relationship change sends one edit and marks the cards stale until the answer', () => {
    open();
    page.send({ type: ToDesigner.design, requestId: 0, ok: true, design, dirty: false });
    page.choose(`[data-relationship="${LINES}"] select`, 'array');
    const edit = page.posted.at(-1);
    assert.ok(edit?.type === FromDesigner.edit);
    assert.deepEqual(edit.edit, { kind: 'relationship', id: LINES, mode: 'array' });
    assert.ok(page.$('#collections-body').classList.contains('stale'));
    // The answer brings the collection the lines went into (orders) into view, marked for a moment.
    page.send({
      type: ToDesigner.design,
      requestId: (edit as { requestId: number }).requestId,
      ok: true,
      design,
      dirty: true,
    });
    assert.ok(page.$('#collections-body article[data-table="orders"]').classList.contains('flash'));
    assert.equal(page.$('#plan-status').title, 'Unsaved plan (Save writes .sqlite2mongo/shop.plan.json)');
    page.choose('input[data-edit="field-name"][data-table="orders"][data-column="note"]', 'remark');
    const rename = page.posted.at(-1);
    assert.ok(rename?.type === FromDesigner.edit);
    assert.deepEqual(rename.edit, { kind: 'column', table: 'orders', column: 'note', field: 'remark' });
  });

  it('a tab shown again shows its restored design at once (no "Updating…"), and Save sends save', () => {
    open();
    page.send({ type: ToDesigner.design, requestId: 0, ok: true, design, dirty: true });
    const restored = page.state();
    page.close();
    open(restored);
    assert.equal(page.posted[0].type, FromDesigner.ready);
    assert.doesNotMatch(page.$('#plan-status').textContent ?? '', /Updating/);
    assert.equal(page.$$('#collections-body article[data-table]').length, 4);
    page.$<HTMLButtonElement>('#save').click();
    assert.equal(page.posted.at(-1)?.type, FromDesigner.save);
    page.send({ type: ToDesigner.saved, requestId: 1, ok: true, planFile: '.sqlite2mongo/shop.plan.json' });
    assert.equal(page.$('#plan-status').textContent, 'Saved to .sqlite2mongo/shop.plan.json');
  });
});

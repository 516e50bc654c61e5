/**
 * The migration panel's page in a DOM (happy-dom): what it shows in each state, and the messages a click sends.
 * The inspection comes from the real engine over a small shop database.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { inspectSource, type SourceInspection, type StepName } from '../../../../src/core';
import { FromPanel, ToPanel, type FromPanelMessage, type ToPanelMessage } from '../../../../src/webview/panel/protocol';
import type { ViewState } from '../../../../src/webview/panel/state';
import { sampleCollection, sampleReport } from '../../../helpers/reports';
import { makeShopDb } from '../../../helpers/shop';
import { cleanupTempDirs } from '../../../helpers/sqliteBuilders';
import { loadWebview, type WebviewPage } from '../harness';

const MAIN = path.join(__dirname, '../../../../src/webview/panel/main.ts');
type Page = WebviewPage<FromPanelMessage, ToPanelMessage, ViewState>;

const DEFAULTS = {
  batchSize: 1000,
  ifExists: 'ask',
  onError: 'stop',
  nulls: 'keep',
  detectTextDates: true,
  timezone: 'UTC',
  connectTimeoutSeconds: 10,
} as const;
const INIT = {
  recentTargets: [],
  defaultDatabase: 'shop',
  defaultOutputFile: '/tmp/shop.ndjson',
  historyCollection: '_sqlite2mongo_migrations',
};

function lastOf<K extends FromPanelMessage['type']>(page: Page, type: K): Extract<FromPanelMessage, { type: K }> {
  const m = [...page.posted].reverse().find((x) => x.type === type);
  assert.ok(m, `the page posted no ${type} (posted: ${page.posted.map((x) => x.type).join(', ')})`);
  return m as Extract<FromPanelMessage, { type: K }>;
}

describe('migration panel page (DOM)', function () {
  this.timeout(30_000);
  let file: string;
  let inspection: SourceInspection;
  let page: Page;

  before(async () => {
    file = makeShopDb(
      's2m-panel-dom-',
      `
      INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com');
      INSERT INTO orders VALUES (10, 1, '1969-07-20 20:17:00', 'moon');
      INSERT INTO order_lines VALUES (10, 1, 'A-1', 2);
      CREATE VIEW big_orders AS SELECT * FROM orders;`,
    );
    inspection = await inspectSource(file);
  });
  after(cleanupTempDirs);
  afterEach(() => page?.close());

  /** A fresh panel: ready → init → the inspection it asked for. */
  function openPanel(restored?: ViewState): Page {
    page = loadWebview<FromPanelMessage, ToPanelMessage, ViewState>(MAIN, restored);
    page.send({ type: ToPanel.init, sourcePath: file, defaults: { ...DEFAULTS }, ...INIT });
    page.send({ type: ToPanel.inspection, requestId: lastOf(page, FromPanel.inspect).requestId, ok: true, inspection });
    return page;
  }

  /** The host says a run started (steps of a full migration unless given). */
  function runStarted(runId: number, steps: StepName[] = ['export', 'import', 'indexes', 'validate']): void {
    page.send({ type: ToPanel.runStarted, runId, steps, target: { host: '127.0.0.1:9', database: 'shop' } });
  }

  it('says ready first, then asks for the inspection with the plan settings', () => {
    page = loadWebview<FromPanelMessage, ToPanelMessage, ViewState>(MAIN);
    assert.deepEqual(page.posted, [{ type: FromPanel.ready, restored: false }]);
    page.send({ type: ToPanel.init, sourcePath: file, defaults: { ...DEFAULTS }, ...INIT });
    assert.deepEqual(lastOf(page, FromPanel.inspect).plan, {
      nulls: 'keep',
      detectTextDates: true,
      timezone: 'UTC',
      includeViews: false,
    });
    assert.match(page.$('#source-body').textContent ?? '', /Reading tables/);
    assert.equal(page.$<HTMLButtonElement>('#start').disabled, true);
  });

  it('shows the tables and the plan, and Start sends the form as a run request', () => {
    openPanel();
    const rows = page.$$('#source-tables tbody tr').map((tr) => tr.getAttribute('data-table'));
    assert.deepEqual(rows.sort(), ['customers', 'order_lines', 'orders', 'products']);
    assert.equal(page.$$('#plan-body .card.collection').length, inspection.plan.collections.length);
    assert.equal(page.$<HTMLInputElement>('#database').value, 'shop');
    page.type('#url', 'mongodb://127.0.0.1:27017');
    page.choose('#dryRun', true);
    const start = page.$<HTMLButtonElement>('#start');
    assert.equal(start.disabled, false);
    assert.match(start.textContent ?? '', /Start dry run/);
    start.click();
    const { request } = lastOf(page, FromPanel.start);
    assert.deepEqual(
      { url: request.url, database: request.database, dryRun: request.dryRun, ifExists: request.ifExists },
      { url: 'mongodb://127.0.0.1:27017', database: 'shop', dryRun: true, ifExists: 'ask' },
    );
  });

  it('Test connection sends the URL and database, and shows a failure with its hint', () => {
    openPanel();
    page.$<HTMLButtonElement>('#test').click();
    const test = lastOf(page, FromPanel.testConnection);
    assert.deepEqual(
      { url: test.url, database: test.database, timeoutMs: test.timeoutMs },
      { url: 'mongodb://localhost:27017', database: 'shop', timeoutMs: 10_000 },
    );
    page.send({
      type: ToPanel.connectionResult,
      requestId: test.requestId,
      ok: false,
      error: { code: 'TARGET_UNREACHABLE', message: 'Cannot reach localhost:27017.', hint: 'Is mongod running?' },
    });
    const alert = page.$('#connection-result [role=alert]');
    assert.match(alert.textContent ?? '', /Cannot reach localhost:27017\..*Is mongod running\?/s);
  });

  it('shows a run step by step, and a failed run as its error alone', () => {
    openPanel();
    runStarted(1);
    assert.equal(page.$('#run').hidden, false);
    page.send({
      type: ToPanel.runEvent,
      runId: 1,
      event: { type: 'step-start', step: 'export', index: 1, total: 4, label: 'Exporting', totalItems: 10 },
    });
    page.send({
      type: ToPanel.runEvent,
      runId: 1,
      event: { type: 'progress', step: 'export', done: 4, total: 10, ratePerSec: 2 },
    });
    assert.equal(page.$('[data-step=export]').getAttribute('data-status'), 'running');
    assert.equal(page.$('[data-step=export] [role=progressbar]').getAttribute('aria-valuenow'), '40');
    page.$<HTMLButtonElement>('#cancel').click();
    assert.equal(lastOf(page, FromPanel.cancel).type, 'cancel');
    page.send({
      type: ToPanel.runFinished,
      runId: 1,
      ok: false,
      error: { code: 'TARGET_UNREACHABLE', message: 'Cannot reach 127.0.0.1:9.', hint: 'Start the server.' },
    });
    assert.match(
      page.$('#run-summary [role=alert]').textContent ?? '',
      /Cannot reach 127\.0\.0\.1:9\..*Start the server\./s,
    );
  });

  it('a plan of more than three collections starts as one-line cards; a table link opens and shows its card', () => {
    openPanel();
    const cards = page.$$<HTMLDetailsElement>('#plan-body details.card');
    assert.equal(cards.length, 4);
    assert.ok(
      cards.every((c) => !c.open),
      'all collapsed',
    );
    assert.match(page.$('#card-orders summary').textContent ?? '', /orders ← orders · 1 row · 3 fields · 1 index/);
    page.$<HTMLAnchorElement>('#source-tables tr[data-table="orders"] a[data-jump]').click();
    assert.equal(page.$<HTMLDetailsElement>('#card-orders').open, true);
    assert.ok(page.$('#card-orders').classList.contains('flash'));
    // Dates before 1970 read as ISO text like any other.
    assert.match(page.$('#card-orders pre.json').textContent ?? '', /"placed_at": "1969-07-20T20:17:00\.000Z"/);
    page.$<HTMLButtonElement>('#expandAll').click();
    assert.ok(page.$$<HTMLDetailsElement>('#plan-body details.card').every((c) => c.open));
    page.$<HTMLButtonElement>('#collapseAll').click();
    assert.ok(page.$$<HTMLDetailsElement>('#plan-body details.card').every((c) => !c.open));
    page.type('#planFilter', 'line');
    assert.deepEqual(
      page.$$('#plan-body details.card').map((c) => c.getAttribute('data-collection')),
      ['order_lines'],
    );
  });

  it('names views once, with the option that includes them; ticking it asks for a plan with views', () => {
    openPanel();
    assert.match(page.$('#views-note').textContent ?? '', /1 view, not migrated: big_orders\. Tick “Include views”/);
    assert.doesNotMatch(page.$('#plan-body').textContent ?? '', /big_orders/);
    page.choose('#includeViews', true);
    assert.equal(lastOf(page, FromPanel.inspect).plan.includeViews, true);
  });

  it('connecting shows the server and the time so far; an early failure is its error alone', () => {
    openPanel();
    runStarted(7);
    const status = page.$('#run-status');
    assert.equal(status.dataset.phase, 'connecting');
    assert.match(status.textContent ?? '', /^Connecting to 127\.0\.0\.1:9… 0 s \(waits up to 10 s/);
    assert.equal(page.$<HTMLButtonElement>('#cancel').hidden, false);
    page.$<HTMLButtonElement>('#cancel').click();
    assert.equal(lastOf(page, FromPanel.cancel).type, FromPanel.cancel);
    page.send({
      type: ToPanel.runFinished,
      runId: 7,
      ok: false,
      error: {
        code: 'TARGET_UNREACHABLE',
        message: 'No MongoDB server answered at 127.0.0.1:9 within 10 s.',
        hint: 'Check the host and port.',
      },
    });
    assert.equal(page.$$('#steps').length, 0, 'no table of steps that never ran');
    assert.match(page.$('#run-error').textContent ?? '', /No MongoDB server answered.*Check the host and port\./s);
  });

  it('says one row and one document in the singular (source, plan, steps and summary)', () => {
    openPanel();
    assert.match(
      page.$('#plan-body details.card[data-collection="customers"] summary').textContent ?? '',
      / · 1 row · /,
    );
    runStarted(1, ['import']);
    page.send({
      type: ToPanel.runEvent,
      runId: 1,
      event: { type: 'step-start', step: 'import', index: 1, total: 1, label: 'Importing', totalItems: 1 },
    });
    page.send({
      type: ToPanel.runEvent,
      runId: 1,
      event: { type: 'step-end', step: 'import', index: 1, durationMs: 5, done: 1 },
    });
    assert.match(page.$('[data-step=import] .step-detail').textContent ?? '', /^1 document in 5 ms/);
    const report = { ...sampleReport(), status: 'cancelled' as const };
    report.totals.imported = 1;
    report.collections = [sampleCollection({ collection: 'customers', table: 'customers', imported: 1 })];
    page.send({ type: ToPanel.runFinished, runId: 1, ok: true, report });
    assert.match(page.$('#run-summary').textContent ?? '', /Cancelled\. 1 document had been written/);
  });

  it('a finished run goes away when the target or the plan changes, and at Start', () => {
    openPanel();
    const finish = (runId: number) => {
      runStarted(runId, ['export']);
      page.send({
        type: ToPanel.runFinished,
        runId,
        ok: false,
        error: { code: 'TARGET_UNREACHABLE', message: 'unreachable' },
      });
      assert.equal(page.$('#run').hidden, false);
    };
    finish(1);
    page.type('#database', 'shop2');
    assert.equal(page.$('#run').hidden, true, 'target changed');
    finish(2);
    page.choose('#nulls', 'omit');
    assert.equal(page.$('#run').hidden, true, 'plan setting changed');
    finish(3);
    page.send({ type: ToPanel.planChanged });
    assert.equal(page.$('#run').hidden, true, 'designer saved a plan');
    finish(4);
    // The host answers every inspection in order.
    for (const m of page.posted)
      if (m.type === FromPanel.inspect)
        page.send({ type: ToPanel.inspection, requestId: m.requestId, ok: true, inspection });
    page.$<HTMLButtonElement>('#start').click();
    assert.equal(page.$('#run').hidden, true, 'Start clears the previous result at once');
  });
});

/**
 * The designer's long-lived engine worker (dist/engineWorker.js, so `npm run build` first): every edit of one file
 * goes to the same worker thread, answers come back in order, and closing the designer ends the worker.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DesignSessionClient } from '../../../src/extension/engine/designSession';
import { makeShopDb, ONE_ORDER } from '../../helpers/shop';
import { cleanupTempDirs } from '../../helpers/sqliteBuilders';

const WORKER = path.join(__dirname, '../../../dist/engineWorker.js');
const LINES = 'order_lines(order_id)->orders';

describe('DesignSessionClient (engine worker)', function () {
  this.timeout(60_000);
  let file: string;
  before(function () {
    assert.ok(existsSync(WORKER), `${WORKER} is missing: run npm run build`);
    file = makeShopDb('s2m-session-', ONE_ORDER);
  });
  after(cleanupTempDirs);

  it('answers every edit from one worker, in order, and stops it on dispose', async () => {
    const session = new DesignSessionClient(WORKER, file);
    try {
      const first = await session.design({});
      const thread = session.threadId;
      assert.ok(thread, 'a worker runs');
      // Two edits asked at once: answered in the order asked, each on the plan it was given.
      const [embedded, referenced] = await Promise.all([
        session.design({ plan: first.plan, edit: { kind: 'relationship', id: LINES, mode: 'array' } }),
        session.design({ plan: first.plan, edit: { kind: 'relationship', id: LINES, mode: 'reference' } }),
      ]);
      assert.ok(!embedded.plan.collections.some((c) => c.collection === 'order_lines'));
      assert.ok(referenced.plan.collections.some((c) => c.collection === 'order_lines'));
      assert.equal(session.threadId, thread, 'the same worker answered every edit');
      const pending = session.design({ plan: embedded.plan });
      session.dispose();
      await assert.rejects(pending, (e: Error & { code?: string }) => e.code === 'CANCELLED');
      assert.equal(session.threadId, undefined);
      await assert.rejects(session.design({}), (e: Error & { code?: string }) => e.code === 'CANCELLED');
    } finally {
      session.dispose();
    }
  });

  it('reports a file that cannot be read as the engine error, and keeps the worker', async () => {
    const session = new DesignSessionClient(WORKER, path.join(path.dirname(file), 'missing.db'));
    try {
      await assert.rejects(session.design({}), (e: Error & { code?: string }) => e.code === 'SOURCE_NOT_FOUND');
      const thread = session.threadId;
      await assert.rejects(session.design({}), (e: Error & { code?: string }) => e.code === 'SOURCE_NOT_FOUND');
      assert.equal(session.threadId, thread);
    } finally {
      session.dispose();
    }
  });
});

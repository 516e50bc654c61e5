/** The designer's session: the file opened once for many edits, and opened again when it changes on disk. */
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { DesignSession } from '../../../src/core';
import { makeShopDb } from '../../helpers/shop';
import { cleanupTempDirs, py } from '../../helpers/sqliteBuilders';

const LINES = 'order_lines(order_id)->orders';

describe('DesignSession', () => {
  let file: string;
  beforeEach(() => {
    file = makeShopDb(
      's2m-design-',
      `
      INSERT INTO orders VALUES (10, NULL, '2024-05-01 10:00:00', 'first');
      INSERT INTO order_lines VALUES (10, 1, 'A-1', 2), (10, 2, 'B-2', 5);`,
    );
  });
  after(cleanupTempDirs);

  it('applies edits one after another on the same open file', async () => {
    const session = await DesignSession.open(file);
    try {
      const first = await session.design({});
      assert.ok(first.plan.collections.some((c) => c.collection === 'order_lines'));
      const embedded = await session.design({
        plan: first.plan,
        edit: { kind: 'relationship', id: LINES, mode: 'array' },
      });
      assert.ok(
        !embedded.plan.collections.some((c) => c.collection === 'order_lines'),
        'order_lines folded into orders',
      );
      assert.deepEqual(
        (JSON.parse(embedded.samples.orders) as { order_lines: Array<{ qty: number }> }).order_lines.map((l) => l.qty),
        [2, 5],
      );
      const back = await session.design({
        plan: embedded.plan,
        edit: { kind: 'relationship', id: LINES, mode: 'reference' },
      });
      assert.deepEqual(
        back.plan.collections.map((c) => c.collection).sort(),
        first.plan.collections.map((c) => c.collection).sort(),
      );
    } finally {
      session.close();
    }
  });

  it('reads the file again when it changed on disk', async () => {
    const session = await DesignSession.open(file);
    try {
      const before = await session.design({});
      assert.equal(before.schema.tables.find((t) => t.name === 'orders')?.rowCount, 1);
      py(
        `import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute("INSERT INTO orders VALUES (11, NULL, '2024-05-02', 'second')")\nc.commit()`,
        file,
      );
      // Same second, same size is possible on a fast machine: move the clock so the change is visible to stat.
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      const after = await session.design({ plan: before.plan });
      assert.equal(after.schema.tables.find((t) => t.name === 'orders')?.rowCount, 2);
    } finally {
      session.close();
    }
  });
});

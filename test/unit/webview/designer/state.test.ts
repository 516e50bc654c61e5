/** The mapping designer's state helpers (browser code without a DOM). */
import assert from 'node:assert/strict';
import type { PlanWarning } from '../../../../src/core/plan/warnings';
import {
  junctionOptions,
  planStatus,
  relationshipOptions,
  warningCounts,
  warningsByCollection,
} from '../../../../src/webview/designer/state';

describe('designer state', () => {
  it('words the relationship choices with the tables; no "keep" variant for a self-reference', () => {
    assert.deepEqual(
      relationshipOptions({ child: 'order_lines', parent: 'orders', columns: ['order_id'] }).map(([m]) => m),
      ['reference', 'array', 'array-keep', 'document', 'merge'],
    );
    assert.deepEqual(relationshipOptions({ child: 'order_lines', parent: 'orders', columns: ['order_id'] })[1], [
      'array',
      'Embedded array in orders',
    ]);
    assert.deepEqual(
      relationshipOptions({ child: 'staff', parent: 'staff', columns: ['manager_id'] }).map(([m]) => m),
      ['reference', 'array', 'document', 'merge'],
    );
    // A self-reference is worded by what its column points to, not "staff in staff".
    assert.equal(
      relationshipOptions({ child: 'staff', parent: 'staff', columns: ['manager_id'] })[2][1],
      'Embedded document: the staff row manager_id points to (e.g. the manager)',
    );
    assert.deepEqual(junctionOptions({ table: 'product_tags', owner: 'products', other: 'tags' })[1], [
      'other',
      'Array of products ids in tags',
    ]);
  });

  it('groups warnings by collection, errors first, plan-wide ones under ""', () => {
    const w = (severity: PlanWarning['severity'], collection?: string): PlanWarning => ({
      kind: severity === 'error' ? 'problem' : 'lossy-type',
      severity,
      collection,
      message: `${severity} ${collection}`,
    });
    const map = warningsByCollection([w('warning', 'orders'), w('error', 'orders'), w('error')]);
    assert.deepEqual(
      map.get('orders')?.map((x) => x.severity),
      ['error', 'warning'],
    );
    assert.equal(map.get('')?.length, 1);
    assert.deepEqual(warningCounts([w('warning', 'a'), w('error', 'b'), w('warning', 'c')]), {
      errors: 1,
      warnings: 2,
    });
  });

  it('says whether the plan is saved', () => {
    const base = { planFile: '.sqlite2mongo/shop.plan.json', savedMessage: undefined };
    assert.equal(planStatus({ ...base, dirty: false, planFileExists: false }), 'Default plan');
    assert.equal(
      planStatus({ ...base, dirty: true, planFileExists: false }),
      'Unsaved plan (Save writes .sqlite2mongo/shop.plan.json)',
    );
    assert.equal(
      planStatus({ ...base, dirty: true, planFileExists: true }),
      'Unsaved changes to .sqlite2mongo/shop.plan.json',
    );
    assert.equal(planStatus({ ...base, dirty: false, planFileExists: true }), 'Plan .sqlite2mongo/shop.plan.json');
  });
});

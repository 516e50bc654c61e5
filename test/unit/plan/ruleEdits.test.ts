/** Designer edits for filters, computed fields and declared relationships; what Restricted Mode previews. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DesignSession } from '../../../src/core/design';
import { applyRuleEdit, computedFieldCount, relationshipKey, withoutComputed } from '../../../src/core/plan/ruleEdits';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const DB = `
  CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name TEXT, last_name TEXT, deleted_at TEXT);
  CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER, note TEXT);
  INSERT INTO customers VALUES (1, 'Ada', 'Lovelace', NULL), (2, 'Old', 'Row', '2020-01-01');
  INSERT INTO orders VALUES (10, 1, 'x'), (11, 1, 'y');`;

describe('rule edits in the designer', () => {
  let session: DesignSession;
  before(async () => {
    const file = path.join(tempDir(), 'rules.db');
    makeDb(file, DB);
    session = await DesignSession.open(file);
  });
  after(() => {
    session.close();
    cleanupTempDirs();
  });

  it('accepting a suggestion declares the relationship; it is then offered for embedding; rejecting hides it', async () => {
    const first = await session.design({});
    const suggestion = first.suggestions.find((s) => s.table === 'orders');
    assert.ok(suggestion, 'orders.customer_id → customers is suggested');
    assert.equal(first.relationships.length, 0);
    const accepted = await session.design({
      plan: first.plan,
      edit: { kind: 'declareRelationship', relationship: suggestion },
    });
    assert.deepEqual(accepted.plan.relationships?.map(relationshipKey), ['orders(customer_id)->customers']);
    assert.deepEqual(
      accepted.relationships.map((r) => r.id),
      ['orders(customer_id)->customers'],
    );
    assert.equal(accepted.suggestions.length, 0);
    const embedded = await session.design({
      plan: accepted.plan,
      edit: { kind: 'relationship', id: 'orders(customer_id)->customers', mode: 'array' },
    });
    assert.equal(embedded.editError, undefined);
    assert.match(embedded.samples.customers, /"orders": \[/);
    const rejected = await session.design({
      plan: first.plan,
      edit: { kind: 'rejectRelationship', id: 'orders(customer_id)->customers' },
    });
    assert.deepEqual(rejected.plan.rejectedRelationships, ['orders(customer_id)->customers']);
    assert.equal(rejected.suggestions.length, 0);
  });

  it('filters and computed fields show in the sample; Restricted Mode renders the sample without them', async () => {
    const first = await session.design({});
    const filtered = await session.design({
      plan: first.plan,
      edit: { kind: 'filter', collection: 'customers', filter: 'deleted_at IS NOT NULL' },
    });
    assert.match(filtered.samples.customers, /"first_name": "Old"/);
    const computed = await session.design({
      plan: filtered.plan,
      edit: {
        kind: 'computed',
        collection: 'customers',
        field: 'full_name',
        expression: `first_name || ' ' || last_name`,
      },
    });
    assert.match(computed.samples.customers, /"full_name": "Old Row"/);
    assert.equal(computedFieldCount(computed.plan), 1);
    const restricted = await session.design({ plan: computed.plan, evaluateExpressions: false });
    assert.doesNotMatch(restricted.samples.customers, /full_name/);
    assert.equal(computedFieldCount(restricted.plan), 1, 'the plan itself keeps its computed field');
    assert.equal(computedFieldCount(withoutComputed(computed.plan)), 0);
    const removed = applyRuleEdit(computed.plan, { kind: 'computed', collection: 'customers', field: 'full_name' });
    assert.equal(computedFieldCount(removed), 0);
    assert.equal(
      applyRuleEdit(filtered.plan, { kind: 'filter', collection: 'customers', filter: ' ' }).collections[0].filter,
      undefined,
    );
  });

  it('the manifest declares limited support for untrusted workspaces', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
    assert.equal(pkg.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.match(pkg.capabilities.untrustedWorkspaces.description, /computed fields .* shown but not run/);
  });
});

/** The designer's plan edits: relationships, junctions, tables and columns, each giving a new plan. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { designSource } from '../../../src/core/design';
import { applyPlanEdit } from '../../../src/core/plan/edits';
import { designJunctions, designRelationships } from '../../../src/core/plan/mappingModes';
import { checkPlan } from '../../../src/core/plan/check';
import type { MappingPlan } from '../../../src/core/plan/types';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';
import { SHOP_ROWS, SHOP_SCHEMA } from '../../helpers/shop';

const SHOP = `${SHOP_SCHEMA}${SHOP_ROWS}CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
CREATE TABLE product_tags (product_sku TEXT REFERENCES products(sku), tag_id INTEGER REFERENCES tags(id), PRIMARY KEY (product_sku, tag_id));
INSERT INTO tags VALUES (1, 'heavy'), (2, 'small');
INSERT INTO product_tags VALUES ('A-1', 1), ('B-2', 2);
`;

describe('designer plan edits', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'shop.db');
    makeDb(file, SHOP);
  });
  after(cleanupTempDirs);

  const LINES = 'order_lines(order_id)->orders';
  const CUSTOMER = 'orders(customer_id)->customers';

  it('lists foreign keys as references and the junction folded into its owner', async () => {
    const d = await designSource({ file });
    assert.deepEqual(
      d.relationships.map((r) => `${r.id} ${r.mode}`),
      [`${CUSTOMER} reference`, `${LINES} reference`, 'order_lines(sku)->products reference'],
    );
    assert.deepEqual(d.junctions, [{ table: 'product_tags', owner: 'products', other: 'tags', mode: 'owner' }]);
    assert.match(d.samples.orders, /"customer_id": 1/);
  });

  it('order lines → embedded array in orders: the sample shows the lines, order_lines is no longer a collection; back to reference restores it', async () => {
    const d = await designSource({ file, edit: { kind: 'relationship', id: LINES, mode: 'array' } });
    assert.equal(d.editError, undefined);
    assert.deepEqual(
      d.plan.collections.map((c) => c.collection),
      ['customers', 'products', 'orders', 'tags'],
    );
    assert.equal(d.relationships.find((r) => r.id === LINES)?.mode, 'array');
    assert.match(d.samples.orders, /"order_lines": \[\s*\{\s*"line_no": 1,\s*"sku": "A-1",\s*"qty": 1\s*\}/);
    checkPlan(d.plan, d.schema);
    const back = await designSource({
      file,
      plan: d.plan,
      edit: { kind: 'relationship', id: LINES, mode: 'reference' },
    });
    assert.deepEqual(
      back.plan.collections.map((c) => c.collection),
      ['customers', 'products', 'orders', 'order_lines', 'tags'],
    );
    assert.ok(!back.plan.skipped.some((s) => s.table === 'order_lines'));
    assert.doesNotMatch(back.samples.orders, /order_lines/);
  });

  it('array-keep keeps the child collection; document and merge look the parent up', async () => {
    const kept = await designSource({ file, edit: { kind: 'relationship', id: LINES, mode: 'array-keep' } });
    assert.ok(kept.plan.collections.some((c) => c.table === 'order_lines'));
    assert.equal(kept.relationships.find((r) => r.id === LINES)?.mode, 'array-keep');
    const doc = await designSource({ file, edit: { kind: 'relationship', id: CUSTOMER, mode: 'document' } });
    assert.match(doc.samples.orders, /"customer": \{\s*"id": 1,\s*"name": "Ada"/);
    const merged = await designSource({
      file,
      plan: doc.plan,
      edit: { kind: 'relationship', id: CUSTOMER, mode: 'merge' },
    });
    assert.match(merged.samples.orders, /"customers_name": "Ada"/);
    assert.doesNotMatch(merged.samples.orders, /"customer": \{/);
    assert.equal(merged.relationships.find((r) => r.id === CUSTOMER)?.mode, 'merge');
  });

  it('embedding into a table left out is refused with a reason, the plan unchanged', async () => {
    const without = await designSource({ file, edit: { kind: 'table', table: 'orders', include: false } });
    const d = await designSource({
      file,
      plan: without.plan,
      edit: { kind: 'relationship', id: LINES, mode: 'array' },
    });
    assert.match(d.editError ?? '', /Table orders is not migrated as a collection/);
    assert.deepEqual(d.plan, without.plan);
  });

  it('junction → array of ids on the other side, both sides, or its own collection', async () => {
    const base = (await designSource({ file })).plan;
    const schema = (await designSource({ file })).schema;
    const both = applyPlanEdit(base, schema, base, { kind: 'junction', table: 'product_tags', mode: 'both' });
    assert.deepEqual(
      both.collections.find((c) => c.table === 'tags')!.arrays.map((a) => [a.field, a.ownerColumn, a.valueColumn]),
      [['products', 'tag_id', 'product_sku']],
    );
    assert.deepEqual(designJunctions(both, schema)[0].mode, 'both');
    checkPlan(both, schema);
    const own = applyPlanEdit(both, schema, base, { kind: 'junction', table: 'product_tags', mode: 'collection' });
    assert.ok(own.collections.some((c) => c.table === 'product_tags'));
    assert.ok(own.collections.every((c) => c.arrays.length === 0));
    checkPlan(own, schema);
  });

  it('columns: rename (indexes follow), skip and bring back, type override, null handling; collection name', async () => {
    const d = await designSource({ file });
    const { schema } = d;
    let plan: MappingPlan = d.plan;
    plan = applyPlanEdit(plan, schema, d.plan, { kind: 'column', table: 'customers', column: 'email', field: 'mail' });
    const customers = () => plan.collections.find((c) => c.table === 'customers')!;
    assert.deepEqual(
      customers().indexes.map((ix) => ix.keys),
      [[['mail', 1]]],
    );
    plan = applyPlanEdit(plan, schema, d.plan, { kind: 'column', table: 'customers', column: 'name', include: false });
    assert.deepEqual(
      customers().fields.map((f) => f.field),
      ['mail'],
    );
    plan = applyPlanEdit(plan, schema, d.plan, {
      kind: 'column',
      table: 'customers',
      column: 'name',
      include: true,
      type: 'string',
      nulls: 'omit',
    });
    assert.deepEqual(customers().fields, [
      { column: 'name', field: 'name', type: 'string', nulls: 'omit' },
      { column: 'email', field: 'mail', type: 'auto' },
    ]);
    plan = applyPlanEdit(plan, schema, d.plan, { kind: 'collectionName', table: 'customers', name: 'people' });
    assert.equal(customers().collection, 'people');
    assert.deepEqual(
      designRelationships(plan, schema).map((r) => r.mode),
      ['reference', 'reference', 'reference'],
    );
    checkPlan(plan, schema);
  });
});

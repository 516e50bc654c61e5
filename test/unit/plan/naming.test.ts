/** The naming convention (plan/naming.ts): names re-cased plan-wide, collisions resolved, as-is gives source names back. */
import assert from 'node:assert/strict';
import { applyNaming, convertName, nameWords } from '../../../src/core/plan/naming';
import type { MappingPlan } from '../../../src/core/plan/types';
import { checkPlan } from '../../../src/core/plan/check';
import type { SchemaInfo } from '../../../src/core/sqlite/types';

const column = (name: string) => ({ name, declaredType: 'TEXT', notNull: false, defaultValue: null, hidden: 0 });

function plan(): MappingPlan {
  return {
    version: 1,
    options: { nulls: 'keep', timezone: 'UTC', detectTextDates: true },
    collections: [
      {
        collection: 'Order Details',
        table: 'Order Details',
        id: { kind: 'composite', columns: ['OrderID', 'ProductID'] },
        fields: [
          { column: 'UnitPrice', field: 'UnitPrice', type: 'auto' },
          { column: 'unit_price', field: 'unit_price', type: 'auto' },
        ],
        arrays: [],
        indexes: [{ name: 'ix', keys: [['UnitPrice', 1]], unique: false, origin: 'sqlite' }],
      },
      {
        collection: 'Orders',
        table: 'Orders',
        id: { kind: 'column', column: 'OrderID' },
        fields: [{ column: 'ShipCity', field: 'ShipCity', type: 'auto' }],
        arrays: [
          {
            field: 'Tags',
            junctionTable: 'OrderTags',
            ownerColumn: 'a',
            valueColumn: 'b',
            ownerKeyColumn: 'OrderID',
            valueDocument: {
              table: 'Tags',
              keyColumn: 'TagID',
              fields: [
                { column: 'TagID', field: '_id', type: 'auto' },
                { column: 'Tag Name', field: 'Tag Name', type: 'auto' },
              ],
            },
          },
        ],
        embeds: [
          {
            field: 'Order Details',
            kind: 'array',
            table: 'Order Details',
            parentColumns: ['OrderID'],
            childColumns: ['OrderID'],
            fields: [{ column: 'UnitPrice', field: 'UnitPrice', type: 'auto' }],
          },
        ],
        computed: [{ field: 'City Upper', expression: 'upper(ShipCity)' }],
        indexes: [{ name: 'ix2', keys: [['Order Details.UnitPrice', 1]], unique: false, origin: 'foreign-key' }],
      },
    ],
    skipped: [],
  };
}

describe('naming convention', () => {
  it('splits names into words at spaces, underscores and case changes', () => {
    assert.deepEqual(nameWords('Order Details'), ['Order', 'Details']);
    assert.deepEqual(nameWords('customerID'), ['customer', 'ID']);
    assert.deepEqual(nameWords('XMLHttpRequest2'), ['XML', 'Http', 'Request2']);
    assert.deepEqual(nameWords('line_no'), ['line', 'no']);
  });

  it('converts one name; leading and trailing underscores stay', () => {
    assert.equal(convertName('Order Details', 'camelCase'), 'orderDetails');
    assert.equal(convertName('CustomerID', 'camelCase'), 'customerId');
    assert.equal(convertName('order_lines', 'camelCase'), 'orderLines');
    assert.equal(convertName('Order Details', 'snake_case'), 'order_details');
    assert.equal(convertName('orderLines', 'snake_case'), 'order_lines');
    assert.equal(convertName('_rowid', 'camelCase'), '_rowid');
    assert.equal(convertName('_id_', 'snake_case'), '_id_');
    assert.equal(convertName('Ünïcode Name', 'snake_case'), 'ünïcode_name');
    assert.equal(convertName('Order Details', 'as-is'), 'Order Details');
    assert.equal(convertName(convertName('Order Details', 'camelCase'), 'camelCase'), 'orderDetails', 'idempotent');
  });

  it('camelCase renames collections, fields, embeds, arrays, computed fields, composite _id names and index keys', () => {
    const out = applyNaming(plan(), 'camelCase');
    assert.equal(out.options.naming, 'camelCase');
    const [details, orders] = out.collections;
    assert.deepEqual([details.collection, orders.collection], ['orderDetails', 'orders']);
    // UnitPrice and unit_price both become unitPrice: the second one gets _2, like the field-name rule.
    assert.deepEqual(
      details.fields.map((f) => f.field),
      ['unitPrice', 'unitPrice_2'],
    );
    assert.deepEqual(details.id.kind === 'composite' && details.id.fields, ['orderId', 'productId']);
    assert.deepEqual(details.indexes[0].keys, [['unitPrice', 1]]);
    assert.equal(orders.embeds?.[0].field, 'orderDetails');
    assert.equal(orders.embeds?.[0].fields[0].field, 'unitPrice');
    assert.equal(orders.arrays[0].field, 'tags');
    assert.deepEqual(
      orders.arrays[0].valueDocument?.fields.map((f) => f.field),
      ['_id', 'tagName'],
      "a junction element's _id keeps its name",
    );
    assert.equal(orders.computed?.[0].field, 'cityUpper');
    assert.deepEqual(orders.indexes[0].keys, [['orderDetails.unitPrice', 1]]);
    assert.equal(plan().collections[0].collection, 'Order Details', 'the input plan is not changed');
  });

  it('snake_case after camelCase, then as-is gives the source names back', () => {
    const snake = applyNaming(applyNaming(plan(), 'camelCase'), 'snake_case');
    assert.deepEqual(
      snake.collections.map((c) => c.collection),
      ['order_details', 'orders'],
    );
    assert.equal(snake.collections[1].embeds?.[0].field, 'order_details');
    const asIs = applyNaming(snake, 'as-is');
    assert.equal(asIs.options.naming, undefined);
    assert.deepEqual(
      asIs.collections.map((c) => c.collection),
      ['Order Details', 'Orders'],
    );
    assert.deepEqual(
      asIs.collections[0].fields.map((f) => f.field),
      ['UnitPrice', 'unit_price'],
    );
    assert.equal(asIs.collections[0].id.kind === 'composite' && asIs.collections[0].id.fields, undefined);
    assert.equal(asIs.collections[1].embeds?.[0].field, 'Order Details');
    assert.deepEqual(asIs.collections[1].indexes[0].keys, [['Order Details.UnitPrice', 1]]);
  });

  it('the plan check accepts the three conventions and refuses another', () => {
    const schema: SchemaInfo = {
      tables: [
        {
          name: 't',
          columns: [column('a')],
          primaryKey: ['a'],
          foreignKeys: [],
          indexes: [],
          withoutRowid: false,
          rowCount: 0,
          sql: 'CREATE TABLE t(a TEXT PRIMARY KEY)',
        },
      ],
      views: [],
    } as unknown as SchemaInfo;
    const p: MappingPlan = {
      version: 1,
      options: { nulls: 'keep', timezone: 'UTC', detectTextDates: true, naming: 'snake_case' },
      collections: [
        { collection: 't', table: 't', id: { kind: 'column', column: 'a' }, fields: [], arrays: [], indexes: [] },
      ],
      skipped: [],
    };
    assert.doesNotThrow(() => checkPlan(p, schema));
    assert.throws(
      () => checkPlan({ ...p, options: { ...p.options, naming: 'kebab' as 'as-is' } }, schema),
      /options\.naming must be one of as-is, camelCase, snake_case/,
    );
  });
});

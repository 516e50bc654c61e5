/** Indexes on junction arrays and on the references inside embedded arrays, in the default plan and after edits. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { designSource } from '../../../src/core/design';
import { applyPlanEdit } from '../../../src/core/plan/edits';
import { derivedIndexes } from '../../../src/core/plan/derivedIndexes';
import type { CollectionPlan, EmbedPlan, MappingPlan } from '../../../src/core/plan/types';
import type { SchemaInfo } from '../../../src/core/sqlite/types';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../../helpers/shop';

const SHOP = `${SHOP_SCHEMA}
CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);
CREATE TABLE product_tags (product_sku TEXT REFERENCES products(sku), tag_id INTEGER REFERENCES tags(id), PRIMARY KEY (product_sku, tag_id));
`;
const LINES = 'order_lines(order_id)->orders';

const keysOf = (plan: MappingPlan, table: string) =>
  plan.collections
    .find((c) => c.table === table)!
    .indexes.map((ix) => `${ix.name} ${JSON.stringify(ix.keys)} ${ix.origin}`);

describe('derived indexes (junction arrays, references in embedded arrays)', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'shop.db');
    makeDb(file, SHOP);
  });
  after(cleanupTempDirs);

  it('embedding order lines indexes the product reference inside them; back to a reference drops it', async () => {
    const d = await designSource({ file });
    const embedded = applyPlanEdit(d.plan, d.schema, d.plan, { kind: 'relationship', id: LINES, mode: 'array' });
    assert.deepEqual(keysOf(embedded, 'orders'), [
      'customer_id_fk [["customer_id",1]] foreign-key',
      'order_lines.sku_fk [["order_lines.sku",1]] foreign-key',
    ]);
    const renamed = applyPlanEdit(embedded, d.schema, d.plan, {
      kind: 'embedField',
      collection: 'orders',
      field: 'order_lines',
      name: 'lines',
    });
    assert.deepEqual(keysOf(renamed, 'orders'), [
      'customer_id_fk [["customer_id",1]] foreign-key',
      'lines.sku_fk [["lines.sku",1]] foreign-key',
    ]);
    const back = applyPlanEdit(renamed, d.schema, d.plan, { kind: 'relationship', id: LINES, mode: 'reference' });
    assert.deepEqual(keysOf(back, 'orders'), ['customer_id_fk [["customer_id",1]] foreign-key']);
  });

  it('a junction array added by the designer gets its index, and loses it with the array', async () => {
    const d = await designSource({ file });
    assert.deepEqual(keysOf(d.plan, 'products'), ['tags_1 [["tags",1]] junction']);
    assert.deepEqual(keysOf(d.plan, 'tags'), []);
    const other = applyPlanEdit(d.plan, d.schema, d.plan, { kind: 'junction', table: 'product_tags', mode: 'other' });
    assert.deepEqual(keysOf(other, 'tags'), ['products_1 [["products",1]] junction']);
    assert.deepEqual(keysOf(other, 'products'), []);
  });

  it('a junction array of sub-documents is indexed on the field holding the referenced key', () => {
    const c: CollectionPlan = {
      collection: 'posts',
      table: 'posts',
      id: { kind: 'column', column: 'id' },
      fields: [],
      arrays: [
        {
          field: 'tags',
          junctionTable: 'post_tags',
          ownerColumn: 'post_id',
          valueColumn: 'tag_id',
          ownerKeyColumn: 'id',
          valueDocument: {
            table: 'tags',
            keyColumn: 'id',
            fields: [
              { column: 'id', field: '_id', type: 'auto' },
              { column: 'name', field: 'name', type: 'auto' },
            ],
          },
        },
      ],
      indexes: [],
    };
    assert.deepEqual(derivedIndexes(c, { tables: [], views: [] } as unknown as SchemaInfo), [
      { name: 'tags._id_1', keys: [['tags._id', 1]], unique: false, origin: 'junction' },
    ]);
  });

  it('recurses through nested embeds: a reference two arrays deep gets the full path', () => {
    const schema = {
      tables: [
        { name: 'customers', columns: [], primaryKey: ['id'], foreignKeys: [], indexes: [] },
        {
          name: 'orders',
          columns: [],
          primaryKey: ['id'],
          foreignKeys: [{ columns: ['customer_id'], refTable: 'customers', refColumns: ['id'] }],
          indexes: [],
        },
        {
          name: 'lines',
          columns: [],
          primaryKey: ['order_id', 'n'],
          foreignKeys: [
            { columns: ['order_id'], refTable: 'orders', refColumns: ['id'] },
            { columns: ['product_id'], refTable: 'products', refColumns: ['id'] },
          ],
          indexes: [],
        },
      ],
      views: [],
    } as unknown as SchemaInfo;
    const lines: EmbedPlan = {
      field: 'lines',
      kind: 'array',
      table: 'lines',
      parentColumns: ['id'],
      childColumns: ['order_id'],
      fields: [{ column: 'product_id', field: 'productId', type: 'auto' }],
    };
    const orders = {
      field: 'orders',
      kind: 'array',
      table: 'orders',
      parentColumns: ['id'],
      childColumns: ['customer_id'],
      fields: [],
      embeds: [lines],
    } as EmbedPlan;
    const customers: CollectionPlan = {
      collection: 'customers',
      table: 'customers',
      id: { kind: 'column', column: 'id' },
      fields: [],
      arrays: [],
      embeds: [orders],
      indexes: [],
    };
    assert.deepEqual(derivedIndexes(customers, schema), [
      {
        name: 'orders.lines.productId_fk',
        keys: [['orders.lines.productId', 1]],
        unique: false,
        origin: 'foreign-key',
      },
    ]);
  });
});

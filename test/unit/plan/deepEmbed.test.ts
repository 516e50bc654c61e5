/** Nested embeds and junction arrays of sub-documents in the plan check and the generated $jsonSchema. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DocumentBuilder } from '../../../src/core/convert/documents';
import { defaultPlanFor } from '../../../src/core/index';
import { planProblems } from '../../../src/core/plan/check';
import { MAX_EMBED_DEPTH } from '../../../src/core/plan/checkEmbeds';
import { collectionJsonSchema } from '../../../src/core/plan/jsonSchema';
import type { EmbedPlan, FieldPlan, MappingPlan } from '../../../src/core/plan/types';
import { introspect, openSqliteSource } from '../../../src/core/sqlite';
import type { SchemaInfo } from '../../../src/core/sqlite/types';
import { checkJsonSchema } from '../../../src/core/validate/schemaCheck';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';
import { SHOP_SCHEMA } from '../../helpers/shop';

const SQL = `${SHOP_SCHEMA}
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL, color TEXT);
CREATE TABLE order_tags (order_id INTEGER, tag_id INTEGER, PRIMARY KEY (order_id, tag_id));
CREATE TABLE nodes (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES nodes(id), name TEXT);
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com'), (2, 'Grace', NULL);
INSERT INTO products VALUES ('A-1', 'Anvil', 99.5);
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00', 'first'), (11, 1, '2024-05-02 11:30:00', NULL);
INSERT INTO order_lines VALUES (10, 1, 'A-1', 1), (10, 2, 'Z-9', 40);
INSERT INTO tags VALUES (1, 'gift', NULL), (2, 'rush', 'red');
INSERT INTO order_tags VALUES (10, 2), (10, 1);
`;

const f = (column: string, field = column): FieldPlan => ({ column, field, type: 'auto' });

function product(over: Partial<EmbedPlan> = {}): EmbedPlan {
  return {
    field: 'product',
    kind: 'document',
    table: 'products',
    parentColumns: ['sku'],
    childColumns: ['sku'],
    fields: [f('title'), f('price')],
    ...over,
  };
}

function orders(lineEmbeds: EmbedPlan[] = [product()]): EmbedPlan {
  return {
    field: 'orders',
    kind: 'array',
    table: 'orders',
    parentColumns: ['id'],
    childColumns: ['customer_id'],
    fields: [f('id'), f('note')],
    embeds: [
      {
        field: 'lines',
        kind: 'array',
        table: 'order_lines',
        parentColumns: ['id'],
        childColumns: ['order_id'],
        fields: [f('line_no'), f('qty')],
        embeds: lineEmbeds,
      },
    ],
  };
}

describe('deep embeds in the plan check and the JSON Schema', () => {
  let file: string;
  let schema: SchemaInfo;
  let base: MappingPlan;
  before(async () => {
    file = makeDb(path.join(tempDir(), 'deep.db'), SQL);
    const source = await openSqliteSource(file);
    try {
      schema = introspect(source);
      base = defaultPlanFor(source, schema).plan;
    } finally {
      source.close();
    }
  });
  after(cleanupTempDirs);

  const withEmbeds = (embeds: EmbedPlan[]): MappingPlan => {
    const plan = structuredClone(base);
    plan.collections.find((c) => c.table === 'customers')!.embeds = embeds;
    return plan;
  };

  it('accepts three levels, and names the path of each problem at depth 2 and 3', () => {
    assert.deepEqual(planProblems(withEmbeds([orders()]), schema), []);
    const bad = withEmbeds([
      orders([
        product({ table: 'produce' }),
        product({ field: 'item', parentColumns: ['nope'], fields: [f('title'), f('colour')] }),
        product({ field: 'qty' }),
        product({ field: 'sku_only', childColumns: ['title'] }),
      ]),
    ]);
    assert.deepEqual(planProblems(bad, schema), [
      'collections[0] (customers): embedded orders → lines → product: table "produce" not found',
      'collections[0] (customers): embedded orders → lines → item: column nope not in order_lines',
      'collections[0] (customers): embedded orders → lines → item: column "colour" not in products',
      'collections[0] (customers): embedded orders → lines → qty: clashes with another field',
      'collections[0] (customers): embedded orders → lines → sku_only: title is not a primary or unique key of products, so one order_lines row may match several; embed it as an array instead',
    ]);
  });

  it('refuses an embed that follows its enclosing relationship back (a cycle) and nesting past the limit', () => {
    const back: EmbedPlan = {
      field: 'customer',
      kind: 'document',
      table: 'customers',
      parentColumns: ['customer_id'],
      childColumns: ['id'],
      fields: [f('name')],
    };
    const cyclePlan = structuredClone(base);
    cyclePlan.collections.find((c) => c.table === 'customers')!.embeds = [{ ...orders([]), embeds: [back] }];
    assert.deepEqual(planProblems(cyclePlan, schema), [
      'collections[0] (customers): embedded orders → customer: customers → orders → customers follows the same relationship back (a cycle: each customers row would embed itself); remove it or make orders its own collection',
    ]);
    // A node's parent, its parent's parent, …: no cycle (each level follows parent_id up), but too deep.
    const parent = (embeds: EmbedPlan[]): EmbedPlan => ({
      field: 'parent',
      kind: 'document',
      table: 'nodes',
      parentColumns: ['parent_id'],
      childColumns: ['id'],
      fields: [f('name')],
      embeds,
    });
    let deep = parent([]);
    for (let i = 0; i < MAX_EMBED_DEPTH - 1; i++) deep = parent([deep]);
    const deepPlan = structuredClone(base);
    deepPlan.collections.find((c) => c.table === 'nodes')!.embeds = [deep];
    assert.deepEqual(planProblems(deepPlan, schema), [], `${MAX_EMBED_DEPTH} levels are fine`);
    deepPlan.collections.find((c) => c.table === 'nodes')!.embeds = [parent([deep])];
    const problems = planProblems(deepPlan, schema);
    assert.equal(problems.length, 1, problems.join('\n'));
    assert.match(problems[0], new RegExp(`embeds nest at most ${MAX_EMBED_DEPTH} levels deep`));
  });

  it('checks a junction array of sub-documents: referenced table, unique key column and fields', () => {
    const plan = structuredClone(base);
    const ordersCollection = plan.collections.find((c) => c.table === 'orders')!;
    const tagArray = (valueDocument: NonNullable<(typeof ordersCollection.arrays)[number]['valueDocument']>) => ({
      field: 'tags',
      junctionTable: 'order_tags',
      ownerColumn: 'order_id',
      valueColumn: 'tag_id',
      ownerKeyColumn: 'id',
      valueDocument,
    });
    ordersCollection.arrays = [tagArray({ table: 'tags', keyColumn: 'id', fields: [f('id', '_id'), f('name')] })];
    assert.deepEqual(planProblems(plan, schema), []);
    ordersCollection.arrays = [tagArray({ table: 'tags', keyColumn: 'name', fields: [f('id', '_id'), f('hue')] })];
    assert.deepEqual(planProblems(plan, schema), [
      'collections[2] (orders): array tags of sub-documents: name is not a primary or unique key of tags, so a value may match several rows',
      'collections[2] (orders): array tags of sub-documents: column "hue" not in tags',
    ]);
    ordersCollection.arrays = [tagArray({ table: 'tagz', keyColumn: 'id', fields: [] })];
    assert.deepEqual(planProblems(plan, schema), [
      'collections[2] (orders): array tags of sub-documents: table "tagz" not found',
    ]);
  });

  it('the JSON Schema describes every level, and the documents built conform to it', async () => {
    const plan = withEmbeds([orders([product(), product({ field: 'p', merge: true, mergePrefix: 'product_' })])]);
    const ordersCollection = plan.collections.find((c) => c.table === 'orders')!;
    ordersCollection.arrays = [
      {
        field: 'tags',
        junctionTable: 'order_tags',
        ownerColumn: 'order_id',
        valueColumn: 'tag_id',
        ownerKeyColumn: 'id',
        valueDocument: { table: 'tags', keyColumn: 'id', fields: [f('id', '_id'), f('name'), f('color')] },
      },
    ];
    const customers = plan.collections.find((c) => c.table === 'customers')!;
    const s = collectionJsonSchema(customers, schema, plan.options).$jsonSchema;
    const line = s.properties!.orders.items!.properties!.lines.items!;
    assert.deepEqual(line.required, ['line_no', 'qty', 'product']);
    assert.deepEqual(Object.keys(line.properties!), ['line_no', 'qty', 'product', 'product_title', 'product_price']);
    assert.deepEqual(line.properties!.product.bsonType, ['object', 'null']);
    assert.deepEqual(line.properties!.product.properties!.title.description, 'products.title (TEXT)');
    const tags = collectionJsonSchema(ordersCollection, schema, plan.options).$jsonSchema.properties!.tags;
    assert.equal(tags.bsonType, 'array');
    assert.deepEqual(tags.items!.required, ['_id', 'name', 'color']);
    assert.deepEqual(tags.items!.properties!.name.bsonType, 'string');

    const source = await openSqliteSource(file);
    try {
      for (const c of [customers, ordersCollection]) {
        const validator = collectionJsonSchema(c, schema, plan.options).$jsonSchema;
        const docs = [...new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined)];
        assert.ok(docs.length > 0);
        for (const { doc } of docs) assert.deepEqual(checkJsonSchema(doc, validator), [], JSON.stringify(doc));
        if (c === ordersCollection)
          assert.deepEqual(docs[0].doc.tags, [
            { _id: 1, name: 'gift', color: null },
            { _id: 2, name: 'rush', color: 'red' },
          ]);
        else
          assert.deepEqual(docs[0].doc.orders[0].lines[1], {
            line_no: 2,
            qty: 40,
            product: null,
          });
      }
    } finally {
      source.close();
    }
  });
});

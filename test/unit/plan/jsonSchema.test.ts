/** The generated $jsonSchema validators: what they say, and that documents the engine builds conform unless the data breaks a declared rule. */
import assert from 'node:assert/strict';
import path from 'node:path';
import { Double, Int32 } from 'mongodb';
import { DocumentBuilder } from '../../../src/core/convert/documents';
import { defaultPlanFor } from '../../../src/core/index';
import { checkEnum, collectionJsonSchema, planJsonSchemas } from '../../../src/core/plan/jsonSchema';
import { introspect, openSqliteSource } from '../../../src/core/sqlite';
import { checkJsonSchema } from '../../../src/core/validate/schemaCheck';
import { applyEmbed } from '../../../src/core/plan/relationships';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const SQL = `
CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(5) NOT NULL, tier TEXT CHECK (tier IN ('gold', 'silver', 'it''s')), score REAL, note TEXT);
CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id), placed_at DATETIME NOT NULL);
CREATE TABLE lines (order_id INTEGER REFERENCES orders(id), line_no INTEGER, qty INTEGER NOT NULL, PRIMARY KEY (order_id, line_no));
INSERT INTO customers VALUES (1, 'Ada', 'gold', 1.5, NULL), (2, 'Grace', NULL, NULL, 'x');
INSERT INTO orders VALUES (10, 1, '2024-05-01 10:00:00'), (11, 2, '2024-05-02 11:30:00');
INSERT INTO lines VALUES (10, 1, 3), (10, 2, 4), (11, 1, 5);
`;

describe('generated $jsonSchema validators', () => {
  let file: string;
  before(() => {
    file = path.join(tempDir(), 'shop.db');
    makeDb(file, SQL);
  });
  after(cleanupTempDirs);

  async function withSource<T>(fn: (source: Awaited<ReturnType<typeof openSqliteSource>>) => T): Promise<T> {
    const source = await openSqliteSource(file);
    try {
      return fn(source);
    } finally {
      source.close();
    }
  }

  it('reads CHECK (col IN (…)) literals, quoted names and escaped quotes', () => {
    assert.deepEqual(
      checkEnum(`CREATE TABLE t (s TEXT CHECK ("s" IN ('a', 'it''s', 'b')), n INT CHECK (n IN (1, -2)))`, 's'),
      ['a', "it's", 'b'],
    );
    assert.deepEqual(checkEnum(`CREATE TABLE t (n INT CHECK (n IN (1, -2)))`, 'n'), [1, -2]);
    assert.equal(checkEnum(`CREATE TABLE t (n INT CHECK (n > 0))`, 'n'), undefined);
  });

  it('types, NOT NULL → required (nulls omitted), enum and maxLength from the declarations', async () => {
    await withSource((source) => {
      const schema = introspect(source);
      const { plan } = defaultPlanFor(source, schema, { nulls: 'omit' });
      const customers = collectionJsonSchema(
        plan.collections.find((c) => c.table === 'customers')!,
        schema,
        plan.options,
      ).$jsonSchema;
      assert.deepEqual(customers.required, ['_id', 'name']);
      assert.deepEqual(customers.properties?._id.bsonType, ['int', 'long']);
      assert.deepEqual(customers.properties?.name, {
        bsonType: 'string',
        maxLength: 5,
        description: 'customers.name (VARCHAR(5))',
      });
      assert.deepEqual(customers.properties?.tier.enum, ['gold', 'silver', "it's"]);
      assert.equal(customers.properties?.score.bsonType, 'double');
      const orders = collectionJsonSchema(
        plan.collections.find((c) => c.table === 'orders')!,
        schema,
        plan.options,
      ).$jsonSchema;
      assert.equal(orders.properties?.placed_at.bsonType, 'date');
      const lines = collectionJsonSchema(
        plan.collections.find((c) => c.table === 'lines')!,
        schema,
        plan.options,
      ).$jsonSchema;
      assert.equal(lines.properties?._id.bsonType, 'object');
      assert.deepEqual(lines.properties?._id.required, ['order_id', 'line_no']);
    });
  });

  it('documents built by the engine conform (nulls kept, embedded lines); a row breaking VARCHAR(5) is reported', async () => {
    await withSource((source) => {
      const schema = introspect(source);
      let { plan } = defaultPlanFor(source, schema);
      plan = applyEmbed(plan, schema, { into: 'orders', table: 'lines', kind: 'array' });
      const validators = planJsonSchemas(plan, schema);
      const violations: string[] = [];
      for (const c of plan.collections) {
        const builder = new DocumentBuilder(source, schema, c, plan.options);
        for (const { doc } of builder.documents(() => undefined)) {
          for (const v of checkJsonSchema(doc, validators.get(c.collection)!.$jsonSchema))
            violations.push(`${c.collection} ${v.path} ${v.rule}: ${v.detail}`);
        }
      }
      assert.deepEqual(violations, []);
    });
    const broken = path.join(tempDir(), 'broken.db');
    // SQLite enforces CHECK, but a file may hold rows written with the check ignored (or added later).
    makeDb(
      broken,
      `${SQL} PRAGMA ignore_check_constraints = ON; INSERT INTO customers VALUES (3, 'Marguerite', 'bronze', 'n/a', NULL);`,
    );
    const source = await openSqliteSource(broken);
    try {
      const schema = introspect(source);
      const { plan } = defaultPlanFor(source, schema);
      const c = plan.collections.find((x) => x.table === 'customers')!;
      const validator = collectionJsonSchema(c, schema, plan.options).$jsonSchema;
      const found = [...new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined)].flatMap(
        ({ doc }) => checkJsonSchema(doc, validator),
      );
      assert.deepEqual(
        found.map((v) => `${v.path} ${v.rule}`),
        ['name maxLength', 'tier enum', 'score bsonType'],
      );
    } finally {
      source.close();
    }
  });

  it('the checker: BSON types by class, arrays item by item, missing required fields', () => {
    const node = {
      bsonType: 'object',
      required: ['_id', 'a'],
      properties: {
        _id: { bsonType: 'int' },
        a: { bsonType: 'array', items: { bsonType: ['int', 'long'] } },
        d: { bsonType: 'double' },
      },
    };
    assert.deepEqual(checkJsonSchema({ _id: new Int32(1), a: [1, 2], d: new Double(2) }, node), []);
    assert.deepEqual(
      checkJsonSchema({ _id: 1.5, a: [1, 'x'], d: 2 }, node).map((v) => `${v.path} ${v.rule}`),
      ['_id bsonType', 'a.1 bsonType', 'd bsonType'],
    );
    assert.deepEqual(
      checkJsonSchema({ _id: 1 }, node).map((v) => `${v.path} ${v.rule}`),
      ['a required'],
    );
  });
});

/**
 * The designer's edits of plan options, `_id` rules, nested embeds and junction sub-documents (plan/designEdits.ts),
 * and the previews under each sample (filter counts, refused rows, JSON Schema), on a real file via DesignSession.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { DesignSession, type DesignState } from '../../../src/core/design';
import type { PlanEdit } from '../../../src/core/plan/edits';
import { SHOP_ROWS, SHOP_SCHEMA } from '../../helpers/shop';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

const DB = `${SHOP_SCHEMA}${SHOP_ROWS}CREATE TABLE Employees (EmployeeId INTEGER PRIMARY KEY, Name TEXT, ReportsTo INTEGER REFERENCES Employees(EmployeeId), HiredAt INTEGER);
CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE product_tags (sku TEXT REFERENCES products(sku), tag_id INTEGER REFERENCES tags(id), PRIMARY KEY (sku, tag_id));
INSERT INTO Employees VALUES (1, 'Boss', NULL, 1700000000), (2, 'Dev', 1, 1710000000);
INSERT INTO tags VALUES (1, 'heavy'), (2, 'small');
INSERT INTO product_tags VALUES ('A-1', 1), ('B-2', 2);
`;

describe('designer edits: options, _id, nested embeds, junction sub-documents, previews', function () {
  this.timeout(30_000);
  let session: DesignSession;
  let base: DesignState;
  const edit = async (from: DesignState, e: PlanEdit) => session.design({ plan: from.plan, edit: e });
  const collection = (d: DesignState, name: string) => d.plan.collections.find((c) => c.collection === name)!;

  before(async () => {
    const file = path.join(tempDir(), 'designer.db');
    makeDb(file, DB);
    session = await DesignSession.open(file);
    base = await session.design({});
  });
  after(() => {
    session.close();
    cleanupTempDirs();
  });

  it('sets the plan time zone to an IANA name and refuses an unknown one', async () => {
    const paris = await edit(base, { kind: 'options', timezone: 'Europe/Paris' });
    assert.equal(paris.plan.options.timezone, 'Europe/Paris');
    assert.match(paris.samples.orders, /"placed_at": \{\s*"\$date": "2024-05-01T08:00:00(\.000)?Z"/, 'CEST is UTC+2');
    const bad = await edit(paris, { kind: 'options', timezone: 'Mars/Olympus' });
    assert.match(bad.editError ?? '', /"Mars\/Olympus" is not "UTC"/);
    assert.equal(bad.plan.options.timezone, 'Europe/Paris', 'the plan is unchanged');
    const omit = await edit(base, { kind: 'options', nulls: 'omit' });
    assert.doesNotMatch(omit.samples.orders.split('"_id": 11')[0], /"note": null/);
  });

  it('switches _id to an ObjectId from the rowid and back to a column; key columns move between _id and fields', async () => {
    const rowid = await edit(base, { kind: 'id', table: 'customers', rule: 'rowid' });
    const c = collection(rowid, 'customers');
    assert.deepEqual(c.id, { kind: 'rowid', rowidField: '_rowid' });
    assert.deepEqual(
      c.fields.map((f) => f.column),
      ['id', 'name', 'email'],
    );
    assert.match(rowid.samples.customers, /"_id": \{\s*"\$oid"/);
    const byEmail = await edit(rowid, { kind: 'id', table: 'customers', rule: 'column', column: 'email' });
    assert.deepEqual(collection(byEmail, 'customers').id, { kind: 'column', column: 'email' });
    assert.match(byEmail.samples.customers, /"_id": "ada@example.com"/);
    const refused = await edit(base, { kind: 'id', table: 'customers', rule: 'composite' });
    assert.match(refused.editError ?? '', /customers has no composite primary key/);
  });

  it('reads integer columns as epoch seconds dates', async () => {
    const typed = await edit(base, { kind: 'column', table: 'Employees', column: 'HiredAt', type: 'date' });
    const epoch = await edit(typed, { kind: 'column', table: 'Employees', column: 'HiredAt', epoch: 'seconds' });
    assert.equal(collection(epoch, 'Employees').fields.find((f) => f.column === 'HiredAt')?.epoch, 'seconds');
    assert.match(epoch.samples.Employees, /"HiredAt": \{\s*"\$date": "2023-11-14T22:13:20(\.000)?Z"/);
  });

  it('names a self-reference document embed from its column (ReportsTo_Employee), not after the table', async () => {
    const self = await edit(base, { kind: 'relationship', id: 'Employees(ReportsTo)->Employees', mode: 'document' });
    assert.deepEqual(
      collection(self, 'Employees').embeds?.map((e) => e.field),
      ['ReportsTo_Employee'],
    );
  });

  it('adds and removes an embed nested in an embedded child', async () => {
    const lines = await edit(base, { kind: 'relationship', id: 'order_lines(order_id)->orders', mode: 'array' });
    const nested = await edit(lines, {
      kind: 'nestedEmbed',
      collection: 'orders',
      path: ['order_lines'],
      id: 'order_lines(sku)->products',
      as: 'document',
    });
    const embed = collection(nested, 'orders').embeds?.[0];
    assert.deepEqual(embed?.embeds, [
      {
        field: 'sku_product',
        kind: 'document',
        table: 'products',
        parentColumns: ['sku'],
        childColumns: ['sku'],
        fields: [
          { column: 'sku', field: 'sku', type: 'auto' },
          { column: 'title', field: 'title', type: 'auto' },
          { column: 'price', field: 'price', type: 'auto' },
        ],
      },
    ]);
    assert.match(
      nested.samples.orders,
      /"sku": "A-1",\s*"qty": 1,\s*"sku_product": \{\s*"sku": "A-1",\s*"title": "Anvil"/,
    );
    assert.deepEqual(
      nested.warnings.filter((w) => w.severity === 'error'),
      [],
      'the deep engine accepts the nested embed',
    );
    const wrong = await edit(lines, {
      kind: 'nestedEmbed',
      collection: 'orders',
      path: ['order_lines'],
      id: 'orders(customer_id)->customers',
      as: 'document',
    });
    assert.match(wrong.editError ?? '', /does not start at order_lines/);
    const removed = await edit(nested, {
      kind: 'removeNestedEmbed',
      collection: 'orders',
      path: ['order_lines', 'sku_product'],
    });
    assert.equal(collection(removed, 'orders').embeds?.[0].embeds, undefined);
  });

  it('switches a junction array to sub-documents of the referenced row and back', async () => {
    const array = collection(base, 'products').arrays[0];
    assert.equal(array.junctionTable, 'product_tags');
    const docs = await edit(base, {
      kind: 'junctionDocuments',
      collection: 'products',
      field: array.field,
      documents: true,
    });
    assert.deepEqual(collection(docs, 'products').arrays[0].valueDocument, {
      table: 'tags',
      keyColumn: 'id',
      fields: [
        { column: 'id', field: '_id', type: 'auto' },
        { column: 'name', field: 'name', type: 'auto' },
      ],
    });
    assert.match(docs.samples.products, /\[\s*\{\s*"_id": 1,\s*"name": "heavy"\s*\}\s*\]/);
    const ids = await edit(docs, {
      kind: 'junctionDocuments',
      collection: 'products',
      field: array.field,
      documents: false,
    });
    assert.equal(collection(ids, 'products').arrays[0].valueDocument, undefined);
  });

  it('keeps the naming convention for names an edit adds', async () => {
    const camel = await edit(base, { kind: 'options', naming: 'camelCase' });
    assert.equal(collection(camel, 'orders').fields[0].field, 'customerId');
    const lines = await edit(camel, { kind: 'relationship', id: 'order_lines(order_id)->orders', mode: 'array' });
    assert.equal(collection(lines, 'orders').embeds?.[0].field, 'orderLines');
    assert.match(lines.samples.orders, /"orderLines": \[\s*\{\s*"lineNo": 1/);
  });

  it('previews filter counts, rows a computed field refuses, and the JSON Schema', async () => {
    assert.equal(base.previews.orders.filter, undefined);
    assert.equal(base.previews.orders.jsonSchema && 'error' in base.previews.orders.jsonSchema, false);
    const filtered = await edit(base, { kind: 'filter', collection: 'orders', filter: 'note IS NOT NULL' });
    assert.deepEqual(filtered.previews.orders.filter, { kept: 1, skipped: 1 });
    // 'first' is no date: order 10 is refused (as the migration refuses it); order 11's NULL note stays null.
    const computed = await edit(base, {
      kind: 'computed',
      collection: 'orders',
      field: 'shout',
      expression: 'date(note)',
    });
    const refused = computed.previews.orders.refused;
    assert.equal(refused?.checked, 2);
    assert.equal(refused?.count, 1);
    assert.deepEqual(refused?.examples, [
      { table: 'orders', key: '10', reason: "computed field shout: date() cannot read text 'first' as a date" },
    ]);
    assert.match(computed.samples.orders, /"_id": 11/, 'the sample is the first row that builds');
    const schema = computed.previews.orders.jsonSchema;
    assert.ok(!('error' in schema));
    assert.deepEqual(schema.$jsonSchema.properties?.shout, { description: 'computed: date(note)' });
    const untrusted = await session.design({ plan: computed.plan, evaluateExpressions: false });
    assert.equal(untrusted.expressionsEvaluated, false);
    assert.doesNotMatch(untrusted.samples.orders, /shout/);
  });
});

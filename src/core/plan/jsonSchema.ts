/**
 * A MongoDB `$jsonSchema` validator per collection, derived from the SQLite schema and the plan: BSON types from the
 * planned field types (or the column's affinity for 'auto'), NOT NULL → required, `CHECK (col IN (…))` → enum,
 * VARCHAR(n)/CHAR(n) → maxLength. It describes the documents the plan writes; documents that break it are reported
 * by `checkJsonSchema` (our side, so it works on every server) and the validator can be applied to the target.
 */
import type { ColumnInfo, SchemaInfo, TableInfo } from '../sqlite/types';
import { findRelation } from '../sqlite/schema';
import { compositeIdNames } from './fieldNames';
import type { CollectionPlan, EmbedPlan, FieldPlan, FieldType, MappingPlan, PlanOptions } from './types';

export interface JsonSchemaNode {
  bsonType?: string | string[];
  description?: string;
  required?: string[];
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  enum?: unknown[];
  maxLength?: number;
}

export interface CollectionValidator {
  $jsonSchema: JsonSchemaNode;
}

const TYPE_BSON: Record<Exclude<FieldType, 'auto' | 'json'>, string[]> = {
  string: ['string'],
  int: ['int', 'long'],
  long: ['long'],
  double: ['double'],
  decimal: ['decimal'],
  date: ['date'],
  bool: ['bool'],
  binary: ['binData'],
};

/** SQLite's affinity rules (https://www.sqlite.org/datatype3.html §3.1), applied to the declared type. */
function affinityTypes(declaredType: string): string[] | undefined {
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return ['int', 'long'];
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return ['string'];
  if (t === '' || t.includes('BLOB')) return undefined;
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return ['double'];
  return ['int', 'long', 'double', 'string'];
}

/** `VARCHAR(40)`, `NVARCHAR(160)`, `CHARACTER(20)` → the declared length. */
function declaredLength(declaredType: string): number | undefined {
  const m = /CHAR[A-Z ]*\(\s*(\d+)\s*\)/i.exec(declaredType);
  return m ? Number(m[1]) : undefined;
}

/** The literal values of `CHECK (column IN (…))` in the CREATE TABLE text (strings and integers only). */
export function checkEnum(tableSql: string, column: string): unknown[] | undefined {
  const name = column.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(
    `CHECK\\s*\\(\\s*(?:"${name}"|\`${name}\`|\\[${name}\\]|${name})\\s+IN\\s*\\(([^)]*)\\)\\s*\\)`,
    'i',
  );
  const m = re.exec(tableSql);
  if (!m) return undefined;
  const values: unknown[] = [];
  for (const lit of m[1].matchAll(/'((?:[^']|'')*)'|([+-]?\d+)(?![.\d])/g)) {
    if (lit[1] !== undefined) values.push(lit[1].replace(/''/g, "'"));
    else values.push(Number(lit[2]));
  }
  return values.length > 0 ? values : undefined;
}

function fieldNode(
  field: FieldPlan,
  column: ColumnInfo | undefined,
  table: TableInfo,
  options: PlanOptions,
): JsonSchemaNode {
  const node: JsonSchemaNode = {};
  let types: string[] | undefined;
  if (field.type === 'auto') types = column ? affinityTypes(column.declaredType) : undefined;
  else if (field.type !== 'json') types = [...TYPE_BSON[field.type]];
  const nullable = !column || (!column.notNull && column.pkOrdinal === 0);
  const keepsNull = (field.nulls ?? options.nulls) === 'keep';
  if (types) node.bsonType = nullable && keepsNull ? [...types, 'null'] : types.length === 1 ? types[0] : types;
  const length = column && types?.includes('string') ? declaredLength(column.declaredType) : undefined;
  if (length !== undefined) node.maxLength = length;
  const allowed = column ? checkEnum(table.sql, column.name) : undefined;
  if (allowed) node.enum = nullable && keepsNull ? [...allowed, null] : allowed;
  node.description = `${table.name}.${field.column}${column?.declaredType ? ` (${column.declaredType})` : ''}`;
  return node;
}

/** The properties and required names for a list of planned fields of one table. */
function objectNode(
  fields: FieldPlan[],
  table: TableInfo,
  options: PlanOptions,
  prefix = '',
): { properties: Record<string, JsonSchemaNode>; required: string[] } {
  const properties: Record<string, JsonSchemaNode> = Object.create(null);
  const required: string[] = [];
  for (const f of fields) {
    const column = table.columns.find((c) => c.name === f.column);
    const name = prefix + f.field;
    properties[name] = fieldNode(f, column, table, options);
    // With nulls kept every field is present; with nulls omitted only NOT NULL columns are sure to be.
    const omitted = (f.nulls ?? options.nulls) === 'omit';
    if (!prefix && (!omitted || column?.notNull || (column?.pkOrdinal ?? 0) > 0)) required.push(name);
  }
  return { properties, required };
}

function embedNode(e: EmbedPlan, schema: SchemaInfo, options: PlanOptions): JsonSchemaNode {
  const child = findRelation(schema, e.table);
  const { properties, required } = child ? objectNode(e.fields, child, options) : { properties: {}, required: [] };
  required.push(...addEmbeds(properties, e.embeds, schema, options));
  const doc: JsonSchemaNode = { bsonType: 'object', properties, required: [...new Set(required)] };
  // An array embed may store only the child keys when a document would pass 16 MiB (onTooLarge: 'reference').
  if (e.kind === 'array') return { bsonType: 'array', items: e.onTooLarge === 'reference' ? {} : doc };
  return { ...doc, bsonType: ['object', 'null'] };
}

/**
 * Adds the nodes of `embeds` (at any depth) to `properties`, a merged document's fields under their prefixed names;
 * returns the names that are always present (arrays and non-merged documents, which are null when nothing matches).
 */
function addEmbeds(
  properties: Record<string, JsonSchemaNode>,
  embeds: EmbedPlan[] | undefined,
  schema: SchemaInfo,
  options: PlanOptions,
  prefix = '',
): string[] {
  const required: string[] = [];
  for (const e of embeds ?? []) {
    if (e.kind === 'document' && e.merge) {
      const child = findRelation(schema, e.table);
      const merged = prefix + (e.mergePrefix ?? '');
      if (child) Object.assign(properties, objectNode(e.fields, child, options, merged).properties);
      // A merged document's own embeds land in the parent too, and only when it matched: never required.
      addEmbeds(properties, e.embeds, schema, options, merged);
    } else {
      properties[prefix + e.field] = embedNode(e, schema, options);
      if (!prefix) required.push(e.field);
    }
  }
  return required;
}

/** `_id` carries the key values as their storage class (convert/documents.ts buildId), never a planned type. */
function idNode(c: CollectionPlan, table: TableInfo, options: PlanOptions): JsonSchemaNode {
  const id = c.id;
  if (id.kind === 'rowid' || id.kind === 'sequence') return { bsonType: 'objectId' };
  const asStored = (column: string, field = column): FieldPlan => ({ column, field, type: 'auto', nulls: 'keep' });
  if (id.kind === 'column')
    return fieldNode(
      asStored(id.column),
      table.columns.find((x) => x.name === id.column),
      table,
      options,
    );
  const names = compositeIdNames(id);
  const parts = objectNode(
    id.columns.map((col, i) => asStored(col, names[i])),
    table,
    { ...options, nulls: 'keep' },
  );
  return { bsonType: 'object', ...parts };
}

/** The `$jsonSchema` validator of one planned collection. */
export function collectionJsonSchema(c: CollectionPlan, schema: SchemaInfo, options: PlanOptions): CollectionValidator {
  const table = findRelation(schema, c.table);
  if (!table) throw new Error(`table ${JSON.stringify(c.table)} is not in the database`);
  const own = objectNode(c.fields, table, options);
  const properties: Record<string, JsonSchemaNode> = Object.assign(
    Object.create(null),
    { _id: idNode(c, table, options) },
    own.properties,
  );
  for (const a of c.arrays) {
    const junction = findRelation(schema, a.junctionTable);
    const valueColumn = junction?.columns.find((x) => x.name === a.valueColumn);
    const item = junction
      ? fieldNode(
          { column: a.valueColumn, field: a.valueColumn, type: 'auto', nulls: 'omit' },
          valueColumn,
          junction,
          options,
        )
      : {};
    delete item.description;
    const ref = a.valueDocument && findRelation(schema, a.valueDocument.table);
    if (a.valueDocument && ref) {
      const sub = objectNode(a.valueDocument.fields, ref, options);
      properties[a.field] = {
        bsonType: 'array',
        items: { bsonType: 'object', ...sub },
        description: `the ${ref.name} row each ${a.junctionTable}.${a.valueColumn} refers to`,
      };
      continue;
    }
    properties[a.field] = {
      bsonType: 'array',
      items: item,
      description: `${a.junctionTable}.${a.valueColumn} of each junction row`,
    };
  }
  const embedded = addEmbeds(properties, c.embeds, schema, options);
  for (const f of c.computed ?? []) properties[f.field] = { description: `computed: ${f.expression}` };
  const required = ['_id', ...own.required, ...c.arrays.map((a) => a.field), ...embedded];
  return { $jsonSchema: { bsonType: 'object', required: [...new Set(required)], properties } };
}

/** Every collection's validator, keyed by collection name. */
export function planJsonSchemas(plan: MappingPlan, schema: SchemaInfo): Map<string, CollectionValidator> {
  return new Map(plan.collections.map((c) => [c.collection, collectionJsonSchema(c, schema, plan.options)]));
}

/**
 * Designer edits beyond relationships and columns (each a pure function returning a new plan): the plan-wide
 * options (null handling, time zone, naming convention), the `_id` rule of a collection, embeds nested inside an
 * embedded child, and a junction array whose elements are sub-documents of the referenced row.
 */
import { zoneOffset } from '../convert/zones';
import { MigrationError } from '../errors';
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { sanitizeFieldName } from './fieldNames';
import { applyNaming } from './naming';
import { listRelationships, relationshipId } from './relationships';
import type { CollectionPlan, EmbedPlan, FieldPlan, MappingPlan, NamingConvention, NullHandling } from './types';

export type DesignEdit =
  /** Plan-wide options; `naming` renames every collection and field (plan/naming.ts). */
  | { kind: 'options'; nulls?: NullHandling; timezone?: string; naming?: NamingConvention }
  /** The `_id` rule: one column's value, the composite primary key, or an ObjectId derived from the rowid. */
  | { kind: 'id'; table: string; rule: 'column' | 'composite' | 'rowid'; column?: string }
  /** Embeds relationship `id` (see relationshipId) inside the embed at `path` (embed field names from the collection). */
  | { kind: 'nestedEmbed'; collection: string; path: string[]; id: string; as: 'array' | 'document' }
  /** Removes the nested embed at `path` (its last name is the nested embed's field). */
  | { kind: 'removeNestedEmbed'; collection: string; path: string[] }
  /** A junction array's elements as sub-documents of the referenced row (true) or as its ids (false). */
  | { kind: 'junctionDocuments'; collection: string; field: string; documents: boolean };

const invalid = (message: string) => new MigrationError('PLAN_INVALID', message);

function tableOf(schema: SchemaInfo, name: string): TableInfo {
  const t = schema.tables.find((x) => x.name === name);
  if (!t) throw invalid(`No table ${name} in the database.`);
  return t;
}

function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}_${n}`;
  return candidate;
}

/** A table's columns as fields, typed as its own collection types them (or 'auto'). */
function fieldsOf(plan: MappingPlan, table: TableInfo, leaveOut: string[]): FieldPlan[] {
  const own = plan.collections.find((c) => c.table === table.name);
  const taken = new Set<string>();
  return table.columns
    .filter((c) => !leaveOut.includes(c.name))
    .map((c) => {
      const field = uniqueName(sanitizeFieldName(c.name), taken);
      taken.add(field);
      return { column: c.name, field, type: own?.fields.find((f) => f.column === c.name)?.type ?? 'auto' };
    });
}

function setOptions(plan: MappingPlan, edit: Extract<DesignEdit, { kind: 'options' }>): MappingPlan {
  let next = structuredClone(plan);
  if (edit.nulls) next.options.nulls = edit.nulls;
  if (edit.timezone !== undefined) {
    const zone = edit.timezone.trim();
    if (zoneOffset(zone) === null)
      throw invalid(
        `${JSON.stringify(zone)} is not "UTC", an offset like "+02:00" or a time zone like "Europe/Paris".`,
      );
    next.options.timezone = zone;
  }
  if (edit.naming) next = applyNaming(next, edit.naming);
  return next;
}

/** The columns `_id` is built from (none for a rowid or view `_id`). */
function idColumns(c: CollectionPlan): string[] {
  return c.id.kind === 'column' ? [c.id.column] : c.id.kind === 'composite' ? c.id.columns : [];
}

function setId(plan: MappingPlan, schema: SchemaInfo, edit: Extract<DesignEdit, { kind: 'id' }>): MappingPlan {
  const next = structuredClone(plan);
  const c = next.collections.find((x) => x.table === edit.table);
  if (!c) throw invalid(`Table ${edit.table} is not migrated as a collection: include it first.`);
  const table = tableOf(schema, edit.table);
  const before = idColumns(c);
  if (edit.rule === 'column') {
    if (!edit.column || !table.columns.some((x) => x.name === edit.column))
      throw invalid(`No column ${String(edit.column)} in ${table.name}.`);
    c.id = { kind: 'column', column: edit.column };
  } else if (edit.rule === 'composite') {
    if (table.primaryKey.length < 2) throw invalid(`${table.name} has no composite primary key.`);
    c.id = { kind: 'composite', columns: [...table.primaryKey] };
  } else {
    if (table.withoutRowid || table.view) throw invalid(`${table.name} has no rowid (WITHOUT ROWID or a view).`);
    const taken = new Set(c.fields.map((f) => f.field));
    c.id = { kind: 'rowid', rowidField: uniqueName('_rowid', taken) };
  }
  // Key columns are not repeated as fields: the new ones leave the fields, the old ones come back as fields.
  const after = idColumns(c);
  c.fields = c.fields.filter((f) => !after.includes(f.column));
  const taken = new Set(['_id', ...c.fields.map((f) => f.field), ...(c.id.kind === 'rowid' ? [c.id.rowidField] : [])]);
  for (const column of before.filter((x) => !after.includes(x))) {
    const field = uniqueName(sanitizeFieldName(column), taken);
    taken.add(field);
    c.fields.push({ column, field, type: 'auto' });
  }
  const order = (col: string) => table.columns.findIndex((x) => x.name === col);
  c.fields.sort((a, b) => order(a.column) - order(b.column));
  return next;
}

/** The embed at `path` (embed field names, outermost first) in a collection of `plan` (mutable). */
function embedAt(plan: MappingPlan, collection: string, path: string[]): EmbedPlan {
  const c = plan.collections.find((x) => x.collection === collection);
  let list = c?.embeds;
  let found: EmbedPlan | undefined;
  for (const name of path) {
    found = list?.find((e) => e.field === name);
    if (!found) throw invalid(`No embedded ${path.join('.')} in ${collection}.`);
    list = found.embeds;
  }
  if (!found) throw invalid(`No embedded field given in ${collection}.`);
  return found;
}

/** A document embed's field name from its key column: customer_id → customer, ReportsTo → ReportsTo_Employee. */
export function documentFieldName(columns: string[], parent: string): string {
  const m =
    columns.length === 1 ? /^(.+?)(?:[\s_-]+(?:id|Id|ID)|(?<=[\p{Ll}\p{N}])(?:Id|ID))$/u.exec(columns[0]) : null;
  if (m) return sanitizeFieldName(m[1]);
  const singular = parent.replace(/s$/i, '');
  return sanitizeFieldName(columns.length === 1 ? `${columns[0]}_${singular}` : singular);
}

function addNestedEmbed(
  plan: MappingPlan,
  schema: SchemaInfo,
  edit: Extract<DesignEdit, { kind: 'nestedEmbed' }>,
): MappingPlan {
  const next = structuredClone(plan);
  const outer = embedAt(next, edit.collection, edit.path);
  const r = listRelationships(schema).find((x) => relationshipId(x) === edit.id);
  if (!r) throw invalid(`No relationship ${edit.id} in the database.`);
  const isDocument = edit.as === 'document';
  if (isDocument ? r.child !== outer.table : r.parent !== outer.table)
    throw invalid(`${edit.id} does not start at ${outer.table}, the table embedded as ${edit.path.join('.')}.`);
  const table = tableOf(schema, isDocument ? r.parent : r.child);
  const taken = new Set([...outer.fields.map((f) => f.field), ...(outer.embeds ?? []).map((e) => e.field)]);
  const name = isDocument ? documentFieldName(r.columns, r.parent) : sanitizeFieldName(r.child);
  const nested: EmbedPlan = {
    field: uniqueName(name, taken),
    kind: edit.as,
    table: table.name,
    parentColumns: isDocument ? r.columns : r.refColumns,
    childColumns: isDocument ? r.refColumns : r.columns,
    fields: fieldsOf(plan, table, isDocument ? [] : r.columns),
    ...(isDocument ? {} : { onTooLarge: 'fail' as const }),
  };
  outer.embeds = [...(outer.embeds ?? []), nested];
  return next;
}

function removeNestedEmbed(plan: MappingPlan, edit: Extract<DesignEdit, { kind: 'removeNestedEmbed' }>): MappingPlan {
  const next = structuredClone(plan);
  if (edit.path.length < 2) throw invalid('Only an embed inside an embedded child is removed this way.');
  const outer = embedAt(next, edit.collection, edit.path.slice(0, -1));
  const field = edit.path.at(-1);
  if (!outer.embeds?.some((e) => e.field === field)) throw invalid(`No embedded ${edit.path.join('.')}.`);
  outer.embeds = outer.embeds.filter((e) => e.field !== field);
  if (outer.embeds.length === 0) delete outer.embeds;
  return next;
}

function setJunctionDocuments(
  plan: MappingPlan,
  schema: SchemaInfo,
  edit: Extract<DesignEdit, { kind: 'junctionDocuments' }>,
): MappingPlan {
  const next = structuredClone(plan);
  const a = next.collections.find((c) => c.collection === edit.collection)?.arrays.find((x) => x.field === edit.field);
  if (!a) throw invalid(`No junction array ${edit.field} in ${edit.collection}.`);
  if (!edit.documents) {
    delete a.valueDocument;
    return next;
  }
  const fk = tableOf(schema, a.junctionTable).foreignKeys.find(
    (f) => f.columns.length === 1 && f.columns[0] === a.valueColumn,
  );
  if (!fk) throw invalid(`${a.junctionTable}.${a.valueColumn} references no table.`);
  const referenced = tableOf(schema, fk.refTable);
  // The referenced row's key becomes the element's `_id` (`tags: [{ _id: 1, name: 'sqlite' }]`).
  const key = fk.refColumns[0];
  a.valueDocument = {
    table: referenced.name,
    keyColumn: key,
    fields: [{ column: key, field: '_id', type: 'auto' }, ...fieldsOf(plan, referenced, [key])],
  };
  return next;
}

export function applyDesignEdit(plan: MappingPlan, schema: SchemaInfo, edit: DesignEdit): MappingPlan {
  switch (edit.kind) {
    case 'options':
      return setOptions(plan, edit);
    case 'id':
      return setId(plan, schema, edit);
    case 'nestedEmbed':
      return addNestedEmbed(plan, schema, edit);
    case 'removeNestedEmbed':
      return removeNestedEmbed(plan, edit);
    case 'junctionDocuments':
      return setJunctionDocuments(plan, schema, edit);
  }
}

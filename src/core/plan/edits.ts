/**
 * The mapping designer's edits as pure functions on a plan: each returns a new plan (the input is not changed).
 * `defaults` is the default plan of the same file: a table or column brought back takes its default mapping.
 */
import { MigrationError } from '../errors';
import { applyRuleEdit, type RuleEdit } from './ruleEdits';
import { applyDesignEdit, documentFieldName, type DesignEdit } from './designEdits';
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { detectJunction, junctionArrayName } from './defaults';
import { withDerivedIndexes } from './derivedIndexes';
import { applyEmbed, listRelationships, type Relationship } from './relationships';
import type {
  ArrayFieldPlan,
  CollectionPlan,
  EmbedPlan,
  FieldPlan,
  FieldType,
  MappingPlan,
  NullHandling,
} from './types';

/**
 * How a foreign key maps: keep the key as a field ('reference'); embed the child rows in the parent as an array
 * ('array', or 'array-keep' to keep the child's own collection too); look the parent row up into the child as a
 * sub-document ('document') or merge its fields into the child's ('merge').
 */
export const RELATIONSHIP_MODES = ['reference', 'array', 'array-keep', 'document', 'merge'] as const;
export type RelationshipMode = (typeof RELATIONSHIP_MODES)[number];

/** A junction table: an array of ids in its owner (the table of its first key column), the other table, both, or its own collection. */
export const JUNCTION_MODES = ['owner', 'other', 'both', 'collection'] as const;
export type JunctionMode = (typeof JUNCTION_MODES)[number];

export type PlanEdit =
  | { kind: 'relationship'; id: string; mode: RelationshipMode }
  | { kind: 'junction'; table: string; mode: JunctionMode }
  | { kind: 'table'; table: string; include: boolean }
  | { kind: 'collectionName'; table: string; name: string }
  | {
      kind: 'column';
      table: string;
      column: string;
      include?: boolean;
      field?: string;
      type?: FieldType;
      nulls?: NullHandling | 'default';
      /** Numbers read as dates: epoch seconds or milliseconds ('none': text dates only). */
      epoch?: 'seconds' | 'milliseconds' | 'none';
    }
  | { kind: 'embedField'; collection: string; field: string; name: string }
  | { kind: 'embedPolicy'; collection: string; field: string; onTooLarge: 'fail' | 'reference' }
  | { kind: 'reset' }
  | RuleEdit
  | DesignEdit;

export interface DesignRelationship {
  /** Stable id: `child(col,…)->parent`. */
  id: string;
  child: string;
  columns: string[];
  parent: string;
  refColumns: string[];
  mode: RelationshipMode;
  /** The embedded field's name when embedded. */
  field?: string;
  /** The collection holding the embedded data when embedded. */
  collection?: string;
}

export interface DesignJunction {
  table: string;
  owner: string;
  other: string;
  mode: JunctionMode;
}

export const relationshipId = (r: Relationship) => `${r.child}(${r.columns.join(',')})->${r.parent}`;

const sameColumns = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function isArrayEmbedOf(e: EmbedPlan, r: Relationship): boolean {
  return e.kind === 'array' && e.table === r.child && sameColumns(e.childColumns, r.columns);
}
function isDocumentEmbedOf(e: EmbedPlan, r: Relationship): boolean {
  return e.kind === 'document' && e.table === r.parent && sameColumns(e.parentColumns, r.columns);
}

/** Junction tables (skipped as collections in the default plan) are designed through their own modes. */
function junctionTables(schema: SchemaInfo): Set<string> {
  return new Set(schema.tables.filter((t) => detectJunction(t, schema)).map((t) => t.name));
}

export function designRelationships(plan: MappingPlan, schema: SchemaInfo): DesignRelationship[] {
  const junctions = junctionTables(schema);
  return listRelationships(schema)
    .filter((r) => !junctions.has(r.child))
    .map((r) => {
      const base = { id: relationshipId(r), ...r };
      for (const c of plan.collections) {
        for (const e of c.embeds ?? []) {
          if (c.table === r.parent && isArrayEmbedOf(e, r)) {
            const kept = plan.collections.some((x) => x.table === r.child);
            return {
              ...base,
              mode: kept && r.child !== r.parent ? 'array-keep' : 'array',
              field: e.field,
              collection: c.collection,
            } as DesignRelationship;
          }
          if (c.table === r.child && isDocumentEmbedOf(e, r))
            return {
              ...base,
              mode: e.merge ? 'merge' : 'document',
              field: e.field,
              collection: c.collection,
            } as DesignRelationship;
        }
      }
      return { ...base, mode: 'reference' } as DesignRelationship;
    });
}

function junctionSides(table: TableInfo, schema: SchemaInfo) {
  const j = detectJunction(table, schema);
  if (!j) return null;
  const owner = j.array;
  const otherFk = table.foreignKeys.find((f) => f.columns[0] === owner.valueColumn)!;
  const ownerFk = table.foreignKeys.find((f) => f.columns[0] === owner.ownerColumn)!;
  const otherName = junctionArrayName(table.name, otherFk.refTable, ownerFk.refTable);
  const other: ArrayFieldPlan = {
    field: otherFk.refTable === ownerFk.refTable || otherName === owner.field ? `${owner.field}_of` : otherName,
    junctionTable: table.name,
    ownerColumn: owner.valueColumn,
    valueColumn: owner.ownerColumn,
    ownerKeyColumn: otherFk.refColumns[0],
  };
  return { owner: { table: ownerFk.refTable, array: owner }, other: { table: otherFk.refTable, array: other } };
}

export function designJunctions(plan: MappingPlan, schema: SchemaInfo): DesignJunction[] {
  const out: DesignJunction[] = [];
  for (const t of schema.tables) {
    const sides = junctionSides(t, schema);
    if (!sides) continue;
    const has = (side: 'owner' | 'other') =>
      plan.collections.some(
        (c) =>
          c.table === sides[side].table &&
          c.arrays.some((a) => a.junctionTable === t.name && a.ownerColumn === sides[side].array.ownerColumn),
      );
    const mode: JunctionMode =
      has('owner') && has('other') ? 'both' : has('other') ? 'other' : has('owner') ? 'owner' : 'collection';
    out.push({ table: t.name, owner: sides.owner.table, other: sides.other.table, mode });
  }
  return out;
}

function collectionOf(plan: MappingPlan, table: string): CollectionPlan {
  const c = plan.collections.find((x) => x.table === table);
  if (!c) throw new MigrationError('PLAN_INVALID', `Table ${table} is not migrated as a collection: include it first.`);
  return c;
}

/** Puts a table's collection back (its default mapping, in schema order) and drops its "skipped" entry. */
function restoreCollection(plan: MappingPlan, schema: SchemaInfo, defaults: MappingPlan, table: string): void {
  if (plan.collections.some((c) => c.table === table)) return;
  const table_ = schema.tables.find((t) => t.name === table);
  if (!table_) throw new MigrationError('PLAN_INVALID', `No table ${table} in the database.`);
  const fromDefaults = defaults.collections.find((c) => c.table === table);
  const restored: CollectionPlan = fromDefaults
    ? clone(fromDefaults)
    : {
        // A junction table (no collection in the default plan): its key columns are the whole row.
        collection: table,
        table,
        id:
          table_.primaryKey.length > 1
            ? { kind: 'composite', columns: [...table_.primaryKey] }
            : table_.primaryKey.length === 1
              ? { kind: 'column', column: table_.primaryKey[0] }
              : { kind: 'rowid', rowidField: '_rowid' },
        fields: table_.columns
          .filter((c) => !table_.primaryKey.includes(c.name))
          .map((c) => ({ column: c.name, field: c.name, type: 'auto' as const })),
        arrays: [],
        indexes: [],
      };
  if (plan.collections.some((c) => c.collection === restored.collection))
    restored.collection = `${restored.collection}_${table}`;
  const order = (t: string) => schema.tables.findIndex((x) => x.name === t);
  plan.collections = [...plan.collections, restored].sort((a, b) => order(a.table) - order(b.table));
  plan.skipped = plan.skipped.filter((s) => s.table !== table);
}

function setRelationship(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  id: string,
  mode: RelationshipMode,
): MappingPlan {
  const r = listRelationships(schema).find((x) => relationshipId(x) === id);
  if (!r) throw new MigrationError('PLAN_INVALID', `No foreign key ${id} in the database.`);
  let next = clone(plan);
  // First back to a reference: no embed of this relationship anywhere, and the child's collection back.
  let wasEmbeddedAway = false;
  for (const c of next.collections) {
    const before = c.embeds?.length ?? 0;
    c.embeds = (c.embeds ?? []).filter(
      (e) => !(c.table === r.parent && isArrayEmbedOf(e, r)) && !(c.table === r.child && isDocumentEmbedOf(e, r)),
    );
    if (c.embeds.length !== before && c.table === r.parent) wasEmbeddedAway = true;
    if (c.embeds.length === 0) delete c.embeds;
  }
  const stillEmbedded = next.collections.some((c) =>
    (c.embeds ?? []).some((e) => e.kind === 'array' && e.table === r.child),
  );
  if (
    wasEmbeddedAway &&
    !stillEmbedded &&
    next.skipped.some((s) => s.table === r.child && s.reason.startsWith('embedded into'))
  )
    restoreCollection(next, schema, defaults, r.child);
  if (mode === 'reference') return next;
  if (mode === 'array' || mode === 'array-keep') {
    const into = collectionOf(next, r.parent);
    const field = r.child;
    next = applyEmbed(next, schema, {
      into: into.collection,
      table: r.child,
      kind: 'array',
      field,
      keepCollection: mode === 'array-keep' || r.child === r.parent,
    });
    fixJoin(next, schema, into.collection, field, r, 'array');
    return next;
  }
  const into = collectionOf(next, r.child);
  // Named from the key column (customer_id → customer; a self-reference ReportsTo → ReportsTo_Employee).
  const field = documentFieldName(r.columns, r.parent);
  next = applyEmbed(next, schema, {
    into: into.collection,
    table: r.parent,
    kind: 'document',
    field,
    merge: mode === 'merge',
  });
  const added = next.collections.find((c) => c.collection === into.collection)!.embeds!.at(-1)!;
  fixJoin(next, schema, into.collection, added.field, r, 'document');
  return next;
}

/** applyEmbed takes the first foreign key between two tables; point the embed at the one the user chose. */
function fixJoin(
  plan: MappingPlan,
  schema: SchemaInfo,
  collection: string,
  field: string,
  r: Relationship,
  kind: 'array' | 'document',
): void {
  const e = plan.collections.find((c) => c.collection === collection)?.embeds?.find((x) => x.field === field);
  if (!e) return;
  const parentColumns = kind === 'array' ? r.refColumns : r.columns;
  const childColumns = kind === 'array' ? r.columns : r.refColumns;
  if (sameColumns(e.parentColumns, parentColumns) && sameColumns(e.childColumns, childColumns)) return;
  e.parentColumns = parentColumns;
  e.childColumns = childColumns;
  if (kind === 'array') {
    const child = schema.tables.find((t) => t.name === r.child)!;
    e.fields = child.columns
      .filter((c) => !r.columns.includes(c.name))
      .map((c) => e.fields.find((f) => f.column === c.name) ?? { column: c.name, field: c.name, type: 'auto' });
  }
}

function setJunction(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  table: string,
  mode: JunctionMode,
): MappingPlan {
  const t = schema.tables.find((x) => x.name === table);
  const sides = t && junctionSides(t, schema);
  if (!sides) throw new MigrationError('PLAN_INVALID', `${table} is not a junction table.`);
  const next = clone(plan);
  for (const c of next.collections) c.arrays = c.arrays.filter((a) => a.junctionTable !== table);
  next.collections = next.collections.filter((c) => c.table !== table);
  next.skipped = next.skipped.filter((s) => s.table !== table);
  if (mode === 'collection') {
    restoreCollection(next, schema, defaults, table);
    return next;
  }
  const added: string[] = [];
  for (const side of ['owner', 'other'] as const) {
    if (mode !== side && mode !== 'both') continue;
    const c = collectionOf(next, sides[side].table);
    const array = clone(sides[side].array);
    const taken = new Set([
      '_id',
      ...c.fields.map((f) => f.field),
      ...c.arrays.map((a) => a.field),
      ...(c.embeds ?? []).map((e) => e.field),
    ]);
    while (taken.has(array.field)) array.field = `${array.field}_ids`;
    c.arrays.push(array);
    added.push(`${sides[side].table}.${array.field}`);
  }
  next.skipped.push({ table, reason: `junction table folded into ${added.join(' and ')}` });
  return next;
}

function editColumn(
  plan: MappingPlan,
  defaults: MappingPlan,
  edit: Extract<PlanEdit, { kind: 'column' }>,
): MappingPlan {
  const next = clone(plan);
  const c = collectionOf(next, edit.table);
  let f = c.fields.find((x) => x.column === edit.column);
  if (edit.include === false) {
    c.fields = c.fields.filter((x) => x.column !== edit.column);
    return next;
  }
  if (!f) {
    const d = defaults.collections.find((x) => x.table === edit.table);
    const fromDefault = d?.fields.find((x) => x.column === edit.column);
    if (!fromDefault)
      throw new MigrationError(
        'PLAN_INVALID',
        `Column ${edit.column} of ${edit.table} cannot be a field (it is part of _id).`,
      );
    f = clone(fromDefault);
    const order = (col: string) => d!.fields.findIndex((x) => x.column === col);
    c.fields = [...c.fields, f].sort((a, b) => order(a.column) - order(b.column));
  }
  if (edit.field !== undefined && edit.field !== f.field) {
    const old = f.field;
    f.field = edit.field;
    for (const ix of c.indexes) ix.keys = ix.keys.map(([k, d]) => [k === old ? edit.field! : k, d]);
  }
  if (edit.type !== undefined) f.type = edit.type;
  if (edit.nulls === 'default') delete f.nulls;
  else if (edit.nulls !== undefined) (f as FieldPlan).nulls = edit.nulls;
  if (edit.epoch === 'none') delete f.epoch;
  else if (edit.epoch !== undefined) f.epoch = edit.epoch;
  return next;
}

/**
 * Applies one designer edit; throws MigrationError('PLAN_INVALID') for an edit that cannot apply. Every collection's
 * array and embed indexes then follow its arrays and embeds (plan/derivedIndexes.ts).
 */
export function applyPlanEdit(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  edit: PlanEdit,
): MappingPlan {
  const next = applyEdit(plan, schema, defaults, edit);
  return { ...next, collections: next.collections.map((c) => withDerivedIndexes(c, schema)) };
}

function applyEdit(plan: MappingPlan, schema: SchemaInfo, defaults: MappingPlan, edit: PlanEdit): MappingPlan {
  switch (edit.kind) {
    case 'reset':
      return clone(defaults);
    case 'relationship':
      return setRelationship(plan, schema, defaults, edit.id, edit.mode);
    case 'junction':
      return setJunction(plan, schema, defaults, edit.table, edit.mode);
    case 'table': {
      const next = clone(plan);
      if (edit.include) {
        if (junctionTables(schema).has(edit.table))
          return setJunction(next, schema, defaults, edit.table, 'collection');
        restoreCollection(next, schema, defaults, edit.table);
      } else {
        if (!next.collections.some((c) => c.table === edit.table)) return next;
        next.collections = next.collections.filter((c) => c.table !== edit.table);
        for (const c of next.collections) c.arrays = c.arrays.filter((a) => a.junctionTable !== edit.table);
        next.skipped = [
          ...next.skipped.filter((s) => s.table !== edit.table),
          { table: edit.table, reason: 'left out in the mapping designer' },
        ];
      }
      return next;
    }
    case 'collectionName': {
      const next = clone(plan);
      collectionOf(next, edit.table).collection = edit.name.trim();
      return next;
    }
    case 'column':
      return editColumn(plan, defaults, edit);
    case 'declareRelationship':
    case 'undeclareRelationship':
    case 'rejectRelationship':
    case 'filter':
    case 'computed':
      return applyRuleEdit(plan, edit);
    case 'options':
    case 'id':
    case 'nestedEmbed':
    case 'removeNestedEmbed':
    case 'junctionDocuments':
      return applyDesignEdit(plan, schema, edit);
    case 'embedField':
    case 'embedPolicy': {
      const next = clone(plan);
      const e = next.collections
        .find((c) => c.collection === edit.collection)
        ?.embeds?.find((x) => x.field === edit.field);
      if (!e) throw new MigrationError('PLAN_INVALID', `No embedded field ${edit.field} in ${edit.collection}.`);
      if (edit.kind === 'embedField') e.field = edit.name.trim();
      else e.onTooLarge = edit.onTooLarge;
      return next;
    }
  }
}

import type { SchemaInfo, SqlValue, TableInfo } from '../sqlite/types';
import { looksLikeExactDate } from '../convert/dates';
import { HISTORY_COLLECTION, INSERTED_IDS_COLLECTION } from '../history/records';
import { quoteIdent } from '../sqlite/sql';
import { rowidAlias } from '../sqlite/rows';
import { derivedIndexes } from './derivedIndexes';
import { assignFieldNames, compositeIdNames } from './fieldNames';
import {
  DEFAULT_PLAN_OPTIONS,
  PLAN_VERSION,
  type ArrayFieldPlan,
  type CollectionPlan,
  type FieldPlan,
  type FieldType,
  type IndexPlan,
  type MappingPlan,
  type PlanOptions,
  type SkippedTable,
} from './types';

/** Returns up to `limit` non-null sample values of a column (used to detect text dates). */
export type ColumnSampler = (table: string, column: string, limit: number) => SqlValue[];

/** Runs a `SELECT count(*) …` over the source (the default plan looks at the data where the schema cannot tell). */
export type RowCounter = (sql: string) => number;

/** Collections the tool keeps for itself in every target database. */
export const RESERVED_COLLECTIONS = [HISTORY_COLLECTION, INSERTED_IDS_COLLECTION];

/**
 * A collection name MongoDB (and FerretDB) accepts for a table name, unique among `taken`: `$` and NUL become `_`,
 * an empty name `_`, `system.` (reserved by the server) or a leading `.` gets a leading `_`, and the tool's own collections are
 * never reused. Long names are cut to 120 bytes (the namespace, database name included, must stay under 255).
 */
export function collectionNameFor(table: string, taken: Set<string>): string {
  let name = table.replace(/[$\u0000]/g, '_');
  if (name === '') name = '_';
  if (/^(system\.|\.)/.test(name)) name = `_${name}`;
  while (Buffer.byteLength(name, 'utf8') > 120) name = name.slice(0, -1);
  let candidate = name;
  for (let n = 2; taken.has(candidate) || RESERVED_COLLECTIONS.includes(candidate); n++) candidate = `${name}_${n}`;
  taken.add(candidate);
  return candidate;
}

const DATE_SAMPLE_SIZE = 200;

/** Declared types whose values are dates, following SQLite's conventions (DATE, DATETIME, TIMESTAMP…). */
function isDateDeclaredType(declared: string): boolean {
  return /\b(DATE|DATETIME|TIMESTAMP)\b|TIMESTAMP/i.test(declared);
}

function isBooleanDeclaredType(declared: string): boolean {
  return /^\s*BOOL(EAN)?\b/i.test(declared);
}

/** SQLite's TEXT affinity (declared type contains CHAR, CLOB or TEXT) or no declared type at all. */
function mayHoldText(declared: string): boolean {
  return declared.trim() === '' || /CHAR|CLOB|TEXT/i.test(declared);
}

export function defaultFieldType(
  table: string,
  column: { name: string; declaredType: string },
  options: PlanOptions,
  sampler?: ColumnSampler,
): FieldType {
  if (isDateDeclaredType(column.declaredType)) return 'date';
  if (isBooleanDeclaredType(column.declaredType)) return 'bool';
  if (options.detectTextDates && sampler && mayHoldText(column.declaredType)) {
    const sample = sampler(table, column.name, DATE_SAMPLE_SIZE);
    // Only when a Date keeps every sampled text whole: sub-millisecond digits or UTC offsets would be lost.
    if (sample.length > 0 && sample.every((v) => typeof v === 'string' && looksLikeExactDate(v))) return 'date';
  }
  return 'auto';
}

interface JunctionInfo {
  junction: TableInfo;
  owner: TableInfo;
  array: ArrayFieldPlan;
}

/**
 * A pure junction table has exactly two columns, both in its primary key, each a single-column foreign key to a
 * table with a single-column primary key. The table referenced by the first key column owns the array.
 */
export function detectJunction(table: TableInfo, schema: SchemaInfo): JunctionInfo | null {
  if (table.columns.length !== 2 || table.primaryKey.length !== 2) return null;
  const refs = table.primaryKey.map((col) => {
    const fk = table.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === col);
    if (!fk) return null;
    const target = schema.tables.find((t) => t.name === fk.refTable);
    if (!target || target.primaryKey.length !== 1 || fk.refColumns[0] !== target.primaryKey[0]) return null;
    return { col, target, refColumn: fk.refColumns[0] };
  });
  if (!refs[0] || !refs[1]) return null;
  const [owner, value] = refs as [NonNullable<(typeof refs)[0]>, NonNullable<(typeof refs)[0]>];
  return {
    junction: table,
    owner: owner.target,
    array: {
      field: junctionArrayName(table.name, owner.target.name, value.target.name),
      junctionTable: table.name,
      ownerColumn: owner.col,
      valueColumn: value.col,
      ownerKeyColumn: owner.refColumn,
    },
  };
}

/**
 * Names the array after the junction table with the owner's name taken off the front:
 * resource_dependencies on resources → dependencies; PlaylistTrack on Playlist → Tracks.
 * Falls back to the referenced table's name. A trailing "s" is added when missing (it holds many ids).
 */
export function junctionArrayName(junctionName: string, ownerName: string, valueTableName: string): string {
  const stems = [ownerName, ownerName.replace(/s$/i, '')].filter((s) => s.length > 0);
  let rest = junctionName;
  for (const stem of stems) {
    if (rest.toLowerCase().startsWith(stem.toLowerCase()) && rest.length > stem.length) {
      rest = rest.slice(stem.length).replace(/^[_\s-]+/, '');
      break;
    }
  }
  if (rest === junctionName || rest === '') rest = valueTableName;
  return /s$/i.test(rest) ? rest : `${rest}s`;
}

/** Field path of a source column in the target document ('_id', '_id.col' or the mapped field). */
function fieldPathFor(col: string, plan: CollectionPlan): string | null {
  if (plan.id.kind === 'column' && plan.id.column === col) return '_id';
  if (plan.id.kind === 'composite' && plan.id.columns.includes(col))
    return `_id.${compositeIdNames(plan.id)[plan.id.columns.indexOf(col)]}`;
  if (plan.id.kind === 'rowid' && col === 'rowid') return plan.id.rowidField;
  return plan.fields.find((f) => f.column === col)?.field ?? null;
}

function planIndexes(table: TableInfo, schema: SchemaInfo, plan: CollectionPlan, warnings: string[]): IndexPlan[] {
  const indexes: IndexPlan[] = [];
  const seen = new Set<string>(['_id']);
  const add = (index: IndexPlan) => {
    const signature = index.keys.map(([f, d]) => `${f}:${d}`).join(',');
    if (seen.has(signature)) return;
    seen.add(signature);
    indexes.push(index);
  };
  // The primary key becomes `_id`, which MongoDB always indexes uniquely.
  seen.add(
    plan.id.kind === 'composite'
      ? compositeIdNames(plan.id)
          .map((c) => `_id.${c}:1`)
          .join(',')
      : '_id:1',
  );
  for (const ix of table.indexes) {
    if (ix.origin === 'pk') continue;
    if (ix.partial || ix.columns.some((c) => c === null)) {
      warnings.push(
        `Index ${ix.name} on ${table.name} is ${ix.partial ? 'partial' : 'on an expression'}; it is not created in MongoDB.`,
      );
      continue;
    }
    const keys: Array<[string, 1 | -1]> = [];
    for (let i = 0; i < ix.columns.length; i++) {
      const path = fieldPathFor(ix.columns[i] as string, plan);
      if (!path) break;
      keys.push([path, ix.descending[i] ? -1 : 1]);
    }
    if (keys.length !== ix.columns.length) continue;
    add({ name: ix.name, keys, unique: ix.unique, origin: 'sqlite' });
  }
  for (const derived of derivedIndexes(plan, schema)) add(derived);
  for (const fk of table.foreignKeys) {
    const paths = fk.columns.map((c) => fieldPathFor(c, plan));
    if (paths.some((p) => !p)) continue;
    const keys = paths.map((p) => [p as string, 1] as [string, 1]);
    // A SQLite index already covering these fields as a prefix serves the same lookups.
    const covered = indexes.some((ix) => keys.every(([f], i) => ix.keys[i]?.[0] === f));
    if (covered || (keys.length === 1 && keys[0][0] === '_id')) continue;
    add({ name: `${paths.join('_')}_fk`, keys, unique: false, origin: 'foreign-key' });
  }
  return indexes;
}

const CHANGE_COLUMN = /^(updated_?at|modified_?at|last_?modified|last_?updated|mtime|changed_?at)$/i;

/** The watermark for incremental sync: a last-modified column, else the rowid (new rows only), else none. */
export function incrementalColumn(table: TableInfo): string | null {
  const changed = table.columns.find((c) => CHANGE_COLUMN.test(c.name));
  if (changed) return changed.name;
  return table.withoutRowid ? null : 'rowid';
}

export interface DefaultPlanResult {
  plan: MappingPlan;
  /** Things a reviewer should know (indexes not carried over, …). */
  notes: string[];
}

/** Junction rows no owner row takes: the owner is missing (SQLite does not enforce foreign keys by default) or NULL. */
function orphanJunctionSql(j: JunctionInfo): string {
  const a = j.array;
  return `SELECT count(*) FROM ${quoteIdent(j.junction.name)} AS j WHERE NOT EXISTS (SELECT 1 FROM ${quoteIdent(j.owner.name)} AS p WHERE p.${quoteIdent(a.ownerKeyColumn)} = j.${quoteIdent(a.ownerColumn)})`;
}

/**
 * The primary key as `_id`; none: an ObjectId from the rowid. A rowid table's non-INTEGER key may hold NULLs (a
 * legacy SQLite quirk) and such rows cannot have an `_id`: then the rowid keys the documents and the key columns
 * stay fields.
 */
function defaultId(table: TableInfo, count: RowCounter | undefined, notes: string[]): CollectionPlan['id'] {
  const pk = table.primaryKey;
  if (pk.length > 0 && !table.withoutRowid && count && rowidAlias(table)) {
    const nulls = count(
      `SELECT count(*) FROM ${quoteIdent(table.name)} WHERE ${pk.map((c) => `${quoteIdent(c)} IS NULL`).join(' OR ')}`,
    );
    if (nulls > 0) {
      notes.push(
        `${table.name}: ${nulls} rows have a NULL primary key (${pk.join(', ')}); _id is an ObjectId from the rowid, and ${pk.join(', ')} ${pk.length === 1 ? 'is a field' : 'are fields'}.`,
      );
      return { kind: 'rowid', rowidField: '_rowid' };
    }
  }
  if (pk.length === 1) return { kind: 'column', column: pk[0] };
  if (pk.length > 1) return { kind: 'composite', columns: [...pk] };
  return { kind: 'rowid', rowidField: '_rowid' };
}

/** Derives the default mapping plan from the schema (see docs/mapping-plan.md for the rules). */
export function buildDefaultPlan(
  schema: SchemaInfo,
  opts: {
    sampler?: ColumnSampler;
    count?: RowCounter;
    options?: Partial<PlanOptions>;
    sourceFile?: string;
    includeViews?: boolean;
  } = {},
): DefaultPlanResult {
  const options: PlanOptions = { ...DEFAULT_PLAN_OPTIONS, ...opts.options };
  const notes: string[] = [];
  const skipped: SkippedTable[] = [];
  const arraysByOwner = new Map<string, ArrayFieldPlan[]>();
  for (const table of schema.tables) {
    const junction = detectJunction(table, schema);
    if (!junction) continue;
    const orphans = opts.count?.(orphanJunctionSql(junction)) ?? 0;
    if (orphans > 0) {
      // Folding would leave these rows in no array: keep the junction table as a collection of its own.
      notes.push(
        `${table.name} is kept as a collection, not folded into ${junction.owner.name}.${junction.array.field}: ${orphans} of its rows have no ${junction.owner.name} row (or a NULL ${junction.array.ownerColumn}).`,
      );
      continue;
    }
    const list = arraysByOwner.get(junction.owner.name) ?? [];
    list.push(junction.array);
    arraysByOwner.set(junction.owner.name, list);
    skipped.push({
      table: table.name,
      reason: `junction table folded into ${junction.owner.name}.${junction.array.field}`,
    });
  }
  const collections: CollectionPlan[] = [];
  const collectionNames = new Set<string>();
  for (const table of schema.tables) {
    if (skipped.some((s) => s.table === table.name)) continue;
    const id = defaultId(table, opts.count, notes);
    const arrays = arraysByOwner.get(table.name) ?? [];
    const dataColumns = table.columns.filter(
      (c) =>
        !(id.kind === 'column' && c.name === id.column) && !(id.kind === 'composite' && id.columns.includes(c.name)),
    );
    const taken = ['_id', ...(id.kind === 'rowid' ? [id.rowidField] : [])];
    const fieldNames = assignFieldNames(
      dataColumns.map((c) => c.name),
      taken,
    );
    const fields: FieldPlan[] = dataColumns.map((c, i) => ({
      column: c.name,
      field: fieldNames[i],
      type: defaultFieldType(table.name, c, options, opts.sampler),
    }));
    // Array fields must not collide with column fields either.
    const arrayNames = assignFieldNames(
      arrays.map((a) => a.field),
      [...taken, ...fieldNames],
    );
    const namedArrays = arrays.map((a, i) => ({ ...a, field: arrayNames[i] }));
    const collection: CollectionPlan = {
      collection: collectionNameFor(table.name, collectionNames),
      table: table.name,
      id,
      fields,
      arrays: namedArrays,
      indexes: [],
    };
    const watermark = incrementalColumn(table);
    if (watermark) collection.incremental = { column: watermark };
    collection.indexes = planIndexes(table, schema, collection, notes);
    collections.push(collection);
  }
  for (const view of schema.views) {
    if (!opts.includeViews || view.columns.length === 0) {
      skipped.push({
        table: view.name,
        reason: view.columns.length === 0 ? 'view that does not compile' : 'view (include views with --include-views)',
      });
      continue;
    }
    const names = assignFieldNames(
      view.columns.map((c) => c.name),
      ['_id'],
    );
    const fields: FieldPlan[] = view.columns.map((c, i) => ({
      column: c.name,
      field: names[i],
      type: defaultFieldType(view.name, c, options, opts.sampler),
    }));
    collections.push({
      collection: collectionNameFor(view.name, collectionNames),
      table: view.name,
      id: { kind: 'sequence' },
      fields,
      arrays: [],
      indexes: [],
    });
  }
  return {
    plan: {
      version: PLAN_VERSION,
      ...(opts.sourceFile ? { source: { file: opts.sourceFile } } : {}),
      options,
      collections,
      skipped,
    },
    notes,
  };
}

/** The default mapping plan derived from a schema (docs/mapping-plan.md has the rules). */
import type { SchemaInfo, TableInfo } from '../sqlite/types';
import { quoteIdent } from '../sqlite/sql';
import { rowidAlias } from '../sqlite/rows';
import { collectionNameFor } from './collectionNames';
import { planIndexes } from './defaultIndexes';
import { assignFieldNames } from './fieldNames';
import { defaultFieldType, type ColumnSampler } from './fieldTypes';
import { detectJunction, type JunctionInfo } from './junctions';
import {
  DEFAULT_PLAN_OPTIONS,
  PLAN_VERSION,
  type ArrayFieldPlan,
  type CollectionPlan,
  type FieldPlan,
  type MappingPlan,
  type PlanOptions,
  type SkippedTable,
} from './types';

/** Runs a `SELECT count(*) …` over the source (the default plan looks at the data where the schema cannot tell). */
export type RowCounter = (sql: string) => number;

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

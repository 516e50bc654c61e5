/**
 * What the mapping designer shows next to a plan before anything is migrated: the plan's problems (checkPlan's
 * list: name clashes, missing columns…), type overrides that will not hold for the file's actual values (found by
 * running the migration's own converters over a sample of the column), and embedded arrays whose largest parent
 * comes close to MongoDB's 16 MiB document limit (one SQL aggregate per embedded array).
 */
import { Long } from 'mongodb';
import { makeConverter } from '../convert/values';
import { plural } from '../format';
import { iterateQuery, quoteIdent, type SqliteSource } from '../sqlite';
import type { SchemaInfo, SqlValue } from '../sqlite/types';
import { planProblems } from './check';
import type { EmbedPlan, FieldPlan, MappingPlan, PlanOptions } from './types';

export type PlanWarningKind = 'problem' | 'lossy-type' | 'too-large';

export interface PlanWarning {
  kind: PlanWarningKind;
  /** 'error': the migration refuses this plan; 'warning': it runs, but not quite as the plan says. */
  severity: 'error' | 'warning';
  /** The collection it concerns, when one. */
  collection?: string;
  /** The field path in that collection ('price', 'order_lines.qty'), when one. */
  field?: string;
  message: string;
}

export interface WarningOptions {
  /** Non-null values of a column run through a type override's converter (default 5,000). */
  sampleSize?: number;
  /** An embedded array whose largest parent holds more than this many bytes of child data is reported (default 12 MiB). */
  sizeWarningBytes?: number;
}

const MiB = 1024 * 1024;
const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

function scalar(source: SqliteSource, sql: string): SqlValue[] {
  for (const row of iterateQuery(source, sql)) return row;
  return [];
}

/** Lists every warning for a plan over the file it maps. Never throws for a bad plan: that is a warning too. */
export function planWarnings(
  source: SqliteSource,
  schema: SchemaInfo,
  plan: MappingPlan,
  opts: WarningOptions = {},
): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  for (const p of planProblems(plan, schema)) {
    const m = /^collections\[\d+\] \((.*?)\): (.*)$/.exec(p);
    warnings.push({
      kind: 'problem',
      severity: 'error',
      ...(m ? { collection: m[1], message: m[2] } : { message: p }),
    });
  }
  for (const c of plan.collections ?? []) {
    const table = schema.tables.find((t) => t.name === c.table);
    if (!table) continue;
    for (const f of c.fields ?? []) {
      const message = typeWarning(source, c.table, f, plan.options, opts.sampleSize ?? 5000);
      if (message)
        warnings.push({ kind: 'lossy-type', severity: 'warning', collection: c.collection, field: f.field, message });
    }
    embedWarnings(source, schema, plan.options, c.collection, c.table, c.embeds, '', warnings, opts);
  }
  return warnings;
}

/** Lossy type overrides and near-16-MiB arrays of embeds, at every depth (fields named by their path). */
function embedWarnings(
  source: SqliteSource,
  schema: SchemaInfo,
  options: PlanOptions,
  collection: string,
  parentTable: string,
  embeds: EmbedPlan[] | undefined,
  path: string,
  warnings: PlanWarning[],
  opts: WarningOptions,
): void {
  for (const e of embeds ?? []) {
    if (!schema.tables.some((t) => t.name === e.table)) continue;
    for (const f of e.fields ?? []) {
      const message = typeWarning(source, e.table, f, options, opts.sampleSize ?? 5000);
      if (message)
        warnings.push({
          kind: 'lossy-type',
          severity: 'warning',
          collection,
          field: `${path}${e.field}.${f.field}`,
          message,
        });
    }
    if (e.kind === 'array') {
      const large = largestParent(source, schema, parentTable, e, opts.sizeWarningBytes ?? 12 * MiB);
      if (large)
        warnings.push({
          kind: 'too-large',
          severity: 'warning',
          collection,
          field: `${path}${e.field}`,
          message: large,
        });
    }
    embedWarnings(source, schema, options, collection, e.table, e.embeds, `${path}${e.field}.`, warnings, opts);
  }
}

/**
 * Why a type override will not hold for this column's values, or null. The values are converted exactly as the
 * migration converts them; a value the converter keeps as it was (and counts as a warning) is a lossy override.
 */
export function typeWarning(
  source: SqliteSource,
  table: string,
  field: FieldPlan,
  options: PlanOptions,
  sampleSize = 5000,
): string | null {
  if (field.type === 'auto' || field.type === 'binary') return null;
  const col = quoteIdent(field.column);
  const from = quoteIdent(table);
  const notes: string[] = [];
  if (field.type === 'int') {
    // Over the whole column (an indexed min/max is cheap): an INTEGER beyond int32 is written as a long instead.
    const [min, max] = scalar(source, `SELECT min(${col}), max(${col}) FROM ${from} WHERE typeof(${col}) = 'integer'`);
    const out = [min, max].filter((v): v is bigint => typeof v === 'bigint' && (v < INT32_MIN || v > INT32_MAX));
    if (out.length > 0) notes.push(`values beyond int32 (e.g. ${out[out.length - 1]}) are written as long, not int`);
  }
  // For int and long, whole numbers always convert: only the other values need a look.
  const where =
    field.type === 'int' || field.type === 'long'
      ? `${col} IS NOT NULL AND typeof(${col}) <> 'integer'`
      : `${col} IS NOT NULL`;
  const convert = makeConverter({ ...field, nulls: 'keep' }, options);
  let sampled = 0;
  let failed = 0;
  let example: string | undefined;
  for (const [v] of iterateQuery(
    source,
    `SELECT ${col} FROM ${from} WHERE ${where} LIMIT ${Math.max(1, Math.floor(sampleSize))}`,
  )) {
    sampled++;
    let bad = false;
    const out = convert(v, (w) => {
      bad = true;
      example ??= w.value;
    });
    if (field.type === 'int' && out instanceof Long && !bad && notes.length === 0)
      notes.push(`values beyond int32 (e.g. ${String(v)}) are written as long, not int`);
    if (bad) failed++;
  }
  if (failed > 0) {
    const scope = sampled >= sampleSize ? ` (in a sample of ${plural(sampled, 'value')})` : '';
    notes.unshift(
      `${plural(failed, 'value')}${scope} cannot become ${field.type} (e.g. ${JSON.stringify(example)}) and ${failed === 1 ? 'is' : 'are'} kept as ${failed === 1 ? 'it is' : 'they are'}, each counted as a conversion warning`,
    );
  }
  return notes.length > 0 ? `${table}.${field.column} as ${field.type}: ${notes.join('; ')}.` : null;
}

/**
 * The parent with the most child data in an embedded array (one GROUP BY over the child table): bytes of the
 * child columns' values (text and blobs by their byte length) plus each field name, per parent key. Reported when
 * over `limitBytes`, naming the parent's key and the plan's policy for documents over 16 MiB.
 */
export function largestParent(
  source: SqliteSource,
  schema: SchemaInfo,
  parentTable: string,
  e: EmbedPlan,
  limitBytes: number,
): string | null {
  const child = schema.tables.find((t) => t.name === e.table);
  if (!child || e.childColumns.length === 0 || e.fields.length === 0) return null;
  const keys = e.childColumns.map(quoteIdent);
  // BSON per element: a type byte, the name and its NUL, the value (length() of a BLOB cast counts UTF-8 bytes).
  const rowBytes = e.fields
    .map((f) => `${f.field.length + 2} + coalesce(length(CAST(${quoteIdent(f.column)} AS BLOB)), 0)`)
    .join(' + ');
  const sql = `SELECT ${keys.join(', ')}, sum(${rowBytes} + 16) AS bytes, count(*) AS n FROM ${quoteIdent(child.name)} WHERE ${keys.map((k) => `${k} IS NOT NULL`).join(' AND ')} GROUP BY ${keys.join(', ')} ORDER BY bytes DESC LIMIT 1`;
  const row = scalar(source, sql);
  if (row.length === 0) return null;
  const bytes = Number(row[keys.length]);
  const count = Number(row[keys.length + 1]);
  if (!(bytes > limitBytes)) return null;
  const key = e.parentColumns.map((c, i) => `${c} = ${formatKey(row[i])}`).join(', ');
  const policy =
    e.onTooLarge === 'reference'
      ? 'a document over 16 MiB keeps references (the child keys) instead, per the plan'
      : 'a document over 16 MiB fails the migration (set the policy to "reference" to keep child keys instead)';
  return `The largest ${parentTable} row (${key}) has ${plural(count, `${e.table} row`)} with about ${mib(bytes)} of data to embed in ${e.field}: close to MongoDB's 16 MiB document limit; ${policy}.`;
}

function formatKey(v: SqlValue | undefined): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}

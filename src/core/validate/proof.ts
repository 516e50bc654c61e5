/**
 * Validation that does not trust the converter: every document in MongoDB is paired (by `_id`) with the SQLite
 * row it must come from, read apart from the converter (sourceRows.ts), and every stored value is checked against
 * the raw SQLite value with the `carries` relation (faithful.ts). A bug in the conversion shows as a mismatch.
 */
import { createHash } from 'node:crypto';
import { BSON, Binary, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { throwIfAborted } from '../errors';
import { compositeIdNames } from '../plan/fieldNames';
import { INVALID_TEXT_SUBTYPE, type CollectionPlan, type FieldPlan, type PlanOptions } from '../plan/types';
import { parseZoneOffset } from '../convert/dates';
import { findRelation, type SqliteSource } from '../sqlite';
import { InvalidText, type SchemaInfo, type SqlValue } from '../sqlite/types';
import { showValue, type Mismatch } from './compare';
import { carries, carriesAsStored, describeSql, type CarryRule } from './faithful';
import { SourceRowReader, type SourceRow } from './sourceRows';
import { carriesComputed, ComputedExpectations, describeComputed } from './computedCheck';
import { checkJsonSchema } from './schemaCheck';
import type { JsonSchemaNode } from '../plan/jsonSchema';
import { idKeyOf, type CollectionValidation, type ValidateOptions } from './validator';

const DESERIALIZE = { promoteValues: false, promoteLongs: false, promoteBuffers: false, bsonRegExp: true } as const;

export interface ProofResult extends CollectionValidation {
  /** Parent rows read from SQLite (the rows the collection must account for). */
  rowsRead: number;
  /** Rows whose key holds a NULL: they cannot have an `_id` and are refused (never written). */
  nullKeyRows: number;
  /** Rows a computed field cannot be evaluated for: refused (never written). */
  uncomputableRows: number;
  /** Documents that break the collection's generated $jsonSchema (when one was given), and a few examples. */
  schemaViolations: number;
  schemaSamples: string[];
}

/** A SQLite value as BSON stores it under the storage-class rule: what an `_id` made of key columns is. */
function stored(v: SqlValue): unknown {
  if (typeof v === 'bigint') return v >= -(2n ** 31n) && v < 2n ** 31n ? new Int32(Number(v)) : Long.fromBigInt(v);
  if (typeof v === 'number') return new Double(v);
  if (v instanceof InvalidText) return new Binary(v.bytes, INVALID_TEXT_SUBTYPE);
  if (v instanceof Uint8Array) return new Binary(v);
  return v;
}

/** `_id` of a row without a key column: 4 bytes of sha256(table name), then the rowid (or position) as int64. */
function positionId(table: string, n: bigint): ObjectId {
  const bytes = Buffer.alloc(12);
  createHash('sha256').update(table).digest().copy(bytes, 0, 0, 4);
  bytes.writeBigInt64BE(BigInt.asIntN(64, n), 4);
  return new ObjectId(bytes);
}

/** The `_id` the plan gives a row, or undefined when its key holds a NULL (no document may carry it). */
function expectedId(plan: CollectionPlan, row: SourceRow): unknown {
  const id = plan.id;
  if (id.kind === 'column') return row.values[id.column] === null ? undefined : stored(row.values[id.column]);
  if (id.kind === 'composite') {
    if (id.columns.some((c) => row.values[c] === null)) return undefined;
    const names = compositeIdNames(id);
    const sub: Document = {};
    id.columns.forEach((c, i) =>
      Object.defineProperty(sub, names[i], {
        value: stored(row.values[c]),
        enumerable: true,
        writable: true,
        configurable: true,
      }),
    );
    return sub;
  }
  return positionId(plan.table, id.kind === 'rowid' ? (row.rowid as bigint) : row.ordinal);
}

export interface ProveOptions extends Omit<ValidateOptions, 'collectionName'> {
  where?: string;
  params?: SqlValue[];
  /** Also check every document against this $jsonSchema (plan/jsonSchema.ts), on our side. */
  jsonSchema?: JsonSchemaNode;
}

/** Proves one planned collection against its source table; same result shape as validateCollection. */
export async function proveCollection(
  source: SqliteSource,
  schema: SchemaInfo,
  plan: CollectionPlan,
  options: PlanOptions,
  collection: Collection,
  opts: ProveOptions = {},
): Promise<ProofResult> {
  const table = findRelation(schema, plan.table);
  if (!table) throw new Error(`table ${plan.table} is not in the schema`);
  const children = (plan.embeds ?? []).map((e) => findRelation(schema, e.table) ?? table);
  const reader = new SourceRowReader(source, table, plan, children);
  const check = new DocumentCheck(plan, options);
  const name = plan.collection;
  const keep = opts.keepMismatches ?? 1000;
  const result: ProofResult = {
    collection: name,
    expected: 0,
    actual: 0,
    matched: 0,
    differing: 0,
    missing: 0,
    extra: 0,
    mismatchCount: 0,
    mismatches: [],
    others: 0,
    rowsRead: 0,
    nullKeyRows: 0,
    uncomputableRows: 0,
    schemaViolations: 0,
    schemaSamples: [],
  };
  const record = (m: Mismatch) => {
    result.mismatchCount++;
    if (result.mismatches.length < keep) result.mismatches.push(m);
    opts.onMismatch?.(m);
  };
  const judge = (row: SourceRow, id: unknown, raw: Buffer) => {
    const doc = BSON.deserialize(raw, DESERIALIZE);
    if (opts.jsonSchema) {
      const broken = checkJsonSchema(doc, opts.jsonSchema);
      if (broken.length > 0 && ++result.schemaViolations <= 5)
        result.schemaSamples.push(
          `_id ${showValue(id)}: ${broken.map((v) => `${v.path || '(document)'} ${v.detail}`).join('; ')}`,
        );
    }
    const diffs = check.document(doc, row, name, showValue(id));
    if (diffs.length === 0) result.matched++;
    else {
      result.differing++;
      diffs.forEach(record);
    }
  };
  // Rows and documents out of step wait here until their partner arrives, keyed by the _id's BSON bytes.
  const rows = new Map<string, { row: SourceRow; id: unknown }>();
  const docs = new Map<string, Buffer>();
  const cursor = collection.find(opts.filter ?? {}, { raw: true, batchSize: 5000 });
  const actualIt = cursor[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const rowIt = reader.rows({ where: opts.where, params: opts.params });
  let rowsDone = false,
    docsDone = false;
  try {
    while (!rowsDone || !docsDone) {
      const r = rowsDone ? undefined : rowIt.next();
      if (r?.done) rowsDone = true;
      const a = docsDone ? undefined : await actualIt.next();
      if (a?.done) docsDone = true;
      if (r && !r.done) {
        result.rowsRead++;
        const id = expectedId(plan, r.value);
        if (id === undefined) result.nullKeyRows++;
        else if (check.uncomputable(r.value)) result.uncomputableRows++;
        else {
          result.expected++;
          const k = idKeyOf(BSON.serialize({ _id: id }));
          const raw = docs.get(k);
          if (raw) {
            docs.delete(k);
            judge(r.value, id, raw);
          } else rows.set(k, { row: r.value, id });
        }
      }
      if (a && !a.done) {
        result.actual++;
        const k = idKeyOf(a.value);
        const waiting = rows.get(k);
        if (waiting) {
          rows.delete(k);
          judge(waiting.row, waiting.id, a.value);
        } else docs.set(k, a.value);
      }
      if ((result.rowsRead & 1023) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.(result.rowsRead);
      }
    }
  } finally {
    rowIt.return(undefined);
    await cursor.close().catch(() => undefined);
  }
  for (const { id } of rows.values()) {
    result.missing++;
    record({ collection: name, id: showValue(id), kind: 'missing-document', path: '' });
  }
  for (const raw of docs.values()) {
    if (opts.allowOthers) {
      result.others++;
      continue;
    }
    const d = BSON.deserialize(raw, DESERIALIZE);
    result.extra++;
    record({ collection: name, id: showValue(d._id), kind: 'extra-document', path: '', actual: showValue(d, 300) });
  }
  opts.onProgress?.(result.rowsRead);
  return result;
}

function ruleOf(f: FieldPlan, options: PlanOptions): CarryRule {
  const fixed = parseZoneOffset(options.timezone);
  return {
    type: f.type,
    omitNull: (f.nulls ?? options.nulls) === 'omit',
    epoch: f.epoch,
    offsetMinutes: fixed ?? 0,
    ...(fixed === null ? { zone: options.timezone } : {}),
  };
}

/** Checks one document against its source row: every planned field, every array entry, no field more. */
class DocumentCheck {
  private readonly rules: CarryRule[];
  private readonly embedRules: CarryRule[][];
  private readonly computed: ComputedExpectations;

  constructor(
    private readonly plan: CollectionPlan,
    options: PlanOptions,
  ) {
    this.rules = plan.fields.map((f) => ruleOf(f, options));
    this.embedRules = (plan.embeds ?? []).map((e) => e.fields.map((f) => ruleOf(f, options)));
    this.computed = new ComputedExpectations(plan.computed);
  }

  /** True when a computed field cannot be evaluated for the row: the builder refuses such a row. */
  uncomputable(row: SourceRow): boolean {
    return this.computed.fields.length > 0 && this.computed.expected(row.values).some((c) => c.error !== undefined);
  }

  document(doc: Document, row: SourceRow, collection: string, id: string): Mismatch[] {
    const out: Mismatch[] = [];
    const expectedKeys = new Set<string>(['_id']);
    const differ = (path: string, v: string, a: unknown, present: boolean) =>
      out.push({
        collection,
        id,
        kind: present ? 'value-differs' : 'missing-field',
        path,
        expected: v,
        ...(present ? { actual: showValue(a) } : {}),
      });
    const field = (target: Document, path: string, name: string, v: SqlValue, rule: CarryRule) => {
      const present = Object.hasOwn(target, name);
      if (carries(present, target[name], v, rule)) differ(path, expectation(v, rule), target[name], present);
    };
    const plan = this.plan;
    if (plan.id.kind === 'rowid') {
      expectedKeys.add(plan.id.rowidField);
      const v = row.rowid as bigint;
      if (!carriesAsStored(doc[plan.id.rowidField], v))
        differ(plan.id.rowidField, `rowid ${v}`, doc[plan.id.rowidField], Object.hasOwn(doc, plan.id.rowidField));
    }
    plan.fields.forEach((f, i) => {
      expectedKeys.add(f.field);
      field(doc, f.field, f.field, row.values[f.column], this.rules[i]);
    });
    plan.arrays.forEach((a, i) => {
      expectedKeys.add(a.field);
      this.list(doc[a.field], row.arrays[i], a.field, collection, id, out, (item, v) => carriesAsStored(item, v));
    });
    (plan.embeds ?? []).forEach((e, i) => {
      const children = row.embeds[i];
      if (e.kind === 'document') {
        const child = children[0];
        if (e.merge) {
          e.fields.forEach((f, k) => {
            const name = `${e.mergePrefix ?? ''}${f.field}`;
            expectedKeys.add(name);
            if (child) field(doc, name, name, child.values[f.column], this.embedRules[i][k]);
            else if (Object.hasOwn(doc, name))
              out.push({ collection, id, kind: 'extra-field', path: name, actual: showValue(doc[name]) });
          });
          return;
        }
        expectedKeys.add(e.field);
        if (!child) {
          if (doc[e.field] !== null)
            differ(e.field, `null (no ${e.table} row matches)`, doc[e.field], Object.hasOwn(doc, e.field));
          return;
        }
        this.subDocument(doc[e.field], e.field, child.values, i, collection, id, out);
        return;
      }
      expectedKeys.add(e.field);
      const items = doc[e.field];
      const referenced =
        e.onTooLarge === 'reference' && Array.isArray(items) && items.length > 0 && !isPlainObject(items[0]);
      if (referenced)
        this.list(
          items,
          children.map((c) => c.key),
          e.field,
          collection,
          id,
          out,
          (item, key) => carriesAsStored(item, (key as unknown as SqlValue[])[0]),
        );
      else
        this.list(items, children, e.field, collection, id, out, (item, child, path) =>
          this.subDocument(item, path, child.values, i, collection, id, out),
        );
    });
    for (const c of this.computed.expected(row.values)) {
      expectedKeys.add(c.field);
      const present = Object.hasOwn(doc, c.field);
      if (!present || !carriesComputed(doc[c.field], c.value ?? null))
        differ(c.field, `computed ${describeComputed(c.value ?? null)}`, doc[c.field], present);
    }
    for (const k of Object.keys(doc))
      if (!expectedKeys.has(k)) out.push({ collection, id, kind: 'extra-field', path: k, actual: showValue(doc[k]) });
    return out;
  }

  /** An array whose entries must match `expected` one by one, in order. */
  private list<T>(
    actual: unknown,
    expected: T[],
    path: string,
    collection: string,
    id: string,
    out: Mismatch[],
    matches: (item: unknown, e: T, path: string) => boolean | void,
  ): void {
    if (!Array.isArray(actual)) {
      out.push({
        collection,
        id,
        kind: 'type-differs',
        path,
        expected: `array of ${expected.length}`,
        actual: showValue(actual),
      });
      return;
    }
    if (actual.length !== expected.length)
      out.push({
        collection,
        id,
        kind: 'value-differs',
        path,
        expected: `${expected.length} entries`,
        actual: `${actual.length} entries`,
      });
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      if (matches(actual[i], expected[i], `${path}.${i}`) === false) {
        const e = expected[i];
        out.push({
          collection,
          id,
          kind: 'value-differs',
          path: `${path}.${i}`,
          expected: Array.isArray(e) ? e.map((x) => describeSql(x as SqlValue)).join(', ') : describeSql(e as SqlValue),
          actual: showValue(actual[i]),
        });
      }
    }
  }

  private subDocument(
    actual: unknown,
    path: string,
    values: Record<string, SqlValue>,
    embed: number,
    collection: string,
    id: string,
    out: Mismatch[],
  ): void {
    const e = (this.plan.embeds ?? [])[embed];
    if (!isPlainObject(actual)) {
      out.push({
        collection,
        id,
        kind: 'type-differs',
        path,
        expected: `sub-document of ${e.table}`,
        actual: showValue(actual),
      });
      return;
    }
    const sub = actual as Document;
    e.fields.forEach((f, k) => {
      const present = Object.hasOwn(sub, f.field);
      const rule = this.embedRules[embed][k];
      if (carries(present, sub[f.field], values[f.column], rule))
        out.push({
          collection,
          id,
          kind: present ? 'value-differs' : 'missing-field',
          path: `${path}.${f.field}`,
          expected: expectation(values[f.column], rule),
          ...(present ? { actual: showValue(sub[f.field]) } : {}),
        });
    });
    const names = new Set(e.fields.map((f) => f.field));
    for (const k of Object.keys(sub))
      if (!names.has(k))
        out.push({ collection, id, kind: 'extra-field', path: `${path}.${k}`, actual: showValue(sub[k]) });
  }
}

/** What a mismatch expected: the SQLite value, and the planned type when one applies. */
function expectation(v: SqlValue, rule: CarryRule): string {
  if (v === null) return rule.omitNull ? 'NULL (field left out)' : 'NULL';
  return rule.type === 'auto' ? describeSql(v) : `${describeSql(v)} as ${rule.type}`;
}

function isPlainObject(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    (v as { _bsontype?: string })._bsontype === undefined &&
    !(v instanceof Date)
  );
}

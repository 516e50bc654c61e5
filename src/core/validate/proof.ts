/**
 * Validation that does not trust the converter: every document in MongoDB is paired (by `_id`) with the SQLite
 * row it must come from, read apart from the converter (sourceRows.ts), and every stored value is checked against
 * the raw SQLite value with the `carries` relation (faithful.ts). A bug in the conversion shows as a mismatch.
 */
import { createHash } from 'node:crypto';
import { BSON, Binary, Double, Int32, Long, ObjectId, type Collection, type Document } from 'mongodb';
import { throwIfAborted } from '../errors';
import { compositeIdNames } from '../plan/fieldNames';
import { INVALID_TEXT_SUBTYPE, type CollectionPlan, type PlanOptions } from '../plan/types';
import { findRelation, type SqliteSource } from '../sqlite';
import { InvalidText, type SchemaInfo, type SqlValue } from '../sqlite/types';
import { showValue, type Mismatch } from './compare';
import { SourceRowReader, type SourceRow } from './sourceRows';
import { DocumentCheck } from './documentCheck';
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
  const reader = new SourceRowReader(source, table, plan, (t) => findRelation(schema, t) ?? table);
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

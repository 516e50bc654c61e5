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
import { showValue } from './compare';
import { DocumentCheck } from './documentCheck';
import { SourceRowReader, type SourceRow } from './sourceRows';
import { checkJsonSchema } from './schemaCheck';
import type { JsonSchemaNode } from '../plan/jsonSchema';
import {
  DESERIALIZE,
  IdPairing,
  targetDocuments,
  validationLog,
  type CollectionValidation,
  type ValidateOptions,
} from './pairing';
import { idKeyOf } from './validator';

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
  const log = validationLog(name, opts);
  const result: ProofResult = Object.assign(log.result, {
    rowsRead: 0,
    nullKeyRows: 0,
    uncomputableRows: 0,
    schemaViolations: 0,
    schemaSamples: [] as string[],
  });
  // Rows and documents out of step wait in the pairing until their partner arrives, keyed by the _id's BSON bytes.
  const pairing = new IdPairing<{ row: SourceRow; id: unknown }>(({ row, id }, raw) => {
    const doc = BSON.deserialize(raw, DESERIALIZE);
    if (opts.jsonSchema) {
      const broken = checkJsonSchema(doc, opts.jsonSchema);
      if (broken.length > 0 && ++result.schemaViolations <= 5)
        result.schemaSamples.push(
          `_id ${showValue(id)}: ${broken.map((v) => `${v.path || '(document)'} ${v.detail}`).join('; ')}`,
        );
    }
    log.judged(check.document(doc, row, name, showValue(id)));
  });
  const actual = await targetDocuments(collection, opts.filter);
  const rowIt = reader.rows({ where: opts.where, params: opts.params });
  let rowsDone = false,
    docsDone = false;
  try {
    while (!rowsDone || !docsDone) {
      const r = rowsDone ? undefined : rowIt.next();
      if (r?.done) rowsDone = true;
      const a = docsDone ? undefined : await actual.next();
      if (a?.done) docsDone = true;
      if (r && !r.done) {
        result.rowsRead++;
        const id = expectedId(plan, r.value);
        if (id === undefined) result.nullKeyRows++;
        else if (check.uncomputable(r.value)) result.uncomputableRows++;
        else {
          result.expected++;
          pairing.expect(idKeyOf(BSON.serialize({ _id: id })), { row: r.value, id });
        }
      }
      if (a && !a.done) {
        result.actual++;
        pairing.arrive(idKeyOf(a.value), a.value);
      }
      if ((result.rowsRead & 1023) === 0) {
        throwIfAborted(opts.signal);
        opts.onProgress?.(result.rowsRead);
      }
    }
  } finally {
    rowIt.return(undefined);
    await actual.close();
  }
  for (const { id } of pairing.missing()) {
    result.missing++;
    log.record({ collection: name, id: showValue(id), kind: 'missing-document', path: '' });
  }
  pairing.reportExtras(log, opts.allowOthers);
  opts.onProgress?.(result.rowsRead);
  return result;
}

import { BSON, type Document } from 'mongodb';
import { DocumentBuilder } from './convert/documents';
import { MigrationError } from './errors';
import { connectMongo } from './mongo/connect';
import { checkPlan } from './plan/check';
import type { MappingPlan } from './plan/types';
import { introspect, openSqliteSource, quoteIdent, type SqlValue } from './sqlite';
import { showValue } from './validate/compare';

const { EJSON } = BSON;

export interface DocumentPairRequest {
  sqlitePath: string;
  plan: MappingPlan;
  collection: string;
  /** The `_id` exactly as a Mismatch reports it (relaxed Extended JSON). */
  id: string;
  mongoUrl: string;
  database: string;
  connectTimeoutMs?: number;
}

export interface DocumentPair {
  /** The document the migration builds from the SQLite row, as relaxed Extended JSON (null when there is no row). */
  expected: string | null;
  /** The document in MongoDB with that `_id` (null when there is none). */
  actual: string | null;
}

const pretty = (doc: Document) => EJSON.stringify(doc, undefined, 2, { relaxed: true });

/** An `_id` value as a SQL parameter, or undefined when it cannot be one (then the rows are scanned instead). */
function toSqlParam(v: unknown): SqlValue | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return v;
  if (v instanceof BSON.Long) return v.toBigInt();
  if (v instanceof BSON.Int32 || v instanceof BSON.Double) return v.valueOf();
  if (v instanceof BSON.Binary) return new Uint8Array(v.buffer);
  return undefined;
}

/**
 * For one reported mismatch: the document the SQLite row becomes (built exactly as the migration builds it) and
 * the document MongoDB holds under the same `_id`, both as pretty relaxed Extended JSON — for a side-by-side view.
 */
export async function loadDocumentPair(req: DocumentPairRequest): Promise<DocumentPair> {
  let idValue: unknown;
  try {
    idValue = EJSON.parse(req.id, { relaxed: false });
  } catch (e) {
    throw new MigrationError('INTERNAL', `Cannot read the _id ${req.id}: ${(e as Error).message}`);
  }
  const source = await openSqliteSource(req.sqlitePath);
  let expected: string | null;
  try {
    const schema = introspect(source);
    const plan = checkPlan(req.plan, schema);
    const c = plan.collections.find((x) => x.collection === req.collection);
    if (!c) throw new MigrationError('PLAN_INVALID', `The plan has no collection ${req.collection}.`);
    const table = schema.tables.find((t) => t.name === c.table);
    if (!table) throw new MigrationError('PLAN_INVALID', `Table ${c.table} is not in ${req.sqlitePath}.`);
    const builder = new DocumentBuilder(source, schema, c, plan.options);
    const matches = (doc: Document) => showValue(doc._id) === req.id;
    // Look the row up by its key when the _id is made of columns; otherwise (rowid ObjectIds) scan the table.
    let filter: { where: string; params: SqlValue[] } | undefined;
    if (c.id.kind === 'column') {
      const p = toSqlParam(idValue);
      if (p !== undefined) filter = { where: `p.${quoteIdent(c.id.column)} = ?`, params: [p] };
    } else if (c.id.kind === 'composite' && idValue && typeof idValue === 'object') {
      const values = Object.values(idValue as Record<string, unknown>).map(toSqlParam);
      if (values.length === c.id.columns.length && values.every((v) => v !== undefined)) {
        filter = {
          where: c.id.columns.map((col) => `p.${quoteIdent(col)} = ?`).join(' AND '),
          params: values as SqlValue[],
        };
      }
    }
    const find = (opts?: { where: string; params: SqlValue[] }) => {
      for (const { doc } of builder.documents(() => undefined, opts)) if (matches(doc)) return doc;
      return undefined;
    };
    const doc = (filter ? find(filter) : undefined) ?? find();
    expected = doc ? pretty(doc) : null;
  } finally {
    source.close();
  }
  const client = await connectMongo(req.mongoUrl, { timeoutMs: req.connectTimeoutMs ?? 10_000 });
  try {
    const found = await client
      .db(req.database)
      .collection(req.collection)
      .findOne({ _id: idValue } as Document);
    return { expected, actual: found ? pretty(found) : null };
  } finally {
    await client.close();
  }
}

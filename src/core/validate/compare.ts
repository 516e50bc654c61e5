import { BSON, Binary, Decimal128, Double, Int32, Long, ObjectId, type Document } from 'mongodb';

// The driver re-exports the bson package it was built with; using that copy keeps one BSON implementation.
const { EJSON } = BSON;

export type MismatchKind =
  | 'missing-document'
  | 'extra-document'
  | 'missing-field'
  | 'extra-field'
  | 'type-differs'
  | 'value-differs'
  | 'count-differs'
  /** The collection does not exist (a table without rows whose collection was never created). */
  | 'missing-collection';

export interface Mismatch {
  collection: string;
  /** The document's _id as relaxed Extended JSON. */
  id: string;
  kind: MismatchKind;
  /** Dotted field path ('' for a whole document), e.g. "created_at" or "dependencies.2". */
  path: string;
  expected?: string;
  actual?: string;
}

/** BSON type names as MongoDB's $type uses them. */
export type BsonTypeName =
  | 'int'
  | 'long'
  | 'double'
  | 'decimal'
  | 'string'
  | 'bool'
  | 'null'
  | 'date'
  | 'binData'
  | 'objectId'
  | 'array'
  | 'object'
  | 'undefined'
  | 'other';

export function bsonTypeOf(v: unknown): BsonTypeName {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'number':
      // How the BSON serializer stores a plain JS number.
      return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? 'int' : 'double';
    case 'bigint':
      return 'long';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
  }
  if (v instanceof Int32) return 'int';
  if (v instanceof Long) return 'long';
  if (v instanceof Double) return 'double';
  if (v instanceof Decimal128) return 'decimal';
  if (v instanceof Date) return 'date';
  if (v instanceof Binary) return 'binData';
  if (v instanceof ObjectId) return 'objectId';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object' && (v as { _bsontype?: unknown })._bsontype === undefined) return 'object';
  return 'other';
}

function scalarEquals(type: BsonTypeName, a: unknown, b: unknown): boolean {
  switch (type) {
    case 'int':
    case 'double':
      // Object.is: -0 and 0 differ (FerretDB stores -0 as 0 — a real difference), NaN equals NaN.
      return Object.is(
        Number((a as Int32 | Double | number).valueOf()),
        Number((b as Int32 | Double | number).valueOf()),
      );
    case 'long':
      return BigInt(String(a)) === BigInt(String(b));
    case 'decimal':
    case 'objectId':
      return String(a) === String(b);
    case 'date':
      return Object.is((a as Date).getTime(), (b as Date).getTime());
    case 'binData': {
      const x = a as Binary,
        y = b as Binary;
      return x.sub_type === y.sub_type && Buffer.from(x.buffer).equals(Buffer.from(y.buffer));
    }
    case 'null':
    case 'undefined':
      return true;
    default:
      return (
        a === b ||
        EJSON.stringify(a as Document, { relaxed: false }) === EJSON.stringify(b as Document, { relaxed: false })
      );
  }
}

/** Short relaxed-EJSON text of a value for reports. */
export function showValue(v: unknown, max = 200): string {
  let s: string;
  try {
    s = v === undefined ? 'undefined' : EJSON.stringify(v as Document, { relaxed: true });
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Compares two documents field by field, in any field order, and lists every difference with its path. */
export function compareDocuments(expected: Document, actual: Document, collection: string, id: string): Mismatch[] {
  const out: Mismatch[] = [];
  const walk = (e: unknown, a: unknown, path: string) => {
    const te = bsonTypeOf(e),
      ta = bsonTypeOf(a);
    if (te !== ta) {
      out.push({
        collection,
        id,
        kind: 'type-differs',
        path,
        expected: `${te} ${showValue(e)}`,
        actual: `${ta} ${showValue(a)}`,
      });
      return;
    }
    if (te === 'array') {
      const ea = e as unknown[],
        aa = a as unknown[];
      for (let i = 0; i < Math.max(ea.length, aa.length); i++) {
        const p = path ? `${path}.${i}` : String(i);
        if (i >= aa.length) out.push({ collection, id, kind: 'missing-field', path: p, expected: showValue(ea[i]) });
        else if (i >= ea.length) out.push({ collection, id, kind: 'extra-field', path: p, actual: showValue(aa[i]) });
        else walk(ea[i], aa[i], p);
      }
      return;
    }
    if (te === 'object') {
      const eo = e as Document,
        ao = a as Document;
      for (const k of Object.keys(eo)) {
        const p = path ? `${path}.${k}` : k;
        if (!(k in ao)) out.push({ collection, id, kind: 'missing-field', path: p, expected: showValue(eo[k]) });
        else walk(eo[k], ao[k], p);
      }
      for (const k of Object.keys(ao)) {
        if (!(k in eo))
          out.push({ collection, id, kind: 'extra-field', path: path ? `${path}.${k}` : k, actual: showValue(ao[k]) });
      }
      return;
    }
    if (!scalarEquals(te, e, a))
      out.push({ collection, id, kind: 'value-differs', path, expected: showValue(e), actual: showValue(a) });
  };
  walk(expected, actual, '');
  return out;
}

/** The pieces every document builder shares: result shapes, field setting, key formatting and `_id`s without a key. */
import { createHash } from 'node:crypto';
import { ObjectId, type Document } from 'mongodb';
import { InvalidText, type SqlValue } from '../sqlite/types';
import type { ConversionWarning } from './values';

/** One source row turned into its document, with the source key for reports. */
export interface BuiltDocument {
  doc: Document;
  /** The row's key values (primary key columns, or rowid), for error and mismatch reports. */
  key: SqlValue[];
}

/** A row that cannot become a document (see DocumentBuilder.documents), reported and counted, never dropped silently. */
export interface RefusedRow {
  table: string;
  key: string;
  reason: string;
}

export interface BuildCounts {
  rows: number;
  refused: number;
  /** Junction table → rows folded into arrays. */
  folded: Record<string, number>;
  /** Embedded table → child rows embedded (array items or sub-documents). */
  embedded: Record<string, number>;
}

/**
 * Sets a field so that any name is data: `__proto__` would otherwise set the object's prototype and the field
 * would vanish from the document.
 */
export function setField(doc: Document, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(doc, name, { value, enumerable: true, writable: true, configurable: true });
  else doc[name] = value;
}

export interface RowWarning extends ConversionWarning {
  table: string;
  key: string;
}

/** `_id` for a table without a usable key: stable across reruns (table hash + rowid), so reruns upsert, not duplicate. */
export function rowidObjectId(table: string, rowid: bigint): ObjectId {
  const bytes = Buffer.alloc(12);
  createHash('sha256').update(table).digest().copy(bytes, 0, 0, 4);
  bytes.writeBigInt64BE(rowid, 4);
  return new ObjectId(bytes);
}

export function formatKey(key: SqlValue[]): string {
  // The usual key, one integer, without the closures below (a row that warns formats its key).
  if (key.length === 1 && typeof key[0] === 'bigint') return String(key[0]);
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return key
    .map((v) =>
      v instanceof Uint8Array
        ? `x'${hex(v)}'`
        : v instanceof InvalidText
          ? `x'${hex(v.bytes)}' (text, not UTF-8)`
          : typeof v === 'string'
            ? JSON.stringify(v)
            : String(v),
    )
    .join(', ');
}

export function sameKey(a: SqlValue, b: SqlValue): boolean {
  if (a === b) return true; // the usual case (integers, text) first: this runs for every streamed row
  if (a instanceof Uint8Array) return b instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof InvalidText) return b instanceof InvalidText && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  return false;
}

/** An upper bound of a row's BSON size from its values (text counted at 3 bytes a character), to skip exact sizing. */
export function roughBytes(row: SqlValue[]): number {
  let n = 0;
  for (const v of row)
    n +=
      typeof v === 'string'
        ? 3 * v.length + 16
        : v instanceof Uint8Array
          ? v.length + 16
          : v instanceof InvalidText
            ? v.bytes.length + 16
            : 24;
  return n;
}

/** True when the first `n` values of `row` are the key `key` (a stream row belongs to that parent). */
export function sameKeys(row: SqlValue[], key: SqlValue[], n = key.length): boolean {
  for (let i = 0; i < n; i++) if (!sameKey(row[i], key[i])) return false;
  return true;
}

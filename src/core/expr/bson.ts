/** A computed value as BSON: integers as int32/int64 like SQLite INTEGERs, REALs as doubles, lists as arrays. */
import { Double } from 'mongodb';
import { autoToBson, integerToBson } from '../convert/values';
import type { ExprValue } from './evaluate';

export function exprValueToBson(v: ExprValue): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'bigint') return integerToBson(v);
  if (typeof v === 'number') return new Double(v);
  if (Array.isArray(v)) return v.map(exprValueToBson);
  // BLOBs, and TEXT whose bytes are not valid UTF-8, are carried exactly as a plain column would be.
  return autoToBson(v);
}

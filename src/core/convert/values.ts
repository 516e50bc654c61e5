import { Binary, Decimal128, Double, Long } from 'mongodb';
import { InvalidText, type SqlValue } from '../sqlite/types';
import { INVALID_TEXT_SUBTYPE, type FieldPlan, type PlanOptions } from '../plan/types';
import { dateTextLoss, parseDateText } from './dates';
import { zoneOffset, type ZoneOffset } from './zones';

/** Returned by a converter when a NULL is to be left out of the document. */
export const OMIT = Symbol('omit');

export type WarningKind =
  | 'unparseable-date'
  | 'not-boolean'
  | 'not-json'
  | 'lossy-type'
  | 'not-numeric'
  | 'embed-too-large'
  | 'invalid-utf8'
  | 'date-precision'
  | 'date-offset'
  | 'document-too-large'
  | 'orphan-junction-row'
  | 'dangling-reference';

/**
 * A value kept as it was because the planned type did not fit it, or converted with a stated loss (sub-millisecond
 * digits, a UTC offset): counted as a warning with samples, never silently changed.
 */
export interface ConversionWarning {
  kind: WarningKind;
  column: string;
  value: string;
}

export type Converter = (value: SqlValue, warn: (w: ConversionWarning) => void) => unknown;

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

/** INTEGER → int32 (a JS number, which BSON encodes as int32) when it fits, else int64; never a lossy double. */
export function integerToBson(v: bigint): number | Long {
  return v >= INT32_MIN && v <= INT32_MAX ? Number(v) : Long.fromBigInt(v);
}

/** The value as its SQLite storage class dictates ('auto'). */
export function autoToBson(v: SqlValue): unknown {
  if (v === null) return null;
  switch (typeof v) {
    case 'bigint':
      return integerToBson(v);
    case 'number':
      // Always a Double: a whole-number REAL like 2.0 must not turn into an int32.
      return new Double(v);
    case 'string':
      return v;
    default:
      // TEXT that is not valid UTF-8 keeps its exact bytes, in a subtype no BLOB uses, so it stays text-like.
      return v instanceof InvalidText ? new Binary(v.bytes, INVALID_TEXT_SUBTYPE) : new Binary(v);
  }
}

export function describe(v: SqlValue): string {
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (v instanceof InvalidText)
    return `<${v.bytes.length} bytes of text that is not UTF-8: ${Buffer.from(v.bytes.subarray(0, 24)).toString('hex')}${v.bytes.length > 24 ? '…' : ''}>`;
  const s = String(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

/** A value as text; String(-0) is "0", which would lose the sign of a negative zero. */
function textOf(v: unknown): string {
  return Object.is(v, -0) ? '-0.0' : String(v);
}

function toDate(v: SqlValue, field: FieldPlan, zone: ZoneOffset): Date | null {
  if (typeof v === 'string') {
    const ms = parseDateText(v, zone);
    return ms === null ? null : new Date(ms);
  }
  if ((typeof v === 'bigint' || typeof v === 'number') && field.epoch) {
    const n = Number(v) * (field.epoch === 'seconds' ? 1000 : 1);
    return Number.isFinite(n) && Math.abs(n) <= 8.64e15 ? new Date(n) : null;
  }
  return null;
}

function toBoolean(v: SqlValue): boolean | null {
  if (typeof v === 'bigint') return v === 0n ? false : v === 1n ? true : null;
  if (typeof v === 'number') return v === 0 ? false : v === 1 ? true : null;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', 't', 'yes', 'y', '1'].includes(s)) return true;
    if (['false', 'f', 'no', 'n', '0'].includes(s)) return false;
  }
  return null;
}

/** The value as an int64, or null (text digits beyond int64 would wrap around as a Long: they are kept instead). */
function toInteger(v: SqlValue): bigint | null {
  let i: bigint | null = null;
  if (typeof v === 'bigint') i = v;
  else if (typeof v === 'number' && Number.isInteger(v)) i = BigInt(v);
  else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) i = BigInt(v.trim());
  return i !== null && BigInt.asIntN(64, i) === i ? i : null;
}

/** A plain decimal number (no hex, no "Infinity", no empty text), as text may hold it. */
const DECIMAL_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i;

/** Builds the converter for one planned field; the closure avoids re-deciding the type for every row. */
export function makeConverter(field: FieldPlan, options: PlanOptions): Converter {
  const omitNull = (field.nulls ?? options.nulls) === 'omit';
  const zone = zoneOffset(options.timezone) ?? (() => 0);
  const column = field.column;
  const keep = (v: SqlValue, kind: WarningKind, warn: (w: ConversionWarning) => void) => {
    warn({ kind, column, value: describe(v) });
    return autoToBson(v);
  };
  const typed = ((): Converter => {
    switch (field.type) {
      case 'auto':
        return autoToBson;
      case 'string':
        return (v, warn) => (v instanceof Uint8Array ? keep(v, 'lossy-type', warn) : textOf(v));
      case 'int':
        return (v, warn) => {
          const i = toInteger(v);
          return i === null ? keep(v, 'not-numeric', warn) : integerToBson(i);
        };
      case 'long':
        return (v, warn) => {
          const i = toInteger(v);
          return i === null ? keep(v, 'not-numeric', warn) : Long.fromBigInt(i);
        };
      case 'double':
        return (v, warn) => {
          if (typeof v === 'number') return new Double(v);
          if (typeof v === 'bigint') {
            if (BigInt(Number(v)) !== v) warn({ kind: 'lossy-type', column, value: describe(v) });
            return new Double(Number(v));
          }
          if (typeof v === 'string' && DECIMAL_TEXT.test(v) && Number.isFinite(Number(v))) return new Double(Number(v));
          return keep(v, 'not-numeric', warn);
        };
      case 'decimal':
        return (v, warn) => {
          if (typeof v === 'bigint' || typeof v === 'number' || (typeof v === 'string' && DECIMAL_TEXT.test(v))) {
            try {
              return Decimal128.fromString(textOf(v).trim());
            } catch {
              return keep(v, 'not-numeric', warn);
            }
          }
          return keep(v, 'not-numeric', warn);
        };
      case 'date':
        return (v, warn) => {
          const date = toDate(v, field, zone);
          if (date === null) return keep(v, 'unparseable-date', warn);
          const loss = typeof v === 'string' ? dateTextLoss(v) : undefined;
          if (loss) warn({ kind: loss, column, value: describe(v) });
          return date;
        };
      case 'bool':
        return (v, warn) => {
          const b = toBoolean(v);
          return b === null ? keep(v, 'not-boolean', warn) : b;
        };
      case 'binary':
        return (v) =>
          v instanceof Uint8Array
            ? new Binary(v)
            : v instanceof InvalidText
              ? new Binary(v.bytes)
              : new Binary(Buffer.from(textOf(v), 'utf8'));
      case 'json':
        return (v, warn) => {
          if (typeof v !== 'string') return keep(v, 'not-json', warn);
          // A double holds integers exactly up to 2^53: say which digits of the text a parsed number drops.
          for (const n of inexactJsonIntegers(v))
            warn({ kind: 'lossy-type', column, value: `${n} in JSON text becomes the double ${Number(n)}` });
          try {
            // Numbers outside int32 become explicit doubles: a bare JS number would be written as int64 in the
            // intermediate file but as a double when sent directly, and the two would not compare equal.
            return JSON.parse(v, (_key, x: unknown) =>
              typeof x === 'number' && !(Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)
                ? new Double(x)
                : x,
            );
          } catch {
            return keep(v, 'not-json', warn);
          }
        };
    }
  })();
  const keepsBytes = field.type === 'binary';
  return (v, warn) => {
    if (v === null) return omitNull ? OMIT : null;
    if (v instanceof InvalidText && !keepsBytes) return keep(v, 'invalid-utf8', warn);
    return typed(v, warn);
  };
}

/**
 * Integer literals of a JSON text (outside its strings) that a double cannot hold exactly. Only texts with a run of
 * 16 digits are scanned, so the common case costs one regular-expression test.
 */
export function inexactJsonIntegers(text: string): string[] {
  if (!/\d{16}/.test(text)) return [];
  const out: string[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '-' || (c >= '0' && c <= '9')) {
      const m = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) continue;
      if (!m[1] && !m[2] && BigInt(Math.trunc(Number(m[0]))) !== BigInt(m[0])) out.push(m[0]);
      i += m[0].length - 1;
    }
  }
  return out;
}

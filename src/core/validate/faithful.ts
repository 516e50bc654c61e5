/**
 * The relation validation decides with: "does this BSON value faithfully carry that SQLite value under this field
 * rule?". It is written apart from src/core/convert on purpose — it never calls the converter, and it checks the
 * stored value against the raw SQLite value, so a conversion bug shows as a mismatch instead of being on both
 * sides of the comparison. The rules are those of docs/mapping-plan.md: a value either converts to the planned
 * type exactly, or (when it cannot) is kept as its storage class dictates.
 */
import { Binary, Decimal128, Double, Int32, Long } from 'mongodb';
import { InvalidText, type SqlValue } from '../sqlite/types';
import { wallTimeIn } from '../convert/zones';
import { INVALID_TEXT_SUBTYPE, type FieldType } from '../plan/types';

export interface CarryRule {
  type: FieldType;
  omitNull: boolean;
  epoch?: 'seconds' | 'milliseconds';
  /** Minutes east of UTC for text dates written without a zone. */
  offsetMinutes: number;
  /** An IANA zone (Europe/Paris) for text dates written without one, instead of offsetMinutes. */
  zone?: string;
}

const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const MAX_DATE_MS = 8.64e15;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
  );
}

function isBinary(a: unknown, subtype: number, bytes: Uint8Array): boolean {
  return a instanceof Binary && a.sub_type === subtype && sameBytes(a.buffer.subarray(0, a.position), bytes);
}

/** An int64 as BSON stores it: int32 when it fits, else int64 (never a double). */
function isInteger(a: unknown, v: bigint): boolean {
  if (v >= INT32_MIN && v <= INT32_MAX)
    return (
      (a instanceof Int32 && BigInt(a.value) === v) || (typeof a === 'number' && Number.isInteger(a) && BigInt(a) === v)
    );
  return (a instanceof Long && a.toBigInt() === v) || (typeof a === 'bigint' && a === v);
}

function isLong(a: unknown, v: bigint): boolean {
  return (a instanceof Long && a.toBigInt() === v) || (typeof a === 'bigint' && a === v);
}

function isDouble(a: unknown, v: number): boolean {
  return (
    (a instanceof Double && Object.is(a.value, v)) || (typeof a === 'number' && !Number.isInteger(a) && Object.is(a, v))
  );
}

/** The storage-class rule ('auto'), also what any value that cannot take its planned type must be. */
export function carriesAsStored(a: unknown, v: SqlValue): boolean {
  if (v === null) return a === null;
  if (typeof v === 'bigint') return isInteger(a, v);
  if (typeof v === 'number') return isDouble(a, v);
  if (typeof v === 'string') return a === v;
  if (v instanceof InvalidText) return isBinary(a, INVALID_TEXT_SUBTYPE, v.bytes);
  return isBinary(a, 0, v);
}

/** An integer value a column may carry exactly as int64: INTEGER, a whole REAL, or text of digits; else null. */
function exactInteger(v: SqlValue): bigint | null {
  let i: bigint | null = null;
  if (typeof v === 'bigint') i = v;
  else if (typeof v === 'number' && Number.isFinite(v) && Math.trunc(v) === v) i = BigInt(v);
  else if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?[0-9]+$/.test(t)) i = BigInt(t);
  }
  return i !== null && i >= -(2n ** 63n) && i < 2n ** 63n ? i : null;
}

const NUMBER_TEXT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** Sign, significant digits and exponent of a decimal literal, so 1.50, 15e-1 and 1.5 compare equal. */
function decimalParts(text: string): string | null {
  const t = text.trim();
  if (/^[+-]?(nan|inf|infinity)$/i.test(t)) return t.toLowerCase().replace('infinity', 'inf').replace(/^\+/, '');
  if (!NUMBER_TEXT.test(t)) return null;
  const sign = t.startsWith('-') ? '-' : '';
  const body = t.replace(/^[+-]/, '');
  const [mantissa, exp = '0'] = body.toLowerCase().split('e');
  const [int, frac = ''] = mantissa.split('.');
  let digits = (int + frac).replace(/^0+/, '');
  let exponent = Number(exp) - frac.length;
  if (digits === '') return `${sign}0`;
  while (digits.endsWith('0')) {
    digits = digits.slice(0, -1);
    exponent++;
  }
  return `${sign}${digits}e${exponent}`;
}

function isDecimal(a: unknown, text: string): boolean {
  const want = decimalParts(text);
  return a instanceof Decimal128 && want !== null && decimalParts(a.toString()) === want;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil), without the Date object. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/**
 * The instant (ms since the epoch, truncated to the millisecond) a text date names, or null when it is not one of
 * the documented date forms: YYYY-MM-DD, then optionally T or space, HH:MM, :SS, .fraction (1–9 digits), and a
 * zone Z or ±HH[:]MM under 24 hours. Text without a zone is read at `offsetMinutes`.
 */
export function textInstant(text: string, offsetMinutes: number): number | null {
  const parsed = textWallTime(text);
  return parsed === null ? null : parsed.wallMs - (parsed.offset ?? offsetMinutes) * 60_000;
}

/** A text date's wall time (as UTC milliseconds) and its explicit offset (null when the text names no zone). */
function textWallTime(text: string): { wallMs: number; offset: number | null } | null {
  const t = text.trim();
  const m =
    /^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?)?\s*(?:([Zz])|([+-])([0-9]{2}):?([0-9]{2}))?$/.exec(
      t,
    );
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
    return null;
  let offset: number | null = null;
  if (m[8]) offset = 0;
  else if (m[9]) {
    const [oh, om] = [Number(m[10]), Number(m[11])];
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const millis = Number((m[7] ?? '').slice(0, 3).padEnd(3, '0'));
  return {
    wallMs: daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + millis,
    offset,
  };
}

/**
 * Whether the Date `a` is the instant a zone-less text date names in the IANA zone: checked forward — what a clock
 * there showed at `a` must be the text's wall time — not by the converter's inverse. A wall time the zone skipped
 * (clocks going forward) has no such instant; it must then be read with the offset in force before the change.
 */
function carriesZonedText(a: unknown, text: string, zone: string): boolean | undefined {
  const parsed = textWallTime(text);
  if (parsed === null) return undefined;
  if (!(a instanceof Date)) return false;
  if (parsed.offset !== null) return a.getTime() === parsed.wallMs - parsed.offset * 60_000;
  if (wallTimeIn(zone, a.getTime()) === parsed.wallMs) return true;
  const before = (wallTimeIn(zone, parsed.wallMs - 86_400_000) - (parsed.wallMs - 86_400_000)) / 60_000;
  const skipped = wallTimeIn(zone, parsed.wallMs - before * 60_000) !== parsed.wallMs;
  return skipped && a.getTime() === parsed.wallMs - before * 60_000;
}

function epochInstant(v: SqlValue, epoch: 'seconds' | 'milliseconds' | undefined): number | null {
  if (!epoch || (typeof v !== 'bigint' && typeof v !== 'number')) return null;
  const ms = epoch === 'seconds' ? Number(v) * 1000 : Number(v);
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? ms : null;
}

function booleanOf(v: SqlValue): boolean | null {
  if (typeof v === 'bigint' || typeof v === 'number') return Number(v) === 1 ? true : Number(v) === 0 ? false : null;
  if (typeof v !== 'string') return null;
  const t = v.trim().toLowerCase();
  return ['true', 't', 'yes', 'y', '1'].includes(t) ? true : ['false', 'f', 'no', 'n', '0'].includes(t) ? false : null;
}

/** JSON parsed from the text equals the BSON value: same keys in the same order, numbers by value and width. */
function sameJson(a: unknown, j: unknown): boolean {
  if (j === null || typeof j === 'string' || typeof j === 'boolean') return a === j;
  if (typeof j === 'number')
    return Number.isInteger(j) && j >= -(2 ** 31) && j < 2 ** 31 ? a instanceof Int32 && a.value === j : isDouble(a, j);
  if (Array.isArray(j)) return Array.isArray(a) && a.length === j.length && j.every((x, i) => sameJson(a[i], x));
  if (typeof a !== 'object' || a === null || Array.isArray(a) || (a as { _bsontype?: string })._bsontype) return false;
  const jk = Object.keys(j as object),
    ak = Object.keys(a);
  return (
    jk.length === ak.length &&
    jk.every((k, i) => ak[i] === k && sameJson((a as Record<string, unknown>)[k], (j as Record<string, unknown>)[k]))
  );
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Converted under the planned type: true/false when the value has that type's form, undefined when it has none. */
function carriesTyped(a: unknown, v: Exclude<SqlValue, null>, rule: CarryRule): boolean | undefined {
  if (v instanceof InvalidText) return rule.type === 'binary' ? isBinary(a, 0, v.bytes) : undefined;
  switch (rule.type) {
    case 'auto':
      return undefined;
    case 'string':
      if (typeof v === 'string') return a === v;
      if (typeof v === 'bigint') return a === v.toString();
      if (typeof v === 'number') return typeof a === 'string' && a.trim() !== '' && Object.is(Number(a), v);
      return undefined;
    case 'int':
    case 'long': {
      const i = exactInteger(v);
      if (i === null) return undefined;
      return rule.type === 'int' ? isInteger(a, i) : isLong(a, i);
    }
    case 'double':
      if (typeof v === 'bigint' || typeof v === 'number') return isDouble(a, Number(v));
      if (typeof v === 'string' && NUMBER_TEXT.test(v.trim()) && Number.isFinite(Number(v)))
        return isDouble(a, Number(v));
      return undefined;
    case 'decimal':
      if (typeof v === 'bigint') return isDecimal(a, v.toString());
      if (typeof v === 'number') return a instanceof Decimal128 && Object.is(Number(a.toString()), v);
      if (typeof v === 'string' && NUMBER_TEXT.test(v.trim())) return isDecimal(a, v);
      return undefined;
    case 'date': {
      if (typeof v === 'string' && rule.zone) return carriesZonedText(a, v, rule.zone);
      const ms = typeof v === 'string' ? textInstant(v, rule.offsetMinutes) : epochInstant(v, rule.epoch);
      if (ms === null) return undefined;
      // A REAL epoch is carried to the millisecond (a Date holds no finer time).
      return a instanceof Date && (typeof v === 'number' ? Math.abs(a.getTime() - ms) < 1 : a.getTime() === ms);
    }
    case 'bool': {
      const b = booleanOf(v);
      return b === null ? undefined : a === b;
    }
    case 'binary':
      if (v instanceof Uint8Array) return isBinary(a, 0, v);
      if (typeof v === 'string') return isBinary(a, 0, Buffer.from(v, 'utf8'));
      return (
        a instanceof Binary &&
        a.sub_type === 0 &&
        (typeof v === 'bigint'
          ? Buffer.from(a.buffer).toString('utf8') === v.toString()
          : Object.is(Number(Buffer.from(a.buffer).toString('utf8')), v))
      );
    case 'json': {
      if (typeof v !== 'string') return undefined;
      const parsed = parseJson(v);
      return parsed.ok ? sameJson(a, parsed.value) : undefined;
    }
  }
}

/**
 * Null when the field (present or not, holding `a`) faithfully carries the SQLite value `v` under `rule`;
 * otherwise a short reason for the mismatch report.
 */
export function carries(present: boolean, a: unknown, v: SqlValue, rule: CarryRule): string | null {
  if (v === null) {
    if (rule.omitNull) return present ? 'a NULL must leave the field out (nulls: omit)' : null;
    return !present ? 'the field is missing' : a === null ? null : 'a NULL must be null';
  }
  if (!present) return 'the field is missing';
  const typed = carriesTyped(a, v, rule);
  if (typed === true) return null;
  if (typed === false) return `not ${describeSql(v)} as ${rule.type}`;
  return carriesAsStored(a, v) ? null : `not ${describeSql(v)} kept as stored`;
}

/** The SQLite value in a mismatch report: its storage class and value, e.g. `integer 42`, `text "x"`. */
export function describeSql(v: SqlValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'bigint') return `integer ${v}`;
  if (typeof v === 'number') return `real ${Object.is(v, -0) ? '-0.0' : String(v)}`;
  if (typeof v === 'string') return `text ${JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}…` : v)}`;
  const bytes = v instanceof InvalidText ? v.bytes : v;
  const hex = Buffer.from(bytes.subarray(0, 16)).toString('hex');
  return `${v instanceof InvalidText ? 'non-UTF-8 text' : 'blob'} x'${hex}${bytes.length > 16 ? '…' : ''}' (${bytes.length} bytes)`;
}

/**
 * Text dates as SQLite apps write them: ISO-8601 (`2024-01-02T03:04:05Z`, with offset or fraction) and SQLite's
 * own `YYYY-MM-DD HH:MM:SS[.ffffff]` (what SQLAlchemy writes for DATETIME), or a bare `YYYY-MM-DD`.
 * BSON Date keeps milliseconds: digits past the third are dropped (documented in docs/mapping-plan.md).
 */
import type { ZoneOffset } from './zones';
const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses a zone like 'UTC', 'Z', '+02:00', '-0530' into minutes east of UTC; null when unknown. */
export function parseZoneOffset(zone: string): number | null {
  if (/^(utc|z|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  // An offset is under 24 hours with minutes under 60 (as Python's datetime says): +25:99 is not a zone.
  if (!m || Number(m[2]) > 23 || Number(m[3]) > 59) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * The hot case, without a regular expression or Date object: `YYYY-MM-DD HH:MM:SS[.f…]` (or with `T`), no zone —
 * what SQLAlchemy writes for every DATETIME. Returns undefined for anything else (the general parser decides), so
 * results are identical to parseDateTextGeneral (test/unit/core/dates.test.ts compares them).
 */
function parseSqliteDateTime(t: string, zone: number | ZoneOffset): number | null | undefined {
  const n = t.length;
  // A fraction starts with '.' (46) at index 19.
  if (n < 19 || n > 29 || (n > 19 && (n === 20 || t.charCodeAt(19) !== 46))) return undefined;
  const sep = t.charCodeAt(10);
  if (
    t.charCodeAt(4) !== 45 ||
    t.charCodeAt(7) !== 45 ||
    (sep !== 32 && sep !== 84 && sep !== 116) ||
    t.charCodeAt(13) !== 58 ||
    t.charCodeAt(16) !== 58
  )
    return undefined;
  const hi = twoDigits(t, 0),
    lo = twoDigits(t, 2);
  const month = twoDigits(t, 5),
    day = twoDigits(t, 8),
    hour = twoDigits(t, 11),
    minute = twoDigits(t, 14),
    second = twoDigits(t, 17);
  if (hi < 0 || lo < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  const year = hi * 100 + lo;
  if (year < 100) return undefined; // Date.UTC maps years 0–99 to 1900–1999: the general parser handles them
  let ms = 0;
  for (let i = 20; i < n; i++) {
    const digit = t.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    if (i < 23) ms = ms * 10 + digit;
  }
  if (n > 20 && n < 23) ms *= n === 21 ? 100 : 10;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0)) return null;
  const wall = daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
  return wall - (typeof zone === 'number' ? zone : zone(wall)) * 60_000;
}

/**
 * Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil): what Date.UTC computes for
 * years ≥ 100, in plain arithmetic — about half its cost, and this runs for every date value.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The number written by the two digits at `i`, or -1 (module-level, not a closure: this runs for every date). */
function twoDigits(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48,
    b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/** Milliseconds since the epoch, or null when the text is not a valid date (including impossible days like 02-30). */
export function parseDateText(text: string, defaultZone: number | ZoneOffset = 0): number | null {
  const fast = parseSqliteDateTime(text, defaultZone);
  return fast !== undefined ? fast : parseDateTextGeneral(text, defaultZone);
}

/** parseDateText without the fast path for SQLite's own format (exported for the tests that compare the two). */
export function parseDateTextGeneral(text: string, defaultZone: number | ZoneOffset = 0): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d),
    hour = Number(h),
    minute = Number(mi),
    second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  // setUTCFullYear, not Date.UTC: the latter maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Rolling 2024-02-30 over to March would silently move the date: reject it instead.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  date.setUTCHours(hour, minute, second, ms);
  const utc = date.getTime();
  const offset = zone ? parseZoneOffset(zone) : typeof defaultZone === 'number' ? defaultZone : defaultZone(utc);
  if (offset === null) return null;
  return utc - offset * 60_000;
}

/**
 * What a BSON Date cannot keep of a text date that parses: digits past the millisecond that are not zeros
 * ('date-precision'), or a UTC offset other than zero ('date-offset': the instant is exact, the local time is not
 * kept). Undefined when the Date carries the text completely.
 */
export function dateTextLoss(text: string): 'date-precision' | 'date-offset' | undefined {
  // No regular expression on the hot path: this runs for every date value.
  const dot = text.indexOf('.', 17);
  if (dot !== -1) {
    for (let i = dot + 4; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) break;
      if (c !== 48) return 'date-precision';
    }
  }
  if (text.length <= 16) return undefined;
  const sign = Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'));
  if (sign <= 10) return undefined;
  const offset = parseZoneOffset(text.slice(sign).trim());
  return offset !== null && offset !== 0 ? 'date-offset' : undefined;
}

/** A text date whose Date keeps all of it (see dateTextLoss): what date detection proposes for undeclared columns. */
export function looksLikeExactDate(text: string): boolean {
  return parseDateText(text) !== null && dateTextLoss(text) === undefined;
}

export function looksLikeDate(text: string): boolean {
  return parseDateText(text) !== null;
}

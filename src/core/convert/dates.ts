/**
 * Text dates as SQLite apps write them: ISO-8601 (`2024-01-02T03:04:05Z`, with offset or fraction) and SQLite's
 * own `YYYY-MM-DD HH:MM:SS[.ffffff]` (what SQLAlchemy writes for DATETIME), or a bare `YYYY-MM-DD`.
 * BSON Date keeps milliseconds: digits past the third are dropped (documented in docs/mapping-plan.md).
 */
const DATE_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses a zone like 'UTC', 'Z', '+02:00', '-0530' into minutes east of UTC; null when unknown. */
export function parseZoneOffset(zone: string): number | null {
  if (/^(utc|z|gmt)$/i.test(zone)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) return null;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

/** Milliseconds since the epoch, or null when the text is not a valid date (including impossible days like 02-30). */
export function parseDateText(text: string, defaultOffsetMinutes = 0): number | null {
  const m = DATE_RE.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return null;
  const ms = frac ? Number(frac.slice(0, 3).padEnd(3, '0')) : 0;
  // setUTCFullYear, not Date.UTC: the latter maps years 0–99 to 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Rolling 2024-02-30 over to March would silently move the date: reject it instead.
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return null;
  date.setUTCHours(hour, minute, second, ms);
  const utc = date.getTime();
  const offset = zone ? parseZoneOffset(zone) : defaultOffsetMinutes;
  if (offset === null) return null;
  return utc - offset * 60_000;
}

export function looksLikeDate(text: string): boolean {
  return parseDateText(text) !== null;
}

/**
 * Time zones of text dates written without one: UTC, a fixed offset (+02:00), or an IANA name (Europe/Paris)
 * whose offset depends on the date (daylight saving time), taken from the runtime's time-zone database (Intl).
 *
 * A zone is a function from a wall-clock time (the local date and time, as milliseconds of the same wall time in
 * UTC) to the offset in minutes east of UTC that applies to it. Wall times that do not exist (the hour skipped when
 * clocks go forward) are read with the offset before the change, so they land after it, as SQLite's and most
 * libraries' conversions do; wall times that happen twice (the hour repeated when clocks go back) take the first.
 */
import { parseZoneOffset } from './dates';

export type ZoneOffset = (wallMs: number) => number;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter of an IANA zone, or undefined when the runtime does not know the name. */
function formatterOf(zone: string): Intl.DateTimeFormat | undefined {
  let f = formatters.get(zone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone: zone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      return undefined;
    }
    formatters.set(zone, f);
  }
  return f;
}

/** The local wall time (as UTC milliseconds) of an instant in an IANA zone: what a clock there showed. */
export function wallTimeIn(zone: string, instantMs: number): number {
  const f = formatterOf(zone);
  if (!f) throw new Error(`unknown time zone ${zone}`);
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(instantMs)))
    if (part.type !== 'literal') p[part.type] = Number(part.value);
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, ((instantMs % 1000) + 1000) % 1000);
  return d.getTime();
}

/** Offsets are looked up per quarter hour of wall time (every zone changes offset on a quarter hour). */
const BUCKET_MS = 15 * 60_000;
const MAX_CACHED = 200_000;

/**
 * The offset of a wall time in an IANA zone. The offsets a day before and a day after are the candidates; one is
 * right when the wall time read with it comes back as the same wall time. Both are right in a repeated hour (take
 * the first, the larger offset); neither in a skipped hour (take the one before the change).
 */
export function ianaWallOffset(zone: string, wallMs: number): number {
  // Minutes, possibly fractional: before 1911 Paris ran 9 min 21 s ahead of UTC.
  const at = (instantMs: number) => (wallTimeIn(zone, instantMs) - instantMs) / 60_000;
  const before = at(wallMs - 86_400_000);
  const after = at(wallMs + 86_400_000);
  const fits = (o: number) => at(wallMs - o * 60_000) === o;
  const candidates = [before, after].filter(fits);
  return candidates.length === 0 ? before : Math.max(...candidates);
}

function ianaOffset(zone: string): ZoneOffset {
  const cache = new Map<number, number>();
  return (wallMs) => {
    const bucket = Math.floor(wallMs / BUCKET_MS);
    let offset = cache.get(bucket);
    if (offset === undefined) {
      offset = ianaWallOffset(zone, bucket * BUCKET_MS);
      if (cache.size >= MAX_CACHED) cache.clear();
      cache.set(bucket, offset);
    }
    return offset;
  };
}

/** The zone function of a plan's `timezone`, or null when it is neither UTC, a fixed offset nor a known IANA name. */
export function zoneOffset(zone: string): ZoneOffset | null {
  const fixed = parseZoneOffset(zone);
  if (fixed !== null) return () => fixed;
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)+$/.test(zone) || !formatterOf(zone)) return null;
  return ianaOffset(zone);
}

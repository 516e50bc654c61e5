/**
 * Number and size formatting shared by every front end (CLI, extension host, webviews): one place, so a count reads
 * the same ("2,155") in the terminal, a notification, a tree item and the panel. Pure: no imports, safe in a browser.
 */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** A count and its noun, singular for exactly one: "1 row", "2,155 rows"; `many` for an irregular plural. */
export const plural = (n: number, one: string, many = `${one}s`): string => `${formatCount(n)} ${n === 1 ? one : many}`;

/** A duration for people: "420 ms", "8.9 s", "42 s", "3 min 5 s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

/**
 * Time left for a step, from its measured throughput: `ratePerSec` is done ÷ time since the step started, so the
 * step has run done ÷ rate seconds. Under a second of measurement (a batch or two) says nothing about the rest, so
 * no estimate is given then (an early guess said 8.9 s for a step that took 0.4 s).
 */
export function remainingMs(done: number, total: number, ratePerSec: number): number | undefined {
  if (ratePerSec <= 0 || done <= 0 || total <= done || done / ratePerSec < 1) return undefined;
  return ((total - done) / ratePerSec) * 1000;
}

/** Strings longer than this are cut in samples, with their full length said. */
const SAMPLE_STRING_LIMIT = 120;

/**
 * A sample document (relaxed Extended JSON text) made readable: every date as ISO text (relaxed EJSON writes dates
 * before 1970 as `{"$date":{"$numberLong":…}}`), binaries as "Binary · 12,345 bytes" instead of base64, long
 * strings cut with their length. Text that is not JSON (a note such as "(no rows)") is returned as it is.
 */
export function readableSample(text: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return text;
  }
  return JSON.stringify(readable(doc), undefined, 2);
}

function readable(v: unknown): unknown {
  if (typeof v === 'string')
    return v.length > SAMPLE_STRING_LIMIT
      ? `${v.slice(0, SAMPLE_STRING_LIMIT)}… (${formatCount(v.length)} characters)`
      : v;
  if (Array.isArray(v)) return v.map(readable);
  if (!v || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === '$date') {
    const d = o.$date as string | { $numberLong?: string };
    const ms = typeof d === 'string' ? Date.parse(d) : Number(d?.$numberLong);
    return Number.isFinite(ms) ? new Date(ms).toISOString() : v;
  }
  if (keys.length === 1 && keys[0] === '$binary') {
    const b = o.$binary as { base64?: string };
    if (typeof b?.base64 === 'string') return `Binary · ${formatCount(base64Bytes(b.base64))} bytes`;
  }
  return Object.fromEntries(keys.map((k) => [k, readable(o[k])]));
}

function base64Bytes(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return Math.floor((b64.length * 3) / 4) - pad;
}

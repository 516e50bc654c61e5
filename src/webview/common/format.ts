/** Formatting for the webviews: counts, durations and sizes come from the engine's one formatter (pure code). */
import { formatBytes, formatCount, formatDuration, remainingMs } from '../../core/format';

export { formatCount as fmt, formatDuration as duration, formatBytes as bytes };

/** The ETA text of a running step, once its throughput has been measured (see remainingMs). */
export function eta(done: number, total: number, ratePerSec: number): string | undefined {
  const left = remainingMs(done, total, ratePerSec);
  return left === undefined ? undefined : formatDuration(left);
}

/** Splits JSON text into tokens for colouring (strings, keys, numbers, literals, punctuation). */
export function jsonTokens(text: string): Array<{ text: string; kind: 'key' | 'string' | 'number' | 'literal' | 'plain' }> {
  const out: Array<{ text: string; kind: 'key' | 'string' | 'number' | 'literal' | 'plain' }> = [];
  const re = /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|\b(true|false|null)\b/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) out.push({ text: text.slice(last, m.index), kind: 'plain' });
    if (m[1]) {
      out.push({ text: m[1], kind: m[2] ? 'key' : 'string' });
      if (m[2]) out.push({ text: m[2], kind: 'plain' });
    } else if (m[3]) out.push({ text: m[3], kind: 'number' });
    else out.push({ text: m[4], kind: 'literal' });
    last = re.lastIndex;
  }
  if (last < text.length) out.push({ text: text.slice(last), kind: 'plain' });
  return out;
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
  if (typeof v === 'string') return v.length > SAMPLE_STRING_LIMIT ? `${v.slice(0, SAMPLE_STRING_LIMIT)}… (${formatCount(v.length)} characters)` : v;
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

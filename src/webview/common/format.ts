/** Formatting for the webviews: counts, durations and sizes come from the engine's one formatter (pure code). */
import { formatBytes, formatCount, formatDuration, plural, readableSample, remainingMs } from '../../core/format';

export { formatCount as fmt, formatDuration as duration, formatBytes as bytes, plural, readableSample };

/** The ETA text of a running step, once its throughput has been measured (see remainingMs). */
export function eta(done: number, total: number, ratePerSec: number): string | undefined {
  const left = remainingMs(done, total, ratePerSec);
  return left === undefined ? undefined : formatDuration(left);
}

/** Splits JSON text into tokens for colouring (strings, keys, numbers, literals, punctuation). */
export function jsonTokens(
  text: string,
): Array<{ text: string; kind: 'key' | 'string' | 'number' | 'literal' | 'plain' }> {
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

export const fmt = (n: number): string => n.toLocaleString('en-US');

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

export function eta(done: number, total: number, ratePerSec: number): string | undefined {
  if (ratePerSec <= 0 || total <= done) return undefined;
  return duration(((total - done) / ratePerSec) * 1000);
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

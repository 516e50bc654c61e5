/**
 * Classifies the first bytes of a file that is not a SQLite database, so the user is told what they picked
 * ("a PNG image") or that it looks encrypted, instead of a generic "not a database".
 */

export const SQLITE_MAGIC = 'SQLite format 3\0';

export function hasSqliteMagic(head: Uint8Array): boolean {
  if (head.length < SQLITE_MAGIC.length) return false;
  for (let i = 0; i < SQLITE_MAGIC.length; i++) if (head[i] !== SQLITE_MAGIC.charCodeAt(i)) return false;
  return true;
}

const SIGNATURES: Array<{ kind: string; bytes: number[] }> = [
  { kind: 'a PNG image', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { kind: 'a JPEG image', bytes: [0xff, 0xd8, 0xff] },
  { kind: 'a GIF image', bytes: [0x47, 0x49, 0x46, 0x38] },
  { kind: 'a PDF document', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { kind: 'a ZIP archive', bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: 'a gzip archive', bytes: [0x1f, 0x8b] },
  { kind: 'a bzip2 archive', bytes: [0x42, 0x5a, 0x68] },
  { kind: 'an xz archive', bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { kind: 'a zstd archive', bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { kind: 'a 7-Zip archive', bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: 'a SQLite rollback journal', bytes: [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7] },
  { kind: 'a SQLite WAL file', bytes: [0x37, 0x7f, 0x06, 0x82] },
  { kind: 'a SQLite WAL file', bytes: [0x37, 0x7f, 0x06, 0x83] },
  { kind: 'an ELF executable', bytes: [0x7f, 0x45, 0x4c, 0x46] },
];

/** Shannon entropy of the bytes in bits per byte (0..8). */
export function byteEntropy(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  const counts = new Array<number>(256).fill(0);
  for (const b of bytes) counts[b]++;
  let h = 0;
  for (const c of counts) {
    if (c === 0) continue;
    const p = c / bytes.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export type Classification = { kind: 'encrypted' } | { kind: 'other'; description: string };

/**
 * SQLCipher (and other encrypted databases) start with random-looking bytes: the first 16 are a random salt and
 * the rest is ciphertext. Random data over 512+ bytes scores ~7.6–8 bits/byte; text and most binary formats
 * score far lower, and compressed formats are caught by their signature first.
 */
export function classifyNonSqlite(head: Uint8Array): Classification {
  for (const sig of SIGNATURES) {
    if (head.length >= sig.bytes.length && sig.bytes.every((b, i) => head[i] === b))
      return { kind: 'other', description: `it looks like ${sig.kind}` };
  }
  const sample = head.subarray(0, 4096);
  if (sample.length >= 512 && byteEntropy(sample) >= 7.2) return { kind: 'encrypted' };
  return { kind: 'other', description: describeStart(head) };
}

function describeStart(head: Uint8Array): string {
  const start = head.subarray(0, 16);
  const printable = start.every((b) => (b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d);
  if (printable) {
    const text = Buffer.from(start)
      .toString('latin1')
      .replace(/[\r\n\t]/g, ' ');
    return `it starts with the text ${JSON.stringify(text)}`;
  }
  return `it starts with the bytes ${Buffer.from(start.subarray(0, 8))
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ')}`;
}

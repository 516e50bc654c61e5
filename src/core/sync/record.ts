/** SQLite records (https://www.sqlite.org/fileformat2.html#record_format): the values of a row or index entry. */
import { corrupt, readVarint } from './pageFormat';

export type RecordValue = null | number | string | Uint8Array;

/** Text encoding from the database header (offset 56): 1 UTF-8, 2 UTF-16le, 3 UTF-16be. */
export type TextEncoding = 1 | 2 | 3;

function decodeText(bytes: Uint8Array, encoding: TextEncoding): string {
  if (encoding === 1) return Buffer.from(bytes).toString('utf8');
  const b = Buffer.from(bytes);
  if (encoding === 3) b.swap16();
  return b.toString('utf16le');
}

/** Decodes a record (https://www.sqlite.org/fileformat2.html#record_format). */
export function decodeRecord(payload: Uint8Array, encoding: TextEncoding = 1): RecordValue[] {
  const header = readVarint(payload, 0);
  const types: number[] = [];
  for (let p = header.size; p < header.value;) {
    const t = readVarint(payload, p);
    types.push(t.value);
    p += t.size;
  }
  const values: RecordValue[] = [];
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  let off = header.value;
  const intSizes = [0, 1, 2, 3, 4, 6, 8];
  for (const t of types) {
    if (t === 0) values.push(null);
    else if (t <= 6) {
      const n = intSizes[t];
      values.push(n === 8 ? Number(view.getBigInt64(off)) : signedInt(payload, off, n));
      off += n;
    } else if (t === 7) {
      values.push(view.getFloat64(off));
      off += 8;
    } else if (t === 8 || t === 9) values.push(t - 8);
    else if (t >= 12) {
      const n = t % 2 === 0 ? (t - 12) / 2 : (t - 13) / 2;
      const bytes = payload.subarray(off, off + n);
      values.push(t % 2 === 0 ? bytes : decodeText(bytes, encoding));
      off += n;
    } else throw corrupt(`a record uses the reserved serial type ${t}`);
  }
  return values;
}

export function signedInt(b: Uint8Array, off: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + b[off + i];
  return b[off] & 0x80 ? v - 2 ** (8 * n) : v;
}

/** The first value of a record, from its local bytes (an integer or a real; anything else is undefined). */
export function decodeFirst(payload: Uint8Array): number | undefined {
  if (payload.length < 2) return undefined;
  const header = readVarint(payload, 0);
  const t = readVarint(payload, header.size).value;
  const off = header.value;
  if (t >= 1 && t <= 6) {
    const n = [0, 1, 2, 3, 4, 6, 8][t];
    if (off + n > payload.length) return undefined;
    if (n === 8) return Number(new DataView(payload.buffer, payload.byteOffset).getBigInt64(off));
    return signedInt(payload, off, n);
  }
  if (t === 8 || t === 9) return t - 8;
  if (t === 7 && off + 8 <= payload.length) return new DataView(payload.buffer, payload.byteOffset).getFloat64(off);
  return undefined;
}

/**
 * Seeded random values of the engine's types, for the codecs' agreement tests (the fast BSON writer and the fast
 * Extended JSON codec against the driver's own): JS numbers of every size, Double (±0, extremes, NaN, ±Infinity),
 * Int32, Long, strings with quotes, escapes, NUL, lone surrogates and astral characters, booleans, null, Dates,
 * Binary of several subtypes, ObjectId and Decimal128, in arrays and sub-documents up to three levels deep.
 */
import { Binary, Decimal128, Double, Int32, Long, ObjectId } from 'mongodb';

export function randomValues(seed: number) {
  let state = seed;
  const rnd = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const byteArray = (max: number) => Buffer.from(Array.from({ length: max }, () => Math.floor(rnd() * 256)));
  const scalar = (): unknown =>
    pick<() => unknown>([
      () => Math.floor((rnd() - 0.5) * 2 ** (rnd() * 70)),
      () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20),
      () =>
        new Double(
          pick([0, -0, 1, 2.5, 1e308, 5e-324, Infinity, -Infinity, NaN, rnd() * 1e6, Math.floor(rnd() * 1000)]),
        ),
      () => new Int32(Math.floor((rnd() - 0.5) * 2 ** 32)),
      () =>
        Long.fromBigInt(
          BigInt.asIntN(64, BigInt(Math.floor(rnd() * 2 ** 53)) * BigInt(Math.floor(rnd() * 2 ** 20)) - 2n ** 60n),
        ),
      () =>
        Array.from({ length: Math.floor(rnd() * 40) }, () =>
          String.fromCodePoint(pick([0x22, 0x5c, 0x0a, 0x41, 0x61, 0xe9, 0x65e5, 0x1f680, 0xd800, 0x00, 0x7f])),
        ).join(''),
      () => rnd() < 0.5,
      () => null,
      () => new Date(Math.floor((rnd() - 0.5) * 2e13)),
      () => new Binary(byteArray(Math.floor(rnd() * 40)), pick([0, 0, 0, 3, 4, 5, 0x80])),
      () => new ObjectId(byteArray(12)),
      () =>
        Decimal128.fromString(
          `${Math.floor((rnd() - 0.5) * 1e9)}.${Math.floor(rnd() * 1000)}E${Math.floor((rnd() - 0.5) * 40)}`,
        ),
    ])();
  const value = (depth: number): unknown => {
    const r = rnd();
    if (depth < 3 && r < 0.1) return Array.from({ length: Math.floor(rnd() * 5) }, () => value(depth + 1));
    if (depth < 3 && r < 0.2) return documentOf(depth + 1);
    return scalar();
  };
  /** A sub-document of up to 8 fields (names with accents and CJK too). */
  const documentOf = (depth: number): Record<string, unknown> =>
    Object.fromEntries(
      Array.from({ length: Math.floor(rnd() * 8) }, (_, i) => [
        pick(['a', 'name', 'é', `f${i}`, '日']) + i,
        value(depth),
      ]),
    );
  return { value, documentOf };
}

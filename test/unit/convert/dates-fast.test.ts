import assert from 'node:assert/strict';
import { parseDateText, parseDateTextGeneral } from '../../../src/core/convert/dates';

/** The fast path for SQLite's `YYYY-MM-DD HH:MM:SS.ffffff` must agree with the general parser on every input. */
describe('parseDateText fast path', () => {
  const fixed = [
    '2024-09-05 16:53:23.116739',
    '2024-09-05T16:53:23.116739',
    '2024-09-05t16:53:23',
    '2024-09-05 16:53:23',
    '2024-09-05 16:53:23.1',
    '2024-09-05 16:53:23.12',
    '2024-09-05 16:53:23.123',
    '2024-09-05 16:53:23.123456789',
    '2024-09-05 16:53:23.1234567890',
    '2024-09-05 16:53:23.',
    '2024-02-29 00:00:00',
    '2023-02-29 00:00:00',
    '1900-02-29 00:00:00',
    '2000-02-29 00:00:00',
    '2024-04-31 00:00:00',
    '2024-12-31 23:59:59.999999',
    '2024-00-10 00:00:00',
    '2024-13-10 00:00:00',
    '2024-01-00 00:00:00',
    '2024-01-32 00:00:00',
    '2024-01-01 24:00:00',
    '2024-01-01 23:60:00',
    '2024-01-01 23:59:60',
    '0050-01-01 00:00:00',
    '0099-12-31 23:59:59',
    '0100-01-01 00:00:00',
    '9999-12-31 23:59:59.999',
    ' 2024-09-05 16:53:23',
    '2024-09-05 16:53:23 ',
    '2024-09-05 16:53:23Z',
    '2024-09-05 16:53:23.5Z',
    '2024-09-05 16:53:23+02:00',
    '2024-09-05 16:53:2x',
    '2024-9-05 16:53:23',
    '2024/09/05 16:53:23',
    '２０２４-09-05 16:53:23',
    '2024-09-05 16:53:23.12a',
    '2024-09-05_16:53:23',
  ];
  for (const text of fixed) {
    it(JSON.stringify(text), () => {
      for (const offset of [0, 120, -330])
        assert.equal(parseDateText(text, offset), parseDateTextGeneral(text, offset));
    });
  }
  it('agrees on 20,000 random date-times (valid and invalid fields)', () => {
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const pad = (x: number, w: number) => String(x).padStart(w, '0');
    for (let i = 0; i < 20000; i++) {
      const frac =
        rnd(4) === 0
          ? ''
          : '.' +
            String(rnd(1e9))
              .padStart(9, '0')
              .slice(0, 1 + rnd(9));
      const text = `${pad(rnd(10000), 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}${rnd(2) ? ' ' : 'T'}${pad(rnd(26), 2)}:${pad(rnd(62), 2)}:${pad(rnd(62), 2)}${frac}`;
      assert.equal(parseDateText(text, 60), parseDateTextGeneral(text, 60), text);
    }
  });
});

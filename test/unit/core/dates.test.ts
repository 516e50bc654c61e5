import assert from 'node:assert/strict';
import { parseDateText } from '../../../src/core/convert/dates';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe('parseDateText', () => {
  const ok: Array<[string, string]> = [
    ['2024-09-05 16:53:23.116739', '2024-09-05T16:53:23.116Z'],
    ['2024-09-05T16:53:23Z', '2024-09-05T16:53:23.000Z'],
    ['2024-09-05T16:53:23+02:00', '2024-09-05T14:53:23.000Z'],
    ['2024-09-05 16:53:23-0530', '2024-09-05T22:23:23.000Z'],
    ['2024-09-05', '2024-09-05T00:00:00.000Z'],
    ['2024-02-29 12:00', '2024-02-29T12:00:00.000Z'],
    ['0050-01-01 00:00:00', '0050-01-01T00:00:00.000Z'],
  ];
  for (const [text, expected] of ok) it(`${text} → ${expected}`, () => assert.equal(iso(parseDateText(text)), expected));
  for (const bad of ['2023-02-29', '2024-13-01', '2024-01-01 24:00:00', 'yesterday', '12/31/2024', '2024-01-01T10:00:00 PST', '']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseDateText(bad), null));
  }
  it('reads zone-less text in the given offset', () => assert.equal(iso(parseDateText('2024-01-01 10:00:00', 120)), '2024-01-01T08:00:00.000Z'));
});

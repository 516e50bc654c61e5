import assert from 'node:assert/strict';
import { dateTextLoss, parseDateText, parseZoneOffset } from '../../../src/core/convert/dates';

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
  for (const [text, expected] of ok)
    it(`${text} → ${expected}`, () => assert.equal(iso(parseDateText(text)), expected));
  for (const bad of [
    '2023-02-29',
    '2024-13-01',
    '2024-01-01 24:00:00',
    'yesterday',
    '12/31/2024',
    '2024-01-01T10:00:00 PST',
    '',
  ]) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.equal(parseDateText(bad), null));
  }
  it('reads zone-less text in the given offset', () =>
    assert.equal(iso(parseDateText('2024-01-01 10:00:00', 120)), '2024-01-01T08:00:00.000Z'));
});

describe('what a Date cannot keep of a text date', () => {
  const cases: Array<[string, ReturnType<typeof dateTextLoss>]> = [
    ['2024-09-05 16:53:23.116739', 'date-precision'],
    ['2024-09-05 16:53:23.116000', undefined],
    ['2024-09-05T16:53:23.116Z', undefined],
    ['2024-09-05T16:53:23+02:00', 'date-offset'],
    ['2024-09-05T16:53:23-0530', 'date-offset'],
    ['2024-09-05T16:53:23+00:00', undefined],
    ['2024-09-05 16:53:23 +01:00', 'date-offset'],
    ['2024-09-05', undefined],
    ['2024-09-05T16:53', undefined],
  ];
  for (const [text, loss] of cases)
    it(`${text} → ${loss ?? 'nothing lost'}`, () => assert.equal(dateTextLoss(text), loss));
  it('an offset is under 24 hours with minutes under 60', () => {
    assert.equal(parseZoneOffset('+25:99'), null);
    assert.equal(parseZoneOffset('+23:59'), 23 * 60 + 59);
    assert.equal(parseDateText('2024-01-02T03:04:05+24:00'), null);
  });
});

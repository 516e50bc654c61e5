/** Text dates in IANA time zones (daylight saving time included), against Python's zoneinfo as the oracle. */
import assert from 'node:assert/strict';
import { parseDateText } from '../../../src/core/convert/dates';
import { zoneOffset } from '../../../src/core/convert/zones';
import { checkPlan } from '../../../src/core/plan/check';
import { carries } from '../../../src/core/validate/faithful';
import { pyJson } from '../../helpers/sqliteBuilders';

const TEXTS = [
  '2024-01-15 12:00:00', // winter
  '2024-07-15 12:00:00', // summer
  '2024-03-31 01:59:59', // just before clocks go forward in Paris
  '2024-03-31 02:30:00', // a wall time Paris skipped
  '2024-03-31 03:00:00',
  '2024-10-27 02:30:00', // a wall time Paris had twice
  '2024-10-27 03:00:00',
  '1900-06-01 00:00:00', // local mean time era
  '2024-11-03 01:30:00', // repeated in New York
  '2024-03-10 02:30:00', // skipped in New York
];
const ZONES = ['Europe/Paris', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata'];

describe('IANA time zones for text dates', () => {
  it('reads every wall time as Python (zoneinfo, fold=0) does, skipped and repeated hours included', () => {
    const oracle = pyJson<Record<string, number[]>>(
      `import json, sys
from datetime import datetime
from zoneinfo import ZoneInfo
texts = json.loads(sys.argv[1])
print(json.dumps({z: [round(datetime.fromisoformat(t).replace(tzinfo=ZoneInfo(z)).timestamp() * 1000) for t in texts] for z in json.loads(sys.argv[2])}))`,
      JSON.stringify(TEXTS),
      JSON.stringify(ZONES),
    );
    for (const zone of ZONES) {
      const z = zoneOffset(zone);
      assert.ok(z, zone);
      const got = TEXTS.map((t) => parseDateText(t, z));
      assert.deepEqual(got, oracle[zone], zone);
    }
  });

  it('an explicit offset in the text wins over the zone; unknown names are refused by the plan check', () => {
    assert.equal(parseDateText('2024-07-15 12:00:00+00:00', zoneOffset('Europe/Paris')!), Date.UTC(2024, 6, 15, 12));
    assert.equal(zoneOffset('Mars/Olympus_Mons'), null);
    assert.equal(zoneOffset('not a zone'), null);
    const plan = {
      version: 1,
      options: { nulls: 'keep', timezone: 'Europe/Atlantis', detectTextDates: true },
      collections: [],
      skipped: [],
    };
    assert.throws(
      () => checkPlan(plan as never, { tables: [], views: [] }),
      /timezone "Europe\/Atlantis" is not "UTC", a fixed offset like "\+02:00" or a time zone name like "Europe\/Paris"/,
    );
    checkPlan({ ...plan, options: { ...plan.options, timezone: 'Europe/Paris' } } as never, { tables: [], views: [] });
  });

  it('the proof checks zoned dates forward (clock shown at the stored instant), apart from the converter', () => {
    const rule = { type: 'date' as const, omitNull: false, offsetMinutes: 0, zone: 'Europe/Paris' };
    assert.equal(carries(true, new Date('2024-07-15T10:00:00Z'), '2024-07-15 12:00:00', rule), null);
    assert.notEqual(carries(true, new Date('2024-07-15T11:00:00Z'), '2024-07-15 12:00:00', rule), null);
    // Skipped 02:30 → read with the winter offset: 01:30Z (shown as 03:30 in Paris).
    assert.equal(carries(true, new Date('2024-03-31T01:30:00Z'), '2024-03-31 02:30:00', rule), null);
    assert.notEqual(carries(true, new Date('2024-03-31T00:30:00Z'), '2024-03-31 02:30:00', rule), null);
  });
});

/**
 * The proof's relation ("does this BSON value faithfully carry that SQLite value under this rule?"), rule by rule:
 * it accepts what the plan promises and refuses a near miss — and it agrees with the converter on values the
 * converter handles correctly (checked over many values), without sharing its code.
 */
import assert from 'node:assert/strict';
import { BSON, Binary, Decimal128, Double, Int32, Long } from 'mongodb';
import { makeConverter, OMIT } from '../../../src/core/convert/values';
import type { FieldType } from '../../../src/core/plan/types';
import { InvalidText, type SqlValue } from '../../../src/core/sqlite/types';
import { carries, textInstant, type CarryRule } from '../../../src/core/validate/faithful';

const rule = (type: FieldType, extra: Partial<CarryRule> = {}): CarryRule => ({
  type,
  omitNull: false,
  offsetMinutes: 0,
  ...extra,
});
const ok = (a: unknown, v: SqlValue, r: CarryRule) => carries(true, a, v, r) === null;

describe('faithful: the relation validation decides with', () => {
  it('auto: integers by width, reals as doubles (sign of zero too), text, blobs and non-UTF-8 text as bytes', () => {
    const auto = rule('auto');
    assert.ok(ok(new Int32(5), 5n, auto));
    assert.ok(!ok(new Double(5), 5n, auto), 'an integer is not a double');
    assert.ok(!ok(new Int32(5), 6n, auto));
    assert.ok(ok(Long.fromBigInt(2n ** 40n), 2n ** 40n, auto));
    assert.ok(!ok(new Int32(1), 2n ** 40n, auto));
    assert.ok(ok(new Double(2), 2, auto));
    assert.ok(!ok(new Int32(2), 2, auto), 'a whole REAL stays a double');
    assert.ok(!ok(new Double(0), -0, auto), '-0.0 is not 0.0');
    assert.ok(ok('x', 'x', auto) && !ok('y', 'x', auto));
    assert.ok(ok(new Binary(Buffer.from([1, 2])), new Uint8Array([1, 2]), auto));
    assert.ok(!ok(new Binary(Buffer.from([1, 3])), new Uint8Array([1, 2]), auto));
    assert.ok(ok(new Binary(Buffer.from([0xe9]), 0x80), new InvalidText(new Uint8Array([0xe9])), auto));
    assert.ok(
      !ok(new Binary(Buffer.from([0xe9])), new InvalidText(new Uint8Array([0xe9])), auto),
      'subtype 0 is a BLOB',
    );
    assert.ok(!ok('\uFFFD', new InvalidText(new Uint8Array([0xe9])), auto));
  });

  it('nulls: keep means null, omit means no field', () => {
    assert.equal(carries(true, null, null, rule('auto')), null);
    assert.notEqual(carries(false, undefined, null, rule('auto')), null);
    assert.equal(carries(false, undefined, null, rule('int', { omitNull: true })), null);
    assert.notEqual(carries(true, null, null, rule('int', { omitNull: true })), null);
    assert.notEqual(carries(false, undefined, 1n, rule('auto')), null, 'a value must be there');
  });

  it('type overrides: the converted value when the value has that form, else the value as stored', () => {
    assert.ok(ok('42', 42n, rule('string')) && ok('1.5', 1.5, rule('string')) && !ok('42', 43n, rule('string')));
    assert.ok(ok(new Int32(7), '7', rule('int')) && !ok('7', '7', rule('int')), 'text digits must convert');
    assert.ok(ok('seven', 'seven', rule('int')), 'text that is no number is kept');
    assert.ok(ok('99999999999999999999', '99999999999999999999', rule('long')), 'beyond int64 is kept, never wrapped');
    assert.ok(!ok(Long.fromBigInt(BigInt.asIntN(64, 99999999999999999999n)), '99999999999999999999', rule('int')));
    assert.ok(ok(Long.fromBigInt(3n), 3n, rule('long')) && !ok(new Int32(3), 3n, rule('long')));
    assert.ok(
      ok(new Double(2.5), '2.5', rule('double')) && ok('0x10', '0x10', rule('double')),
      'hex text is not a number',
    );
    assert.ok(
      ok(Decimal128.fromString('1.50'), '1.5', rule('decimal')) &&
        !ok(Decimal128.fromString('1.51'), '1.5', rule('decimal')),
    );
    assert.ok(ok(true, 1n, rule('bool')) && ok(false, 'no', rule('bool')) && ok(new Int32(2), 2n, rule('bool')));
    assert.ok(ok(new Binary(Buffer.from('hé')), 'hé', rule('binary')));
    assert.ok(ok({ a: new Int32(1), b: [new Double(2.5), 'x'] }, '{"a":1,"b":[2.5,"x"]}', rule('json')));
    assert.ok(
      !ok({ b: [new Double(2.5), 'x'], a: new Int32(1) }, '{"a":1,"b":[2.5,"x"]}', rule('json')),
      'key order is kept',
    );
    assert.ok(ok('{oops', '{oops', rule('json')));
  });

  it('dates: the instant the text names, in the plan time zone unless it has one; epochs by unit', () => {
    const d = (iso: string) => new Date(iso);
    assert.ok(ok(d('2024-01-02T03:04:05.123Z'), '2024-01-02 03:04:05.123456', rule('date')));
    assert.ok(ok(d('2024-01-02T01:04:05Z'), '2024-01-02T03:04:05+02:00', rule('date')));
    assert.ok(ok(d('2024-01-02T01:04:05Z'), '2024-01-02 03:04:05', rule('date', { offsetMinutes: 120 })));
    assert.ok(!ok(d('2024-01-02T03:04:05Z'), '2024-01-02 03:04:05', rule('date', { offsetMinutes: 120 })));
    assert.ok(ok('2024-02-30', '2024-02-30', rule('date')), 'an impossible day stays text');
    assert.ok(
      ok('2024-01-02T03:04:05+25:99', '2024-01-02T03:04:05+25:99', rule('date')),
      'an impossible offset stays text',
    );
    assert.ok(ok(d('2023-11-14T22:13:20Z'), 1700000000n, rule('date', { epoch: 'seconds' })));
    assert.ok(ok(new Int32(5), 5n, rule('date')), 'a number without an epoch unit is kept');
    assert.equal(
      textInstant('0001-01-01', 0),
      new Date('0001-01-01T00:00:00Z').getTime(),
      'years before 100 are not taken for 19xx',
    );
    assert.equal(
      textInstant('1970-01-01T00:00:00.9999', 0),
      999,
      'digits past the millisecond are dropped, not rounded',
    );
    assert.equal(textInstant('2000-02-29 12:00', 0), Date.UTC(2000, 1, 29, 12));
    assert.equal(textInstant('1900-02-29', 0), null);
  });

  it('agrees with the converter on a spread of values for every type (two implementations, one contract)', () => {
    const values: SqlValue[] = [
      null,
      0n,
      -1n,
      2147483647n,
      2147483648n,
      -(2n ** 63n),
      2n ** 63n - 1n,
      0.5,
      -0,
      1e308,
      3,
      'abc',
      '',
      ' 12 ',
      '12.5',
      '1e3',
      'true',
      'no',
      '2024-02-29',
      '2024-02-29 23:59:59.999999',
      '2024-02-29T23:59:59-05:30',
      '[1, 2.5, {"a": null}]',
      new Uint8Array([0, 255]),
      new InvalidText(new Uint8Array([0xff])),
    ];
    const types: FieldType[] = ['auto', 'string', 'int', 'long', 'double', 'decimal', 'date', 'bool', 'binary', 'json'];
    for (const type of types) {
      for (const nulls of ['keep', 'omit'] as const) {
        const convert = makeConverter(
          { column: 'c', field: 'c', type, nulls, epoch: 'seconds' },
          { nulls: 'keep', timezone: '+01:00', detectTextDates: true },
        );
        for (const v of values) {
          const out = convert(v, () => undefined);
          const present = out !== OMIT;
          // Through BSON, as the server hands it back.
          const back = present
            ? BSON.deserialize(BSON.serialize({ out }), { promoteValues: false, promoteLongs: false }).out
            : undefined;
          const why = carries(
            present,
            back,
            v,
            rule(type, { omitNull: nulls === 'omit', epoch: 'seconds', offsetMinutes: 60 }),
          );
          assert.equal(why, null, `${type}/${nulls} ${String(v)} → ${String(out)}: ${why}`);
        }
      }
    }
  });
});

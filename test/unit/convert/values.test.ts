import assert from 'node:assert/strict';
import { Binary, Decimal128, Double, Long } from 'mongodb';
import { makeConverter, OMIT, type ConversionWarning } from '../../../src/core/convert/values';
import { DEFAULT_PLAN_OPTIONS, type FieldType } from '../../../src/core/plan/types';
import type { SqlValue } from '../../../src/core/sqlite/types';

function convert(type: FieldType, v: SqlValue, extra: object = {}) {
  const warnings: ConversionWarning[] = [];
  const value = makeConverter({ column: 'c', field: 'c', type, ...extra }, DEFAULT_PLAN_OPTIONS)(v, (w) =>
    warnings.push(w),
  );
  return { value, warnings };
}

describe('value conversion', () => {
  it('json: integers a double cannot hold exactly are warned (not those inside strings)', () => {
    const warnings: ConversionWarning[] = [];
    const convert = makeConverter({ column: 'j', field: 'j', type: 'json' }, DEFAULT_PLAN_OPTIONS);
    const text =
      '{"id": 12345678901234567891, "ok": 9007199254740992, "s": "12345678901234567891", "n": [-9007199254740993]}';
    const doc = convert(text, (w) => warnings.push(w)) as Record<string, unknown>;
    assert.deepEqual(
      warnings.map((w) => `${w.kind} ${w.value}`),
      [
        'lossy-type 12345678901234567891 in JSON text becomes the double 12345678901234567000',
        'lossy-type -9007199254740993 in JSON text becomes the double -9007199254740992',
      ],
    );
    assert.equal(doc.s, '12345678901234567891');
    assert.deepEqual(
      convert('{"small": 42, "pi": 3.14}', (w) => warnings.push(w)),
      { small: 42, pi: new Double(3.14) },
    );
    assert.equal(warnings.length, 2);
  });

  it('auto: INTEGER → int32 when it fits, else Long; never a double', () => {
    assert.equal(convert('auto', 2147483647n).value, 2147483647);
    assert.equal(convert('auto', -2147483648n).value, -2147483648);
    const big = convert('auto', 2147483648n).value;
    assert.ok(big instanceof Long && big.toBigInt() === 2147483648n);
    assert.equal((convert('auto', 9223372036854775807n).value as Long).toBigInt(), 9223372036854775807n);
  });
  it('auto: REAL → Double even when whole, keeps -0 and extremes', () => {
    for (const v of [2, -0, 1e308, 5e-324, Infinity]) {
      const d = convert('auto', v).value;
      assert.ok(d instanceof Double);
      assert.ok(Object.is(d.value, v));
    }
  });
  it('auto: TEXT, BLOB, NULL', () => {
    assert.equal(convert('auto', 'héllo').value, 'héllo');
    const b = convert('auto', new Uint8Array([1, 2])).value as Binary;
    assert.ok(b instanceof Binary);
    assert.deepEqual([...b.buffer], [1, 2]);
    assert.equal(convert('auto', null).value, null);
    assert.equal(convert('auto', null, { nulls: 'omit' }).value, OMIT);
  });
  it('date: parses text, keeps unparseable text with a warning, epoch numbers when asked', () => {
    assert.equal(
      (convert('date', '2024-01-02 03:04:05.678901').value as Date).toISOString(),
      '2024-01-02T03:04:05.678Z',
    );
    const bad = convert('date', 'soon');
    assert.equal(bad.value, 'soon');
    assert.deepEqual(
      bad.warnings.map((w) => w.kind),
      ['unparseable-date'],
    );
    assert.equal(
      (convert('date', 1700000000n, { epoch: 'seconds' }).value as Date).toISOString(),
      '2023-11-14T22:13:20.000Z',
    );
    assert.equal(convert('date', 1700000000n).warnings.length, 1, 'numbers without an epoch unit are kept');
  });
  it('bool: 0/1 and common words; anything else kept with a warning', () => {
    assert.equal(convert('bool', 1n).value, true);
    assert.equal(convert('bool', 0n).value, false);
    assert.equal(convert('bool', 'yes').value, true);
    const odd = convert('bool', 2n);
    assert.equal(odd.value, 2);
    assert.equal(odd.warnings[0].kind, 'not-boolean');
  });
  it('json: text becomes an embedded document; invalid JSON is kept', () => {
    assert.deepEqual(convert('json', '{"a":[1,{"b":null}]}').value, { a: [1, { b: null }] });
    assert.equal(convert('json', '{oops').warnings[0].kind, 'not-json');
  });
  it('long, int, double, decimal, string, binary overrides', () => {
    assert.equal((convert('long', 5n).value as Long).toBigInt(), 5n);
    assert.equal((convert('long', ' 42 ').value as Long).toBigInt(), 42n);
    assert.equal(convert('long', '99999999999999999999').warnings[0].kind, 'not-numeric');
    assert.equal(convert('int', '7').value, 7);
    assert.equal((convert('double', 3n).value as Double).value, 3);
    assert.equal(convert('double', 9007199254740993n).warnings[0].kind, 'lossy-type');
    assert.equal((convert('decimal', '12.50').value as Decimal128).toString(), '12.50');
    assert.equal(convert('string', 12n).value, '12');
    assert.deepEqual([...(convert('binary', 'hi').value as Binary).buffer], [104, 105]);
  });
});

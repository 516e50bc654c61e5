/**
 * The fast Extended JSON codec against the driver's EJSON on text it does not write itself (other number forms,
 * keys out of order, malformed input: the same values or the same error) and on 3,000 random documents.
 */
import assert from 'node:assert/strict';
import { parseCanonical } from '../../../src/core/ndjson/ejson';
import { CANONICAL, checkParse, checkRoundTrip, EJSON } from '../../helpers/ejsonOracle';
import { randomValues } from '../../helpers/randomValues';

describe('fast canonical Extended JSON codec: text from elsewhere, random documents', () => {
  describe('parsing text that is not what the writer produces', () => {
    const texts = [
      '{"a":1}',
      '{"a":1.5,"b":-0,"c":1e400,"d":9007199254740993}',
      '[1,2,3]',
      '5',
      '"s"',
      'null',
      '{"$numberInt":"5","extra":1}',
      '{"x":{"$numberInt":null}}',
      '{"x":{"$date":"2024-01-01T00:00:00Z"}}',
      '{"x":{"$date":{"$numberLong":"1704067200000"}}}',
      '{"x":{"$date":{"$numberLong":"99999999999999999"}}}',
      '{"x":{"$binary":{"base64":"AQI=","subType":"04"}}}',
      '{"x":{"$binary":{"base64":"","subType":""}}}',
      '{"x":{"$binary":{"subType":"00","base64":"AQI="}}}',
      '{"x":{"$binary":"AQI=","$type":"00"}}',
      '{"x":{"$uuid":"01234567-89ab-cdef-0123-456789abcdef"}}',
      '{"x":{"$numberLong":"-9223372036854775808"}}',
      '{"x":{"$numberLong":"+12"}}',
      '{"x":{"$numberDouble":"-0.0"}}',
      '{"x":{"$numberDouble":"Infinity"}}',
      '{"x":{"$numberDouble":"NaN"}}',
      '{"x":{"$numberDecimal":"1E+3"}}',
      '{"x":{"$oid":"65f0a1b2c3d4e5f601234567"}}',
      '{"x":{"$timestamp":{"t":1,"i":2}}}',
      '{"x":{"$regularExpression":{"pattern":"a","options":"i"}}}',
      '{"x":{"$undefined":true}}',
      '{"x":{"$minKey":1}}',
      '{"$ref":"c","$id":1}',
      '{"__proto__":{"a":{"$numberInt":"1"}}}',
      '{"a\\u0000b":1}',
    ];
    for (const t of texts) it(t, () => checkParse(t));
    it('invalid JSON fails with EJSON’s error', () => {
      for (const t of ['{', '{"a":}', '', 'nope']) {
        assert.throws(() => EJSON.parse(t, CANONICAL));
        assert.throws(() => parseCanonical(t));
      }
    });
    it('invalid wrapper contents fail with EJSON’s error', () => {
      for (const t of ['{"x":{"$numberLong":"12x"}}', '{"x":{"$oid":"zz"}}', '{"x":{"$numberDecimal":"abc"}}']) {
        let message = '';
        try {
          EJSON.parse(t, CANONICAL);
        } catch (e) {
          message = (e as Error).message;
        }
        assert.ok(message, `EJSON should refuse ${t}`);
        assert.throws(() => parseCanonical(t), { message });
      }
    });
  });

  it('agrees with EJSON on 3,000 random documents of the engine’s types', () => {
    const { documentOf } = randomValues(12345);
    for (let i = 0; i < 3000; i++) {
      const doc: Record<string, unknown> = { _id: i, ...documentOf(0) };
      checkRoundTrip(doc);
    }
  });
});

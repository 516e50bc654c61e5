import * as assert from 'node:assert/strict';
import { BSON } from 'mongodb';
import { IdPairing, validationLog } from '../../../src/core/validate/pairing';
import { idKeyOf } from '../../../src/core/validate/validator';

/** Documents as a cursor reply holds them: views of one buffer. */
function reply(docs: object[]): Buffer[] {
  const parts = docs.map((d) => BSON.serialize(d));
  const all = Buffer.concat(parts);
  const views: Buffer[] = [];
  let at = 0;
  for (const p of parts) {
    views.push(all.subarray(at, at + p.length));
    at += p.length;
  }
  return views;
}

describe('validate/pairing: expected items meet the server documents by _id, in any order', () => {
  it('pairs in either order and leaves the unpaired on their side', () => {
    const paired: Array<[number, number]> = [];
    const pairing = new IdPairing<number>((e, raw) => paired.push([e, BSON.deserialize(raw)._id as number]));
    const [d1, d2, d3] = reply([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    pairing.expect(idKeyOf(BSON.serialize({ _id: 1 })), 1);
    pairing.arrive(idKeyOf(d2), d2);
    pairing.arrive(idKeyOf(d1), d1);
    pairing.expect(idKeyOf(BSON.serialize({ _id: 2 })), 2);
    pairing.expect(idKeyOf(BSON.serialize({ _id: 4 })), 4);
    pairing.arrive(idKeyOf(d3), d3);
    assert.deepEqual(paired, [
      [1, 1],
      [2, 2],
    ]);
    assert.deepEqual([...pairing.missing()], [4]);
    const log = validationLog('c', {});
    pairing.reportExtras(log, false);
    assert.equal(log.result.extra, 1);
    assert.deepEqual(
      log.result.mismatches.map((m) => [m.kind, m.id]),
      [['extra-document', '3']],
    );
  });

  it('a waiting document is copied out of its reply: the reply can go, the bytes stay', () => {
    const seen: Buffer[] = [];
    const pairing = new IdPairing<string>((_e, raw) => seen.push(raw));
    const views = reply([{ _id: 'a', v: 'x'.repeat(10_000) }, { _id: 'b' }]);
    const original = Buffer.from(views[0]);
    pairing.arrive(idKeyOf(views[0]), views[0]);
    views[0].fill(0); // the reply's memory is reused
    pairing.expect(idKeyOf(BSON.serialize({ _id: 'a' })), 'a');
    assert.equal(seen.length, 1);
    assert.ok(seen[0].equals(original));
    assert.notEqual(seen[0].buffer, views[0].buffer);
  });

  it('documents no item came for count as others when allowed (append mode)', () => {
    const pairing = new IdPairing<number>(() => undefined);
    for (const d of reply([{ _id: 7 }, { _id: 8 }])) pairing.arrive(idKeyOf(d), d);
    const log = validationLog('c', {});
    pairing.reportExtras(log, true);
    assert.deepEqual([log.result.others, log.result.extra, log.result.mismatchCount], [2, 0, 0]);
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BSON, Binary, Decimal128, Double, Long, ObjectId, type Document } from 'mongodb';
import { NdjsonWriter } from '../../../src/core/ndjson/writer';
import { readNdjson } from '../../../src/core/ndjson/reader';
import { DEFAULT_PLAN_OPTIONS, PLAN_VERSION, type MappingPlan } from '../../../src/core/plan/types';

const { EJSON } = BSON;
const plan: MappingPlan = { version: PLAN_VERSION, options: DEFAULT_PLAN_OPTIONS, collections: [], skipped: [] };

describe('NDJSON writer and reader (chunked writes, fast codec)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 's2m-ndjson-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips thousands of documents across many chunks, byte-identical to EJSON', async () => {
    const file = path.join(dir, 'out.ndjson');
    const w = await NdjsonWriter.create(file, {
      source: { path: '/x.db', sizeBytes: 1, fingerprint: 'f' },
      plan,
      schema: { tables: [], views: [] },
    });
    const docs: Array<[string, Document]> = [];
    for (let i = 0; i < 6000; i++) {
      const doc: Document = {
        _id: i % 7 === 0 ? Long.fromBigInt(BigInt(i) << 40n) : i,
        name: `résumé ${i} "quoted" \\ 🚀`,
        when: new Date(1700000000000 + i),
        score: new Double(i / 3),
        neg: new Double(-0),
        blob: new Binary(Buffer.from([i & 255, 0, 255])),
        oid: new ObjectId(Buffer.alloc(12, i & 255)),
        dec: Decimal128.fromString(`${i}.25`),
        deps: [i + 1, i + 2],
        nested: { a: null, b: [true, false] },
        text: 'x'.repeat(i % 500),
      };
      const collection = i < 3000 ? 'first' : 'second';
      docs.push([collection, doc]);
      await w.writeDocument(`t_${collection}`, collection, doc);
    }
    await w.finish();
    assert.ok(!existsSync(`${file}.partial`));
    assert.equal(w.bytesWritten, statSync(file).size);

    const lines = readFileSync(file, 'utf8').split('\n');
    assert.equal(lines[lines.length - 1], '');
    for (let i = 0; i < docs.length; i++) {
      const [collection, doc] = docs[i];
      assert.equal(
        lines[i + 1],
        `{"table":"t_${collection}","collection":"${collection}","doc":${EJSON.stringify(doc, { relaxed: false })}}`,
      );
    }

    let rows = 0,
      header = 0,
      trailer: Document | undefined;
    for await (const item of readNdjson(file)) {
      if ('header' in item) header++;
      else if ('trailer' in item) trailer = item.trailer;
      else {
        const [collection, doc] = docs[rows];
        assert.equal(item.row.collection, collection);
        assert.equal(item.row.line, rows + 2);
        assert.deepStrictEqual(item.row.doc, EJSON.parse(EJSON.stringify(doc, { relaxed: false }), { relaxed: false }));
        rows++;
      }
    }
    assert.equal(header, 1);
    assert.equal(rows, docs.length);
    assert.deepEqual(trailer?.end.documents, { first: 3000, second: 3000 });
  });

  it('abort leaves no file behind', async () => {
    const file = path.join(dir, 'aborted.ndjson');
    const w = await NdjsonWriter.create(file, {
      source: { path: '/x.db', sizeBytes: 1, fingerprint: 'f' },
      plan,
      schema: { tables: [], views: [] },
    });
    await w.writeDocument('t', 'c', { _id: 1 });
    await w.abort();
    assert.ok(!existsSync(file));
    assert.ok(!existsSync(`${file}.partial`));
  });
});

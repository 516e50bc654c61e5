import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { BSON } from 'mongodb';
import { defaultPlanFor, DocumentBuilder, introspect, openSqliteSource, type SqliteSource } from '../../../src/core';
import type { RowWarning } from '../../../src/core/convert/documentParts';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

/**
 * The builder sizes a document exactly only when a rough upper bound of its size (values and field names) passes
 * 16 MiB: a junction array that pushes a document over the limit must still be reported.
 */
describe('convert/documents: documents over 16 MiB are reported, also when a junction array makes them so', () => {
  let source: SqliteSource;
  before(async () => {
    const file = path.join(tempDir(), 'sizes.db');
    // Tag 1 holds 20 junction values of 1 MiB text (a 20 MiB array); tag 2 holds 10 (10 MiB, under the limit).
    makeDb(
      file,
      `CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT);
       CREATE TABLE word (id TEXT PRIMARY KEY);
       CREATE TABLE tag_word (tag_id INTEGER REFERENCES tag(id), word_id TEXT REFERENCES word(id),
                              PRIMARY KEY (tag_id, word_id));
       INSERT INTO tag VALUES (1, 'big'), (2, 'fits'), (3, 'none');
       WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
         INSERT INTO word SELECT printf('%02d', i) || substr(hex(zeroblob(524288)), 1, 1048574) FROM n;
       INSERT INTO tag_word SELECT 1, id FROM word;
       INSERT INTO tag_word SELECT 2, id FROM word ORDER BY id LIMIT 10;`,
    );
    source = await openSqliteSource(file);
  });
  after(() => {
    source?.close();
    cleanupTempDirs();
  });

  it('warns for the 20 MiB document only, with its key, and builds both', () => {
    const schema = introspect(source);
    const { plan } = defaultPlanFor(source, schema);
    const tags = plan.collections.find((c) => c.table === 'tag');
    assert.ok(tags, JSON.stringify(plan.collections.map((c) => c.table)));
    assert.equal(tags.arrays.length, 1, 'tag_word is folded into an array of tag');
    const warnings: RowWarning[] = [];
    const docs = [...new DocumentBuilder(source, schema, tags, plan.options).documents((w) => warnings.push(w))];
    const sizes = docs.map((d) => BSON.calculateObjectSize(d.doc));
    assert.ok(sizes[0] > 16 * 1024 * 1024 && sizes[1] < 16 * 1024 * 1024, String(sizes));
    const tooLarge = warnings.filter((w) => w.kind === 'document-too-large');
    assert.deepEqual(
      tooLarge.map((w) => [w.table, w.key]),
      [['tag', '1']],
    );
    assert.match(tooLarge[0].value, new RegExp(`^${sizes[0]} bytes`));
  });
});

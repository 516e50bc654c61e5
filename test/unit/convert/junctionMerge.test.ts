import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { defaultPlanFor, DocumentBuilder, introspect, openSqliteSource, type SqliteSource } from '../../../src/core';
import type { CollectionPlan } from '../../../src/core/plan/types';
import { scansAlone } from '../../../src/core/convert/junctions';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

/**
 * A junction table owned by an INTEGER PRIMARY KEY is read alone (no join to the parent) and merged by comparing
 * integers: the arrays must be exactly what the join gives, with the rows of missing owners (NULL, numbers between
 * and beyond the parents', a fraction, text, a blob) left out and not counted as folded.
 */
describe('convert/junctions: a junction read alone gives the arrays the join gives', () => {
  let source: SqliteSource;
  before(async () => {
    const file = path.join(tempDir(), 'junction.db');
    makeDb(
      file,
      `CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT);
       CREATE TABLE item_tag (item_id INTEGER, tag_id INTEGER, PRIMARY KEY (item_id, tag_id));
       INSERT INTO item VALUES (2, 'b'), (4, 'd'), (5, 'e'), (9, 'i');
       INSERT INTO item_tag VALUES (NULL, 1), (1, 1), (2, 3), (2, 1), (3, 9), (4.5, 2), ('x', 1), (5, 2),
                                   (6, 1), (X'05', 7), ('5', 8), (9, -1), (10, 1);`,
    );
    source = await openSqliteSource(file);
  });
  after(() => {
    source?.close();
    cleanupTempDirs();
  });

  function build(filter?: string) {
    const schema = introspect(source);
    const { plan } = defaultPlanFor(source, schema);
    const item = plan.collections.find((c) => c.table === 'item') as CollectionPlan;
    const withArray: CollectionPlan = {
      ...item,
      filter,
      arrays: [
        {
          field: 'tags',
          junctionTable: 'item_tag',
          ownerColumn: 'item_id',
          valueColumn: 'tag_id',
          ownerKeyColumn: 'id',
        },
      ],
    };
    const builder = new DocumentBuilder(source, schema, withArray, plan.options);
    const docs = [...builder.documents(() => undefined)].map((d) => [d.doc._id, d.doc.tags]);
    return { docs, folded: builder.counts.folded.item_tag };
  }

  it('the junction qualifies to be read alone (rowid key, INTEGER owner column); a TEXT key would not', () => {
    const schema = introspect(source);
    const item = schema.tables.find((t) => t.name === 'item');
    const junction = schema.tables.find((t) => t.name === 'item_tag');
    assert.ok(item && junction);
    const a = {
      field: 'tags',
      junctionTable: 'item_tag',
      ownerColumn: 'item_id',
      valueColumn: 'tag_id',
      ownerKeyColumn: 'id',
    };
    assert.equal(scansAlone(item, ['id'], a, junction), true);
    const textKey = {
      ...item,
      columns: item.columns.map((c) => (c.name === 'id' ? { ...c, declaredType: 'TEXT' } : c)),
    };
    assert.equal(scansAlone(textKey, ['id'], a, junction), false);
  });

  it('reads alone: 2 → [1, 3], 4 → [], 5 → [2, 8], 9 → [-1]; 5 rows folded', () => {
    // '5' in an INTEGER column is stored as the integer 5 (affinity); 4.5, 'x' and x'05' stay as they are.
    assert.deepEqual(build(), {
      docs: [
        [2, [1, 3]],
        [4, []],
        [5, [2, 8]],
        [9, [-1]],
      ],
      folded: 5,
    });
  });

  it('the join (a filter makes the builder join) gives the same', () => {
    assert.deepEqual(build('1 = 1'), build());
  });
});

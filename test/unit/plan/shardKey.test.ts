import assert from 'node:assert/strict';
import path from 'node:path';
import { defaultPlanFor } from '../../../src/core/plan/defaultPlan';
import { planProblems } from '../../../src/core/plan/check';
import type { CollectionPlan, MappingPlan } from '../../../src/core/plan/types';
import { introspect, openSqliteSource } from '../../../src/core/sqlite';
import type { SchemaInfo } from '../../../src/core/sqlite/types';
import { cleanupTempDirs, makeDb, tempDir } from '../../helpers/sqliteBuilders';

describe('plan check: shard keys', () => {
  let plan: MappingPlan;
  let schema: SchemaInfo;
  before(async () => {
    const file = makeDb(
      path.join(tempDir(), 'tags.db'),
      `CREATE TABLE post (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, region TEXT);
       CREATE TABLE tag (id INTEGER PRIMARY KEY, name TEXT);
       CREATE TABLE post_tag (post_id INTEGER REFERENCES post(id), tag_id INTEGER REFERENCES tag(id),
                              PRIMARY KEY (post_id, tag_id));`,
    );
    const source = await openSqliteSource(file);
    try {
      schema = introspect(source);
      plan = defaultPlanFor(source, schema).plan;
    } finally {
      source.close();
    }
  });
  after(cleanupTempDirs);

  const problemsWith = (shardKey: unknown, edit?: (c: CollectionPlan) => void) => {
    const copy = structuredClone(plan);
    const post = copy.collections.find((c) => c.table === 'post') as CollectionPlan;
    post.shardKey = shardKey as CollectionPlan['shardKey'];
    edit?.(post);
    return planProblems(copy, schema).filter((p) => /shard/.test(p));
  };

  it('accepts a hashed _id, and a ranged field once its unique index starts with it', () => {
    assert.deepEqual(
      problemsWith({ _id: 'hashed' }, (c) => (c.indexes = c.indexes.filter((i) => !i.unique))),
      [],
    );
    assert.deepEqual(problemsWith({ slug: 1 }), []);
  });

  it('refuses arrays, unknown fields, other kinds, two hashed fields and an empty key', () => {
    const tags = plan.collections.find((c) => c.table === 'post')?.arrays[0]?.field;
    assert.ok(tags, 'post_tag is folded into an array of post');
    assert.match(problemsWith({ [tags]: 1 }).join(), /not a field with one value per document/);
    assert.match(problemsWith({ nope: 1 }).join(), /"nope" is not a field/);
    assert.match(problemsWith({ region: -1 }).join(), /must be 1 or "hashed"/);
    assert.match(problemsWith({ _id: 'hashed', region: 'hashed' }).join(), /at most one hashed field/);
    assert.match(problemsWith({}).join(), /names no field/);
    assert.match(problemsWith(['_id']).join(), /must be an object/);
  });

  it('refuses a unique index that does not start with the shard key', () => {
    assert.match(problemsWith({ region: 1 }).join(), /unique index .* does not start with the shard key \(region\)/);
  });
});

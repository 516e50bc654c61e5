import * as assert from 'node:assert/strict';
import { affectedCollections, planTables, tablesOf } from '../../../src/core/sync/dependencies';
import {
  DEFAULT_PLAN_OPTIONS,
  PLAN_VERSION,
  type CollectionPlan,
  type MappingPlan,
} from '../../../src/core/plan/types';

function collection(name: string, table: string, extra: Partial<CollectionPlan> = {}): CollectionPlan {
  return {
    collection: name,
    table,
    id: { kind: 'column', column: 'id' },
    fields: [],
    arrays: [],
    indexes: [],
    ...extra,
  };
}

const plan: MappingPlan = {
  version: PLAN_VERSION,
  options: DEFAULT_PLAN_OPTIONS,
  skipped: [],
  collections: [
    collection('posts', 'Posts', {
      arrays: [
        {
          field: 'tags',
          junctionTable: 'post_tags',
          ownerColumn: 'post_id',
          valueColumn: 'tag_id',
          ownerKeyColumn: 'id',
        },
      ],
      embeds: [
        {
          field: 'comments',
          kind: 'array',
          table: 'comments',
          parentColumns: ['id'],
          childColumns: ['post_id'],
          fields: [],
        },
      ],
    }),
    collection('tags', 'tags'),
    collection('recent', 'recent_posts'),
    collection('active', 'users', { filter: 'id IN (SELECT user_id FROM sessions)' }),
  ],
};

describe('sync/dependencies: which collections a changed table affects', () => {
  it('lists the tables each collection reads: its own, junction and embedded tables', () => {
    assert.deepEqual(tablesOf(plan.collections[0]), ['Posts', 'post_tags', 'comments']);
    assert.deepEqual(planTables(plan), ['Posts', 'post_tags', 'comments', 'tags', 'recent_posts', 'users']);
  });

  it('maps changes by name without regard to ASCII case; views and filtered collections follow any change', () => {
    const affected = (changed: string[]) =>
      affectedCollections(plan, changed, ['recent_posts']).map((c) => c.collection);
    assert.deepEqual(affected([]), []);
    assert.deepEqual(affected(['POST_TAGS']), ['posts', 'recent', 'active']);
    assert.deepEqual(affected(['tags']), ['tags', 'recent', 'active']);
    assert.deepEqual(affected(['sessions']), ['recent', 'active']);
  });
});

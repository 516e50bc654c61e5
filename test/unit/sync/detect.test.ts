import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { MappingPlan } from '../../../src/core/plan/types';
import type { SyncState } from '../../../src/core/history/records';
import { detectChanges } from '../../../src/core/sync/detect';
import { readSnapshot } from '../../../src/core/sync/snapshot';
import { appWrite, livePlan, makeLiveDb } from '../../helpers/liveDb';
import { cleanupTempDirs, tempDir } from '../../helpers/sqliteBuilders';

describe('sync/detect: changed tables → collections to compare', () => {
  let file: string;
  let plan: MappingPlan;
  let state: SyncState;

  /** Detects against the last state and moves on to the new one. */
  async function next(): Promise<{ changed: string[]; affected: string[]; newTables: string[] }> {
    const d = detectChanges(await readSnapshot(file), plan, state, false);
    state = d.state;
    return { changed: d.changedTables, affected: d.affected.map((c) => c.collection), newTables: d.newTables };
  }

  before(async () => {
    file = path.join(tempDir('s2m-detect-'), 'live.db');
    makeLiveDb(file, 500);
    plan = await livePlan(file);
    assert.deepEqual(plan.collections.map((c) => c.collection).sort(), ['audit', 'resources', 'tags']);
    const first = detectChanges(await readSnapshot(file), plan, undefined, false);
    assert.deepEqual(
      first.affected.map((c) => c.collection).sort(),
      ['audit', 'resources', 'tags'],
      'no earlier state: everything is compared',
    );
    state = first.state;
  });
  after(cleanupTempDirs);

  it('finds nothing when nothing changed', async () => {
    assert.deepEqual(await next(), { changed: [], affected: [], newTables: [] });
  });

  it('maps a junction row to the collection that folds it in', async () => {
    appWrite(file, 'DELETE FROM resource_tags WHERE resource_id = 7');
    assert.deepEqual(await next(), { changed: ['resource_tags'], affected: ['resources'], newTables: [] });
  });

  it('maps an embedded child row to its parent collection', async () => {
    appWrite(file, "INSERT INTO notes VALUES (10000, 8, 'late note')");
    assert.deepEqual(await next(), { changed: ['notes'], affected: ['resources'], newTables: [] });
  });

  it('maps parent and standalone changes to their own collections only', async () => {
    appWrite(file, "UPDATE tags SET label = 'renamed' WHERE id = 2; INSERT INTO audit VALUES (99, 'x')");
    const got = await next();
    assert.deepEqual(got.changed.sort(), ['audit', 'tags']);
    assert.deepEqual(got.affected.sort(), ['audit', 'tags']);
  });

  it('notes a new table the plan does not read, and syncs nothing for it', async () => {
    appWrite(file, "CREATE TABLE scratch (v); INSERT INTO scratch VALUES ('a')");
    assert.deepEqual(await next(), { changed: ['scratch'], affected: [], newTables: ['scratch'] });
  });

  it('stops on a changed table the plan reads, saying what changed and what to do', async () => {
    appWrite(file, 'ALTER TABLE notes ADD COLUMN author TEXT');
    const snap = await readSnapshot(file);
    assert.throws(
      () => detectChanges(snap, plan, state, false),
      (e: Error & { code?: string; hint?: string }) =>
        e.code === 'SOURCE_SCHEMA_CHANGED' &&
        /notes was altered/.test(e.message) &&
        /Nothing was written/.test(e.message) &&
        /migrate/.test(e.hint ?? ''),
    );
    appWrite(file, 'DROP TABLE audit');
    const dropped = await readSnapshot(file);
    assert.throws(
      () => detectChanges(dropped, plan, state, false),
      /notes was altered.*audit was dropped or renamed|audit was dropped or renamed.*notes was altered/,
    );
  });
});

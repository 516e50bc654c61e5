/**
 * One sync's change detection, from pages only: the schema check (stop on a changed table the plan reads) and the
 * tables whose page digests differ from the last sync's, hence the collections to compare.
 */
import { createHash } from 'node:crypto';
import { MigrationError } from '../errors';
import type { SyncState } from '../history/records';
import type { CollectionPlan, MappingPlan } from '../plan/types';
import { freelistPages, hasPointerMap, treePages } from './btree';
import { affectedCollections, planTables } from './dependencies';
import { digestTables, readSchemaEntries, sameName, type SchemaEntry } from './digest';
import type { SyncSnapshot } from './snapshot';

export interface Detection {
  /** The state to record once the target matches this snapshot. */
  state: SyncState;
  changedTables: string[];
  affected: CollectionPlan[];
  pagesHashed: number;
  /** Interior pages read to place the changed pages (detection from the WAL). */
  pagesRead?: number;
  /** Tables that appeared since the last sync and are not in the plan (they are not synced). */
  newTables: string[];
  /** sqlite_master as read. */
  entries: SchemaEntry[];
  /** Detection from the WAL: the pages written since the last sync (collections can be narrowed to their rows). */
  changed?: Set<number>;
}

function sqlHash(sql: string): string {
  return createHash('sha256').update(sql).digest('hex').slice(0, 16);
}

/** Internal tables (sqlite_sequence, sqlite_stat1…) change with the data but are never migrated. */
function isInternal(name: string): boolean {
  return /^sqlite_/i.test(name);
}

/** Stops the sync when a table or view the plan reads is no longer what the last sync saw. */
function checkSchema(file: string, plan: MappingPlan, before: SyncState, now: SyncState): void {
  const problems: string[] = [];
  for (const name of planTables(plan)) {
    const was = before.tables.find((t) => sameName(t.table, name));
    const is = now.tables.find((t) => sameName(t.table, name));
    if (!is) problems.push(`${name} was dropped or renamed`);
    else if (was && was.schema !== is.schema) problems.push(`${name} was altered (its CREATE statement changed)`);
  }
  if (problems.length === 0) return;
  throw new MigrationError(
    'SOURCE_SCHEMA_CHANGED',
    `The schema of ${file} changed since the last sync: ${problems.join('; ')}. Nothing was written.`,
    'Sync copies rows, not schema changes. Migrate again with the new schema (sqlite2mongo migrate … --if-exists upsert, with an updated --plan if you use one), then start sync again.',
  );
}

/**
 * Finds what changed since `before` (the last sync's state). Without it (the first sync after a migration), every
 * table counts as changed unless the file is byte-identical to the one migrated (`sameAsMigration`).
 */
export function detectChanges(
  snap: SyncSnapshot,
  plan: MappingPlan,
  before: SyncState | undefined,
  sameAsMigration: boolean,
): Detection {
  const entries = readSchemaEntries(snap.pages);
  const relations = entries.filter((e: SchemaEntry) => e.type === 'table' || e.type === 'view');
  const digests = digestTables(
    snap.pages,
    entries,
    relations.filter((e) => e.type === 'table').map((e) => e.name),
  );
  const state: SyncState = {
    token: snap.token,
    tables: relations.map((e) => ({
      table: e.name,
      digest: digests.find((d) => d.table === e.name)?.digest ?? '',
      schema: sqlHash(e.sql),
    })),
    ...(snap.wal.salts ? { wal: { salts: snap.wal.salts, frames: snap.wal.framesApplied } } : {}),
  };
  const pagesHashed = digests.reduce((n, d) => n + d.pages, 0);
  const views = relations.filter((e) => e.type === 'view').map((e) => e.name);
  if (!before) {
    const changedTables = sameAsMigration
      ? []
      : state.tables.filter((t) => t.digest !== '' && !isInternal(t.table)).map((t) => t.table);
    return {
      state,
      changedTables,
      affected: affectedCollections(plan, changedTables, views),
      pagesHashed,
      newTables: [],
      entries,
    };
  }
  checkSchema(snap.path, plan, before, state);
  const changedTables = state.tables
    .filter((t) => t.digest !== '' && !isInternal(t.table))
    .filter((t) => before.tables.find((b) => sameName(b.table, t.table))?.digest !== t.digest)
    .map((t) => t.table);
  const planned = planTables(plan);
  const newTables = changedTables.filter(
    (t) => !before.tables.some((b) => sameName(b.table, t)) && !planned.some((p) => sameName(p, t)),
  );
  return {
    state,
    changedTables,
    affected: affectedCollections(plan, changedTables, views),
    pagesHashed,
    newTables,
    entries,
  };
}

/**
 * The pages written since `before`, when its WAL position is still in the WAL (same salts, at most as many frames):
 * the frames after it. Undefined when the WAL was restarted since (its frames are gone), or there is no position.
 */
export function pagesSince(snap: SyncSnapshot, before: SyncState | undefined): Set<number> | undefined {
  const mark = before?.wal;
  const wal = snap.wal;
  if (!mark || wal.salts === '' || mark.salts !== wal.salts || mark.frames > wal.framesApplied) return undefined;
  return new Set(wal.framePages.slice(mark.frames, wal.framesApplied));
}

/**
 * Detection from the WAL's new frames: the changed tables are those with a changed page in their b-trees (found by
 * reading interior pages only). Undefined when a changed page is not a b-tree page of the file (an overflow page:
 * which row it belongs to would take reading every leaf), or the file keeps pointer maps: the caller then hashes.
 */
export function detectFromPages(
  snap: SyncSnapshot,
  plan: MappingPlan,
  before: SyncState,
  changed: Set<number>,
): Detection | undefined {
  const entries = readSchemaEntries(snap.pages);
  if (hasPointerMap(snap.pages)) return undefined;
  const explained = freelistPages(snap.pages);
  explained.add(1);
  for (const p of treePages(snap.pages, 1)) explained.add(p);
  const touched = new Set<string>();
  let pagesRead = 0;
  for (const e of entries) {
    if (e.rootPage <= 0) continue;
    const pages = treePages(snap.pages, e.rootPage);
    pagesRead += pages.size;
    for (const p of pages) {
      explained.add(p);
      if (changed.has(p)) touched.add(e.tableName);
    }
  }
  for (const p of changed) if (!explained.has(p)) return undefined;
  const relations = entries.filter((e) => e.type === 'table' || e.type === 'view');
  const changedTables = relations
    .filter((e) => e.type === 'table' && !isInternal(e.name) && [...touched].some((t) => sameName(t, e.name)))
    .map((e) => e.name);
  const state: SyncState = {
    token: snap.token,
    tables: relations.map((e) => ({
      table: e.name,
      digest: changedTables.includes(e.name)
        ? ''
        : (before.tables.find((b) => sameName(b.table, e.name))?.digest ?? ''),
      schema: sqlHash(e.sql),
    })),
    wal: { salts: snap.wal.salts, frames: snap.wal.framesApplied },
    narrowed: true,
  };
  checkSchema(snap.path, plan, before, state);
  const planned = planTables(plan);
  const newTables = changedTables.filter(
    (t) => !before.tables.some((b) => sameName(b.table, t)) && !planned.some((p) => sameName(p, t)),
  );
  const views = relations.filter((e) => e.type === 'view').map((e) => e.name);
  return {
    state,
    changedTables,
    affected: affectedCollections(plan, changedTables, views),
    pagesHashed: 0,
    pagesRead,
    newTables,
    entries,
    changed,
  };
}

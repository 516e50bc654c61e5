/**
 * One sync's change detection, from pages only: the schema check (stop on a changed table the plan reads) and the
 * tables whose page digests differ from the last sync's, hence the collections to compare.
 */
import { createHash } from 'node:crypto';
import { MigrationError } from '../errors';
import type { SyncState } from '../history/records';
import type { CollectionPlan, MappingPlan } from '../plan/types';
import { affectedCollections, planTables } from './dependencies';
import { digestTables, readSchemaEntries, sameName, type SchemaEntry } from './digest';
import type { SyncSnapshot } from './snapshot';

export interface Detection {
  /** The state to record once the target matches this snapshot. */
  state: SyncState;
  changedTables: string[];
  affected: CollectionPlan[];
  pagesHashed: number;
  /** Tables that appeared since the last sync and are not in the plan (they are not synced). */
  newTables: string[];
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
  return { state, changedTables, affected: affectedCollections(plan, changedTables, views), pagesHashed, newTables };
}

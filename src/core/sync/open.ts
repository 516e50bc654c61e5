/** Opens a sync snapshot's image with sql.js (the reader the document builder uses) and checks the plan still fits. */
import { MigrationError, isMigrationError } from '../errors';
import { checkPlan } from '../plan/check';
import type { MappingPlan } from '../plan/types';
import { introspect, loadSqlJs, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import type { SyncSnapshot } from './snapshot';

export async function openSnapshotSource(
  snap: SyncSnapshot,
  plan: MappingPlan,
): Promise<{ source: SqliteSource; schema: SchemaInfo }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(snap.image);
  const source: SqliteSource = {
    path: snap.path,
    sizeBytes: snap.sizeBytes,
    walFramesApplied: snap.walFramesApplied,
    fingerprint: snap.fingerprint ?? '',
    db,
    close: () => db.close(),
  };
  try {
    const schema = introspect(source);
    try {
      checkPlan(plan, schema);
    } catch (e) {
      if (!isMigrationError(e) || e.code !== 'PLAN_INVALID') throw e;
      throw new MigrationError(
        'SOURCE_SCHEMA_CHANGED',
        `The schema of ${snap.path} no longer fits the migration's plan: ${e.message} Nothing was written.`,
        'Migrate again with the new schema (sqlite2mongo migrate … --if-exists upsert), then start sync again.',
        { cause: e },
      );
    }
    return { source, schema };
  } catch (e) {
    db.close();
    throw e;
  }
}

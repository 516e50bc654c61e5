/**
 * What a migration records for the syncs that follow it: the state of the file it migrated (state token, WAL
 * position, page digests and schema of every table). Without it the first sync after a migration would have to
 * compare every collection; with it, that sync is as cheap as any other (nothing committed: the token; new WAL
 * frames: narrowed to their rows).
 */
import type { SyncState } from '../history/records';
import type { MappingPlan } from '../plan/types';
import { detectChanges } from './detect';
import { readSnapshot } from './snapshot';

/**
 * The sync state of `file` as it is now, when that is the content the migration read (same `fingerprint`); undefined
 * when the file changed since (or is gone, or too busy to read): the first sync then compares every collection once.
 */
export async function migratedSyncState(
  file: string,
  fingerprint: string,
  plan: MappingPlan,
): Promise<SyncState | undefined> {
  let snap;
  try {
    snap = await readSnapshot(file, { withFingerprint: true, attempts: 3 });
  } catch {
    return undefined;
  }
  try {
    if (!fingerprint || snap.fingerprint !== fingerprint) return undefined;
    const { state } = detectChanges(snap, plan, undefined, true);
    snap.verify();
    return state;
  } catch {
    return undefined; // torn by a writer that started since: the first sync compares everything instead
  } finally {
    snap.close();
  }
}

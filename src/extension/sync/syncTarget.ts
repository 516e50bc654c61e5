import type { RunItem } from '../history/historyTree';
import type { TargetStore } from '../storage/targets';
import type { ValidationModel } from '../tree/validationModel';
import type { SyncTarget } from './syncController';

/**
 * What "Keep in Sync" was invoked on: a target handed over by the migration panel, a run of the History view (its
 * target, that run's source file), or nothing (the palette: the last migration's file and target).
 */
export async function resolveSyncTarget(
  arg: RunItem | SyncTarget | undefined,
  targets: TargetStore,
  model: ValidationModel,
): Promise<SyncTarget | undefined> {
  if (arg && 'url' in arg) return arg;
  const rec = model.record;
  const target = arg
    ? arg.target
    : rec
      ? { targetId: rec.targetId, database: rec.database, label: rec.targetLabel }
      : undefined;
  const sourcePath = arg?.run.source.path ?? rec?.sourcePath;
  const url = target && (await targets.url(target.targetId));
  if (!target || !sourcePath || !url) return undefined;
  return { sourcePath, url, database: target.database, label: `${target.label} / ${target.database}` };
}

import type { HistoryController } from '../history/historyController';
import type { RunItem } from '../history/historyTree';
import type { ValidationModel } from '../tree/validationModel';
import type { SyncTarget } from './syncController';

/**
 * What "Keep in Sync" was invoked on: a target handed over by the migration panel, a run of the History view (the
 * History view's target, that run's source file), or nothing (the palette: the last migration's file and target).
 */
export async function resolveSyncTarget(
  arg: RunItem | SyncTarget | undefined,
  history: HistoryController,
  model: ValidationModel,
): Promise<SyncTarget | undefined> {
  if (arg && 'url' in arg) return arg;
  const target = await history.target();
  const sourcePath = arg?.run.source.path ?? model.record?.sourcePath;
  if (!target || !sourcePath) return undefined;
  return { sourcePath, url: target.url, database: target.database, label: target.label };
}

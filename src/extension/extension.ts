/**
 * The VS Code shell: one small controller per area, each owned by `context.subscriptions`. The engine (src/core)
 * runs in a worker thread; nothing here migrates, plans or validates by itself.
 */
import * as vscode from 'vscode';
import { plural } from '../core';
import { Commands, registerCommands } from './commands';
import { EngineClient } from './engine/engineClient';
import { Log } from './log';
import { PanelRegistry, type ShellDeps } from './common/panelRegistry';
import { MIGRATION_PANEL, MigrationPanel } from './panel/migrationPanel';
import { keepRunResults } from './panel/runResults';
import { ReportStore } from './storage/reports';
import { TargetStore } from './storage/targets';
import { ValidationController } from './tree/validationController';
import { ValidationModel } from './tree/validationModel';
import { HistoryController } from './history/historyController';
import { DESIGNER_PANEL, DesignerPanel } from './designer/designerPanel';
import { SyncController, type SyncTarget } from './sync/syncController';
import { resolveSyncTarget } from './sync/syncTarget';
import type { RunItem } from './history/historyTree';
import { PlanFiles } from './storage/planFiles';

export function activate(context: vscode.ExtensionContext): void {
  const log = new Log();
  const engine = new EngineClient(vscode.Uri.joinPath(context.extensionUri, 'dist', 'engineWorker.js').fsPath);
  const targets = new TargetStore(context.secrets, context.globalState);
  const reports = new ReportStore(context.globalStorageUri, context.globalState);
  const model = new ValidationModel(context.workspaceState);
  const validation = new ValidationController(model, engine, targets, log);
  const history = new HistoryController(engine, targets, model, context.workspaceState, log, {
    // A resumed run shows in its file's open panel and fills the Validation view, like one started there.
    follow: (sourcePath, target, cancel) => panels.get(sourcePath)?.follow(target, cancel),
    keepResults: (report, ctx) => keepRunResults(report, ctx, { reports, validation: model, log }),
  });
  const planFiles = new PlanFiles();
  const sync = new SyncController(engine, log, {
    onSynced: (target) => {
      void history.refresh();
      const rec = model.record;
      // Re-validating costs a full comparison: only when the setting asks, and only for the results shown.
      if (
        vscode.workspace.getConfiguration('sqlite2mongo').get<boolean>('sync.revalidate', false) &&
        rec?.sourcePath === target.sourcePath &&
        rec.database === target.database
      )
        void validation.rerun();
    },
  });
  const keepInSync = async (arg?: RunItem | SyncTarget) => {
    const target = await resolveSyncTarget(arg, targets, model);
    if (target) await sync.start(target);
    else
      log.showInfo(
        'Keep in Sync needs a finished migration: migrate a database first (its target then shows in the History view).',
      );
  };
  const shell: ShellDeps = { extensionUri: context.extensionUri, engine, log, planFiles };
  // The panel and the designer open each other (the panel's "Design mapping…", the designer's "Migrate…").
  const panels: PanelRegistry<MigrationPanel> = new PanelRegistry({
    ...MIGRATION_PANEL,
    create: (panel, sourcePath) =>
      new MigrationPanel(panel, sourcePath, {
        ...shell,
        targets,
        reports,
        validation: model,
        revealValidation: () => validation.reveal(),
        keepInSync,
        recordedIn: (target) => history.recordedIn(target),
        openDesigner: (path) => designers.open(vscode.Uri.file(path)),
      }),
  });
  const designers: PanelRegistry<DesignerPanel> = new PanelRegistry({
    ...DESIGNER_PANEL,
    create: (panel, sourcePath) =>
      new DesignerPanel(panel, sourcePath, { ...shell, openMigration: (path) => panels.open(vscode.Uri.file(path)) }),
  });

  context.subscriptions.push(
    log,
    engine,
    model,
    validation,
    history,
    panels,
    planFiles,
    designers,
    sync,
    registerCommands({
      [Commands.migrate]: () => panels.open(),
      [Commands.migrateFile]: (uri?: vscode.Uri) => panels.open(uri),
      [Commands.designMapping]: (uri?: vscode.Uri) => designers.open(uri instanceof vscode.Uri ? uri : undefined),
      [Commands.designMappingFile]: (uri?: vscode.Uri) => designers.open(uri),
      [Commands.showLog]: () => log.show(),
      [Commands.openLastReport]: async () => {
        const last = reports.last();
        if (last) await reports.open(last);
        else log.showInfo('No migration report yet: run a migration first.');
      },
      [Commands.forgetConnections]: async () => {
        const n = await targets.forgetAll();
        log.showInfo(`Forgot ${plural(n, 'saved MongoDB connection')}.`);
      },
      [Commands.rerunValidation]: (node?: Parameters<ValidationController['rerun']>[0]) => validation.rerun(node),
      [Commands.openMismatch]: (node?: Parameters<ValidationController['openMismatch']>[0]) =>
        validation.openMismatch(node),
      [Commands.openCollection]: (node?: Parameters<ValidationController['openCollection']>[0]) =>
        validation.openCollection(node),
      [Commands.clearValidation]: () => validation.clear(),
      [Commands.refreshHistory]: () => history.refresh(),
      [Commands.resumeRun]: (item?: Parameters<HistoryController['resume']>[0]) => history.resume(item),
      [Commands.rollbackRun]: (item?: Parameters<HistoryController['rollback']>[0]) => history.rollback(item),
      [Commands.keepInSync]: (arg?: RunItem | SyncTarget) => keepInSync(arg),
      [Commands.stopSync]: () => sync.stop(),
      [Commands.syncMenu]: () => sync.menu(),
    }),
  );
  log.info('SQLite to MongoDB activated');
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}

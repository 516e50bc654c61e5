import * as vscode from 'vscode';

/** Every command the extension contributes (package.json `contributes.commands` lists the same ids). */
export const Commands = {
  migrate: 'sqlite2mongo.migrate',
  migrateFile: 'sqlite2mongo.migrateFile',
  designMapping: 'sqlite2mongo.designMapping',
  designMappingFile: 'sqlite2mongo.designMappingFile',
  showLog: 'sqlite2mongo.showLog',
  openLastReport: 'sqlite2mongo.openLastReport',
  forgetConnections: 'sqlite2mongo.forgetConnections',
  rerunValidation: 'sqlite2mongo.validation.rerun',
  openMismatch: 'sqlite2mongo.validation.openMismatch',
  openCollection: 'sqlite2mongo.validation.openCollection',
  clearValidation: 'sqlite2mongo.validation.clear',
  refreshHistory: 'sqlite2mongo.history.refresh',
  resumeRun: 'sqlite2mongo.history.resume',
  rollbackRun: 'sqlite2mongo.history.rollback',
  keepInSync: 'sqlite2mongo.sync.start',
  stopSync: 'sqlite2mongo.sync.stop',
  syncMenu: 'sqlite2mongo.sync.menu',
} as const;

export type CommandId = (typeof Commands)[keyof typeof Commands];

/** One handler per command id; the argument types are what VS Code passes from menus and tree items. */
export type CommandHandlers = { [K in CommandId]: (...args: never[]) => unknown };

/** Registers every command and returns one disposable for all of them. */
export function registerCommands(handlers: CommandHandlers): vscode.Disposable {
  return vscode.Disposable.from(
    ...(Object.values(Commands) as CommandId[]).map((id) =>
      vscode.commands.registerCommand(id, handlers[id] as (...args: unknown[]) => unknown),
    ),
  );
}

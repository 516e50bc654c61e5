import * as path from 'node:path';
import * as vscode from 'vscode';
import { PANEL_VIEW_TYPE, type PersistedPanelState } from '../../webview/protocol';
import { MigrationPanel, type PanelDeps } from './migrationPanel';

export const SQLITE_EXTENSIONS = ['db', 'sqlite', 'sqlite3', 'db3'];

/** Opens one migration panel per SQLite file, and restores panels after a window reload. */
export class PanelController implements vscode.Disposable {
  private readonly panels = new Map<string, MigrationPanel>();
  /** Every panel not yet disposed, including closed ones whose run is still going. */
  private readonly live = new Set<MigrationPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: PanelDeps) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
          const sourcePath = (state as Partial<PersistedPanelState> | undefined)?.sourcePath;
          if (typeof sourcePath !== 'string' || !sourcePath) {
            panel.dispose();
            return;
          }
          this.track(new MigrationPanel(panel, sourcePath, this.deps));
        },
      }),
    );
  }

  /** "Migrate Database…": asks for the file when none is given (palette), or takes the Explorer's selection. */
  async open(uri?: vscode.Uri): Promise<void> {
    let file = uri;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Migrate to MongoDB',
        title: 'SQLite database to migrate',
        filters: { 'SQLite databases': SQLITE_EXTENSIONS, 'All files': ['*'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      file = picked?.[0];
    }
    if (!file) return;
    if (file.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Only local files can be migrated (${file.toString()}).`);
      return;
    }
    const sourcePath = file.fsPath;
    const existing = this.panels.get(sourcePath);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(PANEL_VIEW_TYPE, `Migrate ${path.basename(sourcePath)}`, vscode.ViewColumn.Active, { enableFindWidget: true });
    this.track(new MigrationPanel(panel, sourcePath, this.deps));
  }

  private track(p: MigrationPanel): void {
    this.panels.get(p.sourcePath)?.dispose();
    this.panels.set(p.sourcePath, p);
    this.live.add(p);
    p.onDidDispose(() => this.live.delete(p));
    p.onDidClose(() => {
      if (this.panels.get(p.sourcePath) === p) this.panels.delete(p.sourcePath);
    });
  }

  dispose(): void {
    for (const p of [...this.live]) p.dispose();
    this.live.clear();
    this.panels.clear();
    for (const d of this.disposables) d.dispose();
  }
}

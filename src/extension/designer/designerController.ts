import * as path from 'node:path';
import * as vscode from 'vscode';
import { DESIGNER_VIEW_TYPE } from '../../webview/protocol';
import { SQLITE_EXTENSIONS } from '../panel/panelController';
import { DesignerPanel, type DesignerDeps } from './designerPanel';

/** One mapping designer per SQLite file; designers come back after a window reload (their state holds the path). */
export class DesignerController implements vscode.Disposable {
  private readonly panels = new Map<string, DesignerPanel>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly deps: DesignerDeps) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(DESIGNER_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
          const sourcePath = (state as { sourcePath?: unknown } | undefined)?.sourcePath;
          if (typeof sourcePath !== 'string' || !sourcePath) {
            panel.dispose();
            return;
          }
          this.track(new DesignerPanel(panel, sourcePath, this.deps));
        },
      }),
    );
  }

  /** "Design Mapping…": the Explorer's selection, the given file, or asks for one. */
  async open(uri?: vscode.Uri): Promise<void> {
    let file = uri;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({
        canSelectMany: false,
        openLabel: 'Design Mapping',
        title: 'SQLite database to design the MongoDB mapping of',
        filters: { 'SQLite databases': SQLITE_EXTENSIONS, 'All files': ['*'] },
        defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      });
      file = picked?.[0];
    }
    if (!file) return;
    if (file.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Only local files can be designed (${file.toString()}).`);
      return;
    }
    const existing = this.panels.get(file.fsPath);
    if (existing) {
      existing.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(DESIGNER_VIEW_TYPE, `Design ${path.basename(file.fsPath)}`, vscode.ViewColumn.Active, { enableFindWidget: true });
    this.track(new DesignerPanel(panel, file.fsPath, this.deps));
  }

  private track(p: DesignerPanel): void {
    this.panels.get(p.sourcePath)?.dispose();
    this.panels.set(p.sourcePath, p);
    p.onDidClose(() => {
      if (this.panels.get(p.sourcePath) === p) this.panels.delete(p.sourcePath);
    });
  }

  dispose(): void {
    for (const p of [...this.panels.values()]) p.dispose();
    this.panels.clear();
    for (const d of this.disposables) d.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { PlanFiles } from '../storage/planFiles';
import { pickSqliteFile } from './files';
import { panelHtml, webviewOptions, type WebviewPage } from './webviewHtml';

/** What every file panel is given by the shell. */
export interface ShellDeps {
  extensionUri: vscode.Uri;
  engine: EngineClient;
  log: Log;
  planFiles: PlanFiles;
}

/** A webview panel about one SQLite file (the migration panel, the designer). */
export interface FilePanel extends vscode.Disposable {
  readonly sourcePath: string;
  /** The tab was closed (work it started may still be going). */
  readonly onDidClose: vscode.Event<void>;
  /** The panel and everything it started are done. */
  readonly onDidDispose: vscode.Event<void>;
  reveal(): void;
}

/** What differs between the kinds of file panel. */
export interface FilePanelKind {
  viewType: string;
  /** Tab title prefix: "Migrate" → "Migrate app.db". */
  titlePrefix: string;
  /** The file dialog's button and title when no file was given. */
  pick: { openLabel: string; title: string };
  /** "migrated", "designed": for "Only local files can be …". */
  verb: string;
  /** The webview's script and stylesheets. */
  page: WebviewPage;
}

/** A kind of file panel, and how to make one. */
export interface FilePanelFactory<P extends FilePanel> extends FilePanelKind {
  create(panel: vscode.WebviewPanel, sourcePath: string): P;
}

/** Gives a new or restored webview panel of `kind` its options, icon, title and page. */
export function setUpFilePanel(
  panel: vscode.WebviewPanel,
  kind: FilePanelKind,
  sourcePath: string,
  extensionUri: vscode.Uri,
): void {
  panel.webview.options = webviewOptions(extensionUri);
  panel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
  panel.title = `${kind.titlePrefix} ${path.basename(sourcePath)}`;
  panel.webview.html = panelHtml(panel.webview, extensionUri, panel.title, kind.page);
}

/**
 * One panel per SQLite file and kind: `open` reveals the file's panel or creates one (asking for the file when none
 * is given), and panels come back after a window reload (their webview state holds `sourcePath`).
 */
export class PanelRegistry<P extends FilePanel> implements vscode.Disposable {
  /** The open panel of each file. */
  private readonly panels = new Map<string, P>();
  /** Every panel not yet disposed, including closed ones whose work is still going. */
  private readonly live = new Set<P>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly kind: FilePanelFactory<P>) {
    this.disposables.push(
      vscode.window.registerWebviewPanelSerializer(kind.viewType, {
        deserializeWebviewPanel: async (panel: vscode.WebviewPanel, state: unknown) => {
          const sourcePath = (state as { sourcePath?: unknown } | undefined)?.sourcePath;
          if (typeof sourcePath !== 'string' || !sourcePath) {
            panel.dispose();
            return;
          }
          this.track(kind.create(panel, sourcePath));
        },
      }),
    );
  }

  async open(uri?: vscode.Uri): Promise<void> {
    const file = uri ?? (await pickSqliteFile(this.kind.pick.openLabel, this.kind.pick.title));
    if (!file) return;
    if (file.scheme !== 'file') {
      void vscode.window.showErrorMessage(`Only local files can be ${this.kind.verb} (${file.toString()}).`);
      return;
    }
    const existing = this.panels.get(file.fsPath);
    if (existing) {
      existing.reveal();
      return;
    }
    const title = `${this.kind.titlePrefix} ${path.basename(file.fsPath)}`;
    const panel = vscode.window.createWebviewPanel(this.kind.viewType, title, vscode.ViewColumn.Active, {
      enableFindWidget: true,
    });
    this.track(this.kind.create(panel, file.fsPath));
  }

  /** The open panel of a file, if any. */
  get(sourcePath: string): P | undefined {
    return this.panels.get(sourcePath);
  }

  private track(p: P): void {
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
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

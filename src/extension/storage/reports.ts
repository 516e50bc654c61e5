import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MigrationReport } from '../../core';

const LAST_KEY = 'sqlite2mongo.lastReport';

/** Report JSON files (the same document as the CLI's --report-file), kept in the extension's global storage. */
export class ReportStore {
  constructor(
    private readonly dir: vscode.Uri,
    private readonly state: vscode.Memento,
  ) {}

  async save(report: MigrationReport): Promise<vscode.Uri> {
    const stamp = report.startedAt.replace(/[:.]/g, '-');
    const base = path.basename(report.source.path || 'migration').replace(/[^A-Za-z0-9_.-]/g, '_');
    const file = vscode.Uri.joinPath(this.dir, 'reports', `${base}-${report.target.database}-${stamp}.json`);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this.dir, 'reports'));
    await vscode.workspace.fs.writeFile(file, Buffer.from(JSON.stringify(report, null, 2) + '\n', 'utf8'));
    await this.state.update(LAST_KEY, file.toString());
    return file;
  }

  last(): vscode.Uri | undefined {
    const s = this.state.get<string>(LAST_KEY);
    return s ? vscode.Uri.parse(s) : undefined;
  }

  async open(file: vscode.Uri): Promise<void> {
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  }
}

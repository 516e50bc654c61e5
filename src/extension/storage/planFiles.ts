/**
 * Mapping plans saved by the designer: `.sqlite2mongo/<database>.plan.json` in the workspace folder that holds the
 * database (next to the database when it is outside every folder). Pretty JSON in the format of
 * docs/mapping-plan.md, the same file `sqlite2mongo migrate --plan` reads.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { withoutSqliteExtension, type MappingPlan } from '../../core';

export const PLAN_DIR = '.sqlite2mongo';

export interface PlanLocation {
  uri: vscode.Uri;
  /** As shown to the user: relative to the workspace folder, e.g. `.sqlite2mongo/app.plan.json`. */
  label: string;
}

export class PlanFiles implements vscode.Disposable {
  private readonly saved = new vscode.EventEmitter<string>();
  /** Fires with the database's path after its plan file was written. */
  readonly onDidSave = this.saved.event;

  location(sourcePath: string): PlanLocation {
    const source = vscode.Uri.file(sourcePath);
    const folder = vscode.workspace.getWorkspaceFolder(source)?.uri ?? vscode.Uri.file(path.dirname(sourcePath));
    const name = `${withoutSqliteExtension(path.basename(sourcePath))}.plan.json`;
    return { uri: vscode.Uri.joinPath(folder, PLAN_DIR, name), label: `${PLAN_DIR}/${name}` };
  }

  /** The saved plan, or undefined when there is none; throws with the file's name when it is not valid JSON. */
  async read(sourcePath: string): Promise<{ plan: MappingPlan; label: string } | undefined> {
    const { uri, label } = this.location(sourcePath);
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(uri);
    } catch {
      return undefined;
    }
    try {
      return { plan: JSON.parse(Buffer.from(bytes).toString('utf8')) as MappingPlan, label };
    } catch (e) {
      throw new Error(`${label} is not valid JSON: ${(e as Error).message}`, { cause: e });
    }
  }

  async write(sourcePath: string, plan: MappingPlan): Promise<PlanLocation> {
    const location = this.location(sourcePath);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(location.uri, '..'));
    const { version, source: _source, ...rest } = plan;
    const text = JSON.stringify({ version, source: { file: path.basename(sourcePath) }, ...rest }, null, 2) + '\n';
    await vscode.workspace.fs.writeFile(location.uri, Buffer.from(text, 'utf8'));
    this.saved.fire(sourcePath);
    return location;
  }

  dispose(): void {
    this.saved.dispose();
  }
}

import * as path from 'node:path';
import * as vscode from 'vscode';
import { expressionsAllowed } from '../common/trust';
import type { MappingPlan, PlanEdit } from '../../core';
import {
  DESIGNER_VIEW_TYPE,
  FromDesigner,
  isFromDesignerMessage,
  ToDesigner,
  type ErrorInfo,
  type FromDesignerMessage,
  type ToDesignerMessage,
} from '../../webview/designer/protocol';
import { errorInfo } from '../common/errors';
import { setUpFilePanel, type FilePanelKind, type ShellDeps } from '../common/panelRegistry';
import type { DesignSessionClient } from '../engine/designSession';

export const DESIGNER_PANEL: FilePanelKind = {
  viewType: DESIGNER_VIEW_TYPE,
  titlePrefix: 'Design',
  pick: { openLabel: 'Design Mapping', title: 'SQLite database to design the MongoDB mapping of' },
  verb: 'designed',
  page: { script: 'designer.js', styles: ['panel.css', 'designer.css'] },
};

export interface DesignerDeps extends ShellDeps {
  openMigration: (sourcePath: string) => Promise<void>;
}

const same = (a: MappingPlan | undefined, b: MappingPlan | undefined) =>
  JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * The mapping designer for one SQLite file. The host keeps the plan being designed; every edit goes to the file's
 * long-lived engine worker (applyPlanEdit, samples, warnings) one at a time, in order, and the new design goes back
 * to the webview. The last design is kept, so a tab shown again gets it at once instead of "Updating…".
 */
export class DesignerPanel implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  /** The plan being designed (undefined until the first design came back: the saved file or the default plan). */
  private plan: MappingPlan | undefined;
  /** What the plan file holds (undefined when there is no file). */
  private savedPlan: MappingPlan | undefined;
  /** The file's default plan, once seen: without a plan file, only a plan that differs from it is unsaved work. */
  private defaultPlan: MappingPlan | undefined;
  /** Edits run one after another, each on the plan the previous one produced. */
  private queue: Promise<void> = Promise.resolve();
  /** The newest design sent to the webview (shown again at once when the tab comes back). */
  private lastDesign: Extract<ToDesignerMessage, { type: 'design'; ok: true }> | undefined;
  private readonly session: DesignSessionClient;
  private readonly closed = new vscode.EventEmitter<void>();
  /** The designer has nothing running beyond its tab: closing it is disposing it. */
  readonly onDidClose = this.closed.event;
  readonly onDidDispose = this.closed.event;

  constructor(
    readonly panel: vscode.WebviewPanel,
    readonly sourcePath: string,
    private readonly deps: DesignerDeps,
  ) {
    this.session = deps.engine.openDesignSession(sourcePath);
    setUpFilePanel(panel, DESIGNER_PANEL, sourcePath, deps.extensionUri);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: unknown) => {
        if (isFromDesignerMessage(m)) void this.onMessage(m);
      }),
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.ready = false;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  reveal(): void {
    this.panel.reveal();
  }

  private post(m: ToDesignerMessage): void {
    if (this.ready) void this.panel.webview.postMessage(m);
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task, task);
  }

  private async onMessage(m: FromDesignerMessage): Promise<void> {
    switch (m.type) {
      case FromDesigner.ready: {
        this.ready = true;
        const location = this.deps.planFiles.location(this.sourcePath);
        let saved: MappingPlan | undefined;
        let readError: ErrorInfo | undefined;
        try {
          saved = (await this.deps.planFiles.read(this.sourcePath))?.plan;
        } catch (e) {
          readError = errorInfo(e);
        }
        this.savedPlan = saved;
        this.post({
          type: ToDesigner.init,
          sourcePath: this.sourcePath,
          planFile: location.label,
          planFileExists: !!saved,
        });
        if (this.lastDesign && !readError) {
          // The tab came back: show what it showed; the design below only confirms it (the file may have changed).
          this.post(this.lastDesign);
        }
        // A restored webview hands back the plan it showed, unsaved edits included; otherwise the saved plan.
        if (!this.plan) this.plan = m.restored && m.plan ? m.plan : saved;
        if (readError) {
          this.post({ type: ToDesigner.design, requestId: 0, ok: false, error: readError });
          return;
        }
        this.enqueue(() => this.design(0));
        return;
      }
      case FromDesigner.edit:
        this.enqueue(() => this.design(m.requestId, m.edit));
        return;
      case FromDesigner.revert:
        this.enqueue(async () => {
          try {
            this.savedPlan = (await this.deps.planFiles.read(this.sourcePath))?.plan;
          } catch (e) {
            this.post({ type: ToDesigner.design, requestId: m.requestId, ok: false, error: errorInfo(e) });
            return;
          }
          this.plan = this.savedPlan;
          await this.design(m.requestId, this.plan ? undefined : { kind: 'reset' });
        });
        return;
      case FromDesigner.save:
        this.enqueue(() => this.save(m.requestId));
        return;
      case FromDesigner.openMigration:
        await this.deps.openMigration(this.sourcePath);
        return;
      case FromDesigner.openPlanFile: {
        const { uri } = this.deps.planFiles.location(this.sourcePath);
        await vscode.window
          .showTextDocument(uri, { viewColumn: vscode.ViewColumn.Beside })
          .then(undefined, (e: unknown) =>
            this.deps.log.showError(`Cannot open ${uri.fsPath}: ${errorInfo(e).message}`),
          );
        return;
      }
    }
  }

  private async design(requestId: number, edit?: PlanEdit): Promise<void> {
    try {
      const design = await this.session.design({ plan: this.plan, edit, evaluateExpressions: expressionsAllowed() });
      if ((!this.plan && !edit) || edit?.kind === 'reset') this.defaultPlan = design.plan;
      this.plan = design.plan;
      if (design.editError) this.deps.log.warn(`Designer: ${design.editError}`);
      const dirty = this.savedPlan ? !same(this.plan, this.savedPlan) : !same(this.plan, this.defaultPlan);
      this.lastDesign = { type: ToDesigner.design, requestId: 0, ok: true, design, dirty };
      this.post({ ...this.lastDesign, requestId });
    } catch (e) {
      const error = errorInfo(e);
      this.deps.log.error(`Designer on ${this.sourcePath}: ${error.message}`);
      this.post({ type: ToDesigner.design, requestId, ok: false, error });
    }
  }

  private async save(requestId: number): Promise<void> {
    if (!this.plan) return;
    try {
      const location = await this.deps.planFiles.write(this.sourcePath, this.plan);
      this.savedPlan = (await this.deps.planFiles.read(this.sourcePath))?.plan;
      this.plan = this.savedPlan ?? this.plan;
      this.deps.log.info(`Saved the mapping plan of ${path.basename(this.sourcePath)} to ${location.uri.fsPath}`);
      this.post({ type: ToDesigner.saved, requestId, ok: true, planFile: location.label });
    } catch (e) {
      const error = errorInfo(e);
      void this.deps.log.showError(`Cannot save the mapping plan: ${error.message}`);
      this.post({ type: ToDesigner.saved, requestId, ok: false, error });
    }
  }

  dispose(): void {
    if (this.disposables.length === 0) return;
    this.ready = false;
    this.session.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
    this.closed.fire();
    this.closed.dispose();
  }
}

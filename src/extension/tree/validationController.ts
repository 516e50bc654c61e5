import * as vscode from 'vscode';
import { plural } from '../../core';
import { errorInfo } from '../common/errors';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { TargetStore } from '../storage/targets';
import { CollectionSummaries, MONGODB_EXTENSION_ID, SUMMARY_SCHEME, withDatabase } from './collectionSummary';
import { MISMATCH_SCHEME, MismatchDocuments } from './mismatchDocuments';
import type { ValidationModel } from './validationModel';
import { describeCollection, VALIDATION_VIEW_ID, ValidationTreeProvider, type ValidationNode } from './validationTree';

/** The Validation view: its tree, the side-by-side documents, and the commands on its nodes. */
export class ValidationController implements vscode.Disposable {
  private readonly provider: ValidationTreeProvider;
  private readonly view: vscode.TreeView<ValidationNode>;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly model: ValidationModel,
    private readonly engine: EngineClient,
    private readonly targets: TargetStore,
    private readonly log: Log,
  ) {
    this.provider = new ValidationTreeProvider(model, () => this.view.visible);
    this.view = vscode.window.createTreeView(VALIDATION_VIEW_ID, {
      treeDataProvider: this.provider,
      showCollapseAll: true,
    });
    this.disposables.push(
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) this.provider.recheck();
      }),
    );
    const documents = new MismatchDocuments(
      () => this.model.record,
      async (rec, collection, id) => {
        const url = await this.targetUrl(rec.targetId);
        return this.engine.call('documentPair', {
          sqlitePath: rec.sourcePath,
          plan: rec.plan,
          collection,
          id,
          mongoUrl: url,
          database: rec.database,
        });
      },
    );
    const summaries = new CollectionSummaries(
      () => this.model.record,
      async (rec, collection) => {
        const url = await this.targetUrl(rec.targetId);
        return this.engine.call('peekCollection', { mongoUrl: url, database: rec.database, collection, limit: 3 });
      },
    );
    this.disposables.push(
      this.provider,
      this.view,
      vscode.workspace.registerTextDocumentContentProvider(MISMATCH_SCHEME, documents),
      vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, summaries),
      model.onDidChange(() => this.refreshDescription()),
    );
    this.refreshDescription();
  }

  /** Shows the view (after a run) without taking focus from the editor. */
  async reveal(): Promise<void> {
    await vscode.commands.executeCommand(`${VALIDATION_VIEW_ID}.focus`);
  }

  async openMismatch(node?: ValidationNode): Promise<void> {
    const rec = this.model.record;
    if (!rec || node?.kind !== 'mismatch') return;
    const { left, right } = MismatchDocuments.uris(rec, node.collection, node.mismatch.id);
    const title = `${node.collection} _id ${node.mismatch.id}: SQLite row ↔ MongoDB${node.mismatch.path ? ` (${node.mismatch.path})` : ''}`;
    await vscode.commands.executeCommand('vscode.diff', left, right, title, { preview: true, preserveFocus: false });
  }

  /** A click on a collection: its summary (counts, first documents, how to open it), beside the editor. */
  async openCollection(node?: ValidationNode): Promise<void> {
    const rec = this.model.record;
    if (!rec || node?.kind !== 'collection') return;
    const collection = node.result.collection;
    const doc = await vscode.workspace.openTextDocument(CollectionSummaries.uri(rec, collection));
    await vscode.languages.setTextDocumentLanguage(doc, 'markdown');
    await vscode.window.showTextDocument(doc, { preview: true });
    if (!vscode.extensions.getExtension(MONGODB_EXTENSION_ID)) return;
    const open = 'Open in MongoDB for VS Code';
    if ((await vscode.window.showInformationMessage(`Browse ${collection} in MongoDB for VS Code?`, open)) !== open)
      return;
    // Its "Connect with Connection String" asks for the URL: put it on the clipboard for the paste.
    const url = await this.targetUrl(rec.targetId).catch(() => undefined);
    if (url) await vscode.env.clipboard.writeText(withDatabase(url, rec.database));
    await vscode.commands.executeCommand('mdb.connectWithURI');
    void vscode.window.showInformationMessage(
      `The connection string is on the clipboard: paste it, then open ${rec.database} › ${collection}.`,
    );
  }

  async rerun(node?: ValidationNode): Promise<void> {
    const rec = this.model.record;
    if (!rec) return;
    const collection =
      node?.kind === 'collection'
        ? node.result.collection
        : node?.kind === 'mismatch' || node?.kind === 'more'
          ? node.collection
          : undefined;
    const planned = rec.plan.collections.filter((c) => collection === undefined || c.collection === collection);
    if (planned.length === 0) return;
    let url: string;
    try {
      url = await this.targetUrl(rec.targetId);
    } catch (e) {
      await this.log.showError(errorInfo(e).message);
      return;
    }
    const what = collection ?? 'all collections';
    this.log.info(`Re-running validation of ${what} in ${rec.targetLabel} / ${rec.database}`);
    await vscode.window.withProgress(
      { location: { viewId: VALIDATION_VIEW_ID }, title: `Validating ${what}…` },
      async () => {
        const report = await this.engine
          .call('migrate', {
            sqlitePath: rec.sourcePath,
            mongoUrl: url,
            database: rec.database,
            plan: { ...rec.plan, collections: planned },
            steps: ['validate'],
            ask: false,
          })
          .catch((e: unknown) => {
            void this.log.showError(`Validation of ${what} could not run: ${errorInfo(e).message}`);
            return undefined;
          });
        if (!report) return;
        if (report.error && report.error.code !== 'VALIDATION_FAILED') {
          void this.log.showError(
            `Validation of ${what} failed: ${report.error.message}${report.error.hint ? ` ${report.error.hint}` : ''}`,
          );
          return;
        }
        await this.model.updateCollection(report);
        for (const c of this.model.record?.collections ?? []) {
          if (planned.some((p) => p.collection === c.collection))
            this.log.info(`Validation of ${c.collection}: ${describeCollection(c)}`);
        }
        for (const m of report.mismatches.slice(0, 20))
          this.log.warn(
            `mismatch ${m.collection} _id ${m.id} ${m.path || '(document)'}: ${m.kind} expected ${m.expected ?? '—'} actual ${m.actual ?? '—'}`,
          );
      },
    );
  }

  async clear(): Promise<void> {
    await this.model.clear();
  }

  private async targetUrl(targetId: string): Promise<string> {
    const url = await this.targets.url(targetId);
    if (!url)
      throw new Error(
        'The connection string of this validation was forgotten; run the migration again from its panel.',
      );
    return url;
  }

  private refreshDescription(): void {
    this.view.description = this.provider.description();
    const rec = this.model.record;
    const failing = rec?.collections.filter((c) => (c.validation?.mismatches ?? 0) > 0 || c.failed > 0).length ?? 0;
    this.view.badge =
      failing > 0 ? { value: failing, tooltip: `${plural(failing, 'collection')} with mismatches` } : undefined;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * The migration panel's answers to its webview's requests that do not touch a run: the plan and source
 * inspection, a connection test, the output file picker and a remembered target's URL. Each posts its answer with
 * the request's id.
 */
import * as vscode from 'vscode';
import { HISTORY_COLLECTION, isBookkeepingCollection, plural } from '../../core';
import { ToPanel, type PlanSettings, type ToPanelMessage } from '../../webview/panel/protocol';
import { errorInfo } from '../common/errors';
import { defaultOutputFile } from '../common/files';
import type { EngineClient } from '../engine/engineClient';
import type { Log } from '../log';
import type { TargetStore } from '../storage/targets';
import type { PanelPlans } from './panelPlans';

export interface RequestContext {
  sourcePath: string;
  engine: EngineClient;
  log: Log;
  targets: TargetStore;
  plans: PanelPlans;
  post: (m: ToPanelMessage) => void;
}

export async function answerInspect(ctx: RequestContext, requestId: number, settings: PlanSettings): Promise<void> {
  try {
    const { inspection, planFile } = await ctx.plans.inspect(settings);
    ctx.post({ type: ToPanel.inspection, requestId, ok: true, inspection, planFile });
  } catch (e) {
    const error = errorInfo(e);
    ctx.log.error(`Cannot read ${ctx.sourcePath}: ${error.message}`);
    ctx.post({ type: ToPanel.inspection, requestId, ok: false, error });
  }
}

export async function answerTestConnection(
  ctx: RequestContext,
  requestId: number,
  target: { url: string; database: string; timeoutMs: number },
): Promise<void> {
  const { url, database } = target;
  try {
    const check = await ctx.engine.call('testConnection', target);
    ctx.log.info(
      `Test connection ${url}: ${check.serverVersion}, ${database} has ${plural(check.existingCollections.length, 'collection')}`,
    );
    const ours = check.existingCollections.filter(isBookkeepingCollection);
    const existingCollections = check.existingCollections.filter((c) => !isBookkeepingCollection(c));
    ctx.post({
      type: ToPanel.connectionResult,
      requestId,
      ok: true,
      serverVersion: check.serverVersion,
      existingCollections,
      historyRuns: ours.includes(HISTORY_COLLECTION),
    });
  } catch (e) {
    const error = errorInfo(e);
    ctx.log.warn(`Test connection failed: ${error.message}`);
    ctx.post({ type: ToPanel.connectionResult, requestId, ok: false, error });
  }
}

export async function answerPickOutputFile(ctx: RequestContext, requestId: number, current: string): Promise<void> {
  const picked = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(current || defaultOutputFile(ctx.sourcePath)),
    filters: { 'Extended JSON lines': ['ndjson', 'jsonl'] },
    title: 'Keep the intermediate file at',
  });
  ctx.post({ type: ToPanel.outputFilePicked, requestId, path: picked?.fsPath });
}

export async function answerRecentTarget(ctx: RequestContext, requestId: number, targetId: string): Promise<void> {
  const url = await ctx.targets.url(targetId);
  const target = ctx.targets.list().find((t) => t.id === targetId);
  ctx.post({ type: ToPanel.targetUrl, requestId, targetId, url, database: target?.database });
}

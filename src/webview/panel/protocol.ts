/**
 * The protocol between the extension host and the migration panel's webview, imported by both sides
 * (the designer's is ../designer/protocol.ts, built the same way).
 *
 * - Message type names are `as const` constants; each direction is a discriminated union on `type`.
 * - The webview posts `ready` first (with the state it restored, if any); the host posts nothing before it.
 * - Requests that expect an answer carry a `requestId`; the answer echoes it.
 *
 * Only types are imported from the engine, so nothing of it is bundled into the browser code.
 */
import type { IfExists, MigrationEvent, MigrationReport, NullHandling, SourceInspection, StepName } from '../../core';
import { isMessageOf, type ErrorInfo } from '../common/protocol';

export type { ErrorInfo };

/** The panel's view type (package.json `onWebviewPanel:` activation and the serializer use it). */
export const PANEL_VIEW_TYPE = 'sqlite2mongo.migrationPanel';

/** Host → panel message types. */
export const ToPanel = {
  init: 'init',
  inspection: 'inspection',
  connectionResult: 'connectionResult',
  outputFilePicked: 'outputFilePicked',
  targetUrl: 'targetUrl',
  runStarted: 'runStarted',
  runEvent: 'runEvent',
  runFinished: 'runFinished',
  /** The plan file was saved by the designer: inspect again. */
  planChanged: 'planChanged',
} as const;

/** Panel → host message types. */
export const FromPanel = {
  ready: 'ready',
  inspect: 'inspect',
  testConnection: 'testConnection',
  pickOutputFile: 'pickOutputFile',
  useRecentTarget: 'useRecentTarget',
  start: 'start',
  cancel: 'cancel',
  openReport: 'openReport',
  showLog: 'showLog',
  showValidation: 'showValidation',
  openDesigner: 'openDesigner',
  /** Keep the target of the finished migration in step with the file (the status bar shows each sync). */
  keepInSync: 'keepInSync',
} as const;

/** Plan-wide settings the panel lets the user change (they change the plan and the sample documents). */
export interface PlanSettings {
  nulls: NullHandling;
  detectTextDates: boolean;
  timezone: string;
  /** Each view becomes a collection too (ids by row position); otherwise views are listed as not migrated. */
  includeViews: boolean;
}

/** Defaults from the `sqlite2mongo.*` settings. */
export interface PanelDefaults extends Omit<PlanSettings, 'includeViews'> {
  batchSize: number;
  ifExists: IfExists;
  onError: 'stop' | 'skip';
  /** How long to wait for the MongoDB server before giving up (the `sqlite2mongo.connectTimeoutSeconds` setting). */
  connectTimeoutSeconds: number;
}

/** A recently used target, without its secret: the full URL stays in SecretStorage. */
export interface RecentTarget {
  id: string;
  /** The URL with the password masked. */
  label: string;
  database: string;
}

/** What the Start button sends. */
export interface RunRequest {
  url: string;
  database: string;
  batchSize: number;
  ifExists: IfExists;
  onError: 'stop' | 'skip';
  dryRun: boolean;
  connectTimeoutMs: number;
  /** Keep the intermediate NDJSON file at this path (otherwise a temporary file is used and removed). */
  outputFile?: string;
  plan: PlanSettings;
}

/** The engine events the panel shows (mismatches and refused rows are counted in the report instead). */
export type PanelRunEvent = Extract<MigrationEvent, { type: 'step-start' | 'progress' | 'step-end' | 'log' }>;

export type ToPanelMessage =
  | {
      type: typeof ToPanel.init;
      sourcePath: string;
      defaults: PanelDefaults;
      recentTargets: RecentTarget[];
      defaultDatabase: string;
      defaultOutputFile: string;
      /** Where every run records itself in the target database (`_sqlite2mongo_migrations`). */
      historyCollection: string;
      /** The run this panel's host is running or last ran (its events follow); undefined after a window reload. */
      activeRunId?: number;
    }
  /** `planFile`: the workspace plan file the inspection (and a migration started now) uses, e.g. `.sqlite2mongo/app.plan.json`. */
  | ({ type: typeof ToPanel.inspection; requestId: number } & (
      { ok: true; inspection: SourceInspection; planFile?: string } | { ok: false; error: ErrorInfo }
    ))
  /** `existingCollections`: the user's collections; our own bookkeeping ones (run history) are left out and said apart. */
  | ({ type: typeof ToPanel.connectionResult; requestId: number } & (
      | { ok: true; serverVersion: string; existingCollections: string[]; historyRuns: boolean }
      | { ok: false; error: ErrorInfo }
    ))
  | { type: typeof ToPanel.outputFilePicked; requestId: number; path?: string }
  | { type: typeof ToPanel.targetUrl; requestId: number; targetId: string; url?: string; database?: string }
  /** `target`: the server as the user knows it (host and port, no credentials) and the database written to. */
  | { type: typeof ToPanel.runStarted; runId: number; steps: StepName[]; target: { host: string; database: string } }
  | { type: typeof ToPanel.runEvent; runId: number; event: PanelRunEvent }
  | ({ type: typeof ToPanel.runFinished; runId: number } & (
      { ok: true; report: MigrationReport; reportUri?: string } | { ok: false; error: ErrorInfo }
    ))
  | { type: typeof ToPanel.planChanged };

export type FromPanelMessage =
  /** `restored`: the webview came back with state from getState() (a window reload), not as a fresh panel. */
  | { type: typeof FromPanel.ready; restored: boolean }
  | { type: typeof FromPanel.inspect; requestId: number; plan: PlanSettings }
  | { type: typeof FromPanel.testConnection; requestId: number; url: string; database: string; timeoutMs: number }
  | { type: typeof FromPanel.pickOutputFile; requestId: number; current?: string }
  | { type: typeof FromPanel.useRecentTarget; requestId: number; targetId: string }
  | { type: typeof FromPanel.start; request: RunRequest }
  | { type: typeof FromPanel.cancel }
  | { type: typeof FromPanel.openReport; reportUri: string }
  | { type: typeof FromPanel.showLog }
  | { type: typeof FromPanel.showValidation }
  | { type: typeof FromPanel.openDesigner }
  | { type: typeof FromPanel.keepInSync };

/** The part of the webview's persisted state the host reads when VS Code restores the panel after a reload. */
export interface PersistedPanelState {
  sourcePath: string;
}

export const isFromPanelMessage = (m: unknown): m is FromPanelMessage => isMessageOf(FromPanel, m);

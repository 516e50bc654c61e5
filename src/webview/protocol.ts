/**
 * The one protocol between the extension host and the migration panel's webview, imported by both sides.
 *
 * - Message type names are `as const` constants; each direction is a discriminated union on `type`.
 * - The webview posts `ready` first (with the state it restored, if any); the host posts nothing before it.
 * - Requests that expect an answer carry a `requestId`; the answer echoes it.
 *
 * Only types are imported from the engine, so nothing of it is bundled into the browser code.
 */
import type { IfExists } from '../core/pipeline/migrate';
import type { MigrationEvent, StepName } from '../core/pipeline/events';
import type { MigrationReport } from '../core/pipeline/report';
import type { SourceInspection } from '../core/inspect';
import type { DesignState } from '../core/design';
import type { PlanEdit } from '../core/plan/edits';
import type { MappingPlan, NullHandling } from '../core/plan/types';

/** The panel's view type (package.json `onWebviewPanel:` activation and the serializer use it). */
export const PANEL_VIEW_TYPE = 'sqlite2mongo.migrationPanel';

export const ToWebview = {
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

export const ToHost = {
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
} as const;

/** Plan-wide settings the panel lets the user change (they change the plan and the sample documents). */
export interface PlanSettings {
  nulls: NullHandling;
  detectTextDates: boolean;
  timezone: string;
}

/** Defaults from the `sqlite2mongo.*` settings. */
export interface PanelDefaults extends PlanSettings {
  batchSize: number;
  ifExists: IfExists;
  onError: 'stop' | 'skip';
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
  /** Keep the intermediate NDJSON file at this path (otherwise a temporary file is used and removed). */
  outputFile?: string;
  plan: PlanSettings;
}

/** The engine events the panel shows (mismatches and refused rows are counted in the report instead). */
export type PanelRunEvent = Extract<MigrationEvent, { type: 'step-start' | 'progress' | 'step-end' | 'log' }>;

export type ErrorInfo = { code: string; message: string; hint?: string };

export type HostToWebview =
  | {
      type: typeof ToWebview.init;
      sourcePath: string;
      defaults: PanelDefaults;
      recentTargets: RecentTarget[];
      defaultDatabase: string;
      defaultOutputFile: string;
      /** The run this panel's host is running or last ran (its events follow); undefined after a window reload. */
      activeRunId?: number;
    }
  /** `planFile`: the workspace plan file the inspection (and a migration started now) uses, e.g. `.sqlite2mongo/app.plan.json`. */
  | ({ type: typeof ToWebview.inspection; requestId: number } & ({ ok: true; inspection: SourceInspection; planFile?: string } | { ok: false; error: ErrorInfo }))
  | ({ type: typeof ToWebview.connectionResult; requestId: number } & ({ ok: true; serverVersion: string; existingCollections: string[] } | { ok: false; error: ErrorInfo }))
  | { type: typeof ToWebview.outputFilePicked; requestId: number; path?: string }
  | { type: typeof ToWebview.targetUrl; requestId: number; targetId: string; url?: string; database?: string }
  | { type: typeof ToWebview.runStarted; runId: number; steps: StepName[] }
  | { type: typeof ToWebview.runEvent; runId: number; event: PanelRunEvent }
  | ({ type: typeof ToWebview.runFinished; runId: number } & ({ ok: true; report: MigrationReport; reportUri?: string } | { ok: false; error: ErrorInfo }))
  | { type: typeof ToWebview.planChanged };

export type WebviewToHost =
  /** `restored`: the webview came back with state from getState() (a window reload), not as a fresh panel. */
  | { type: typeof ToHost.ready; restored: boolean }
  | { type: typeof ToHost.inspect; requestId: number; plan: PlanSettings }
  | { type: typeof ToHost.testConnection; requestId: number; url: string; database: string }
  | { type: typeof ToHost.pickOutputFile; requestId: number; current?: string }
  | { type: typeof ToHost.useRecentTarget; requestId: number; targetId: string }
  | { type: typeof ToHost.start; request: RunRequest }
  | { type: typeof ToHost.cancel }
  | { type: typeof ToHost.openReport; reportUri: string }
  | { type: typeof ToHost.showLog }
  | { type: typeof ToHost.showValidation }
  | { type: typeof ToHost.openDesigner };

/** The part of the webview's persisted state the host reads when VS Code restores the panel after a reload. */
export interface PersistedPanelState {
  sourcePath: string;
}

export function isWebviewToHost(m: unknown): m is WebviewToHost {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && Object.values(ToHost).includes((m as { type: string }).type as never);
}

// ------------------------------------------------------------------------------------------------ designer
/** The mapping designer's view type (package.json `onWebviewPanel:` activation and its serializer use it). */
export const DESIGNER_VIEW_TYPE = 'sqlite2mongo.designer';

export const ToDesigner = {
  init: 'init',
  design: 'design',
  saved: 'saved',
} as const;

export const FromDesigner = {
  ready: 'ready',
  edit: 'edit',
  save: 'save',
  /** Discard unsaved changes: the saved plan file again, or the default plan when there is none. */
  revert: 'revert',
  openMigration: 'openMigration',
  openPlanFile: 'openPlanFile',
} as const;

export type HostToDesigner =
  /** `planFile`: where Save writes, relative to the workspace folder; `planFileExists`: it holds a saved plan. */
  | { type: typeof ToDesigner.init; sourcePath: string; planFile: string; planFileExists: boolean }
  /** A new design after an edit (or the first one); `dirty`: the plan differs from the saved file. */
  | ({ type: typeof ToDesigner.design; requestId: number } & ({ ok: true; design: DesignState; dirty: boolean } | { ok: false; error: ErrorInfo }))
  | ({ type: typeof ToDesigner.saved; requestId: number } & ({ ok: true; planFile: string } | { ok: false; error: ErrorInfo }));

export type DesignerToHost =
  /** `plan`/`dirty`: the plan a restored webview was showing (unsaved edits survive a window reload). */
  | { type: typeof FromDesigner.ready; restored: boolean; plan?: MappingPlan; dirty?: boolean }
  | { type: typeof FromDesigner.edit; requestId: number; edit: PlanEdit }
  | { type: typeof FromDesigner.save; requestId: number }
  | { type: typeof FromDesigner.revert; requestId: number }
  | { type: typeof FromDesigner.openMigration }
  | { type: typeof FromDesigner.openPlanFile };

export function isDesignerToHost(m: unknown): m is DesignerToHost {
  return typeof m === 'object' && m !== null && typeof (m as { type?: unknown }).type === 'string' && Object.values(FromDesigner).includes((m as { type: string }).type as never);
}

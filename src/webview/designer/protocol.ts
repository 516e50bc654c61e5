/**
 * The protocol between the extension host and the mapping designer's webview, imported by both sides; built like
 * the migration panel's (../panel/protocol.ts): `ready` first, requests by id, answers echo the id.
 */
import type { DesignState, MappingPlan, PlanEdit } from '../../core';
import { isMessageOf, type ErrorInfo } from '../common/protocol';

export type { ErrorInfo };

/** The mapping designer's view type (package.json `onWebviewPanel:` activation and its serializer use it). */
export const DESIGNER_VIEW_TYPE = 'sqlite2mongo.designer';

/** Host → designer message types. */
export const ToDesigner = {
  init: 'init',
  design: 'design',
  saved: 'saved',
} as const;

/** Designer → host message types. */
export const FromDesigner = {
  ready: 'ready',
  edit: 'edit',
  save: 'save',
  /** Discard unsaved changes: the saved plan file again, or the default plan when there is none. */
  revert: 'revert',
  openMigration: 'openMigration',
  openPlanFile: 'openPlanFile',
} as const;

export type ToDesignerMessage =
  /** `planFile`: where Save writes, relative to the workspace folder; `planFileExists`: it holds a saved plan. */
  | { type: typeof ToDesigner.init; sourcePath: string; planFile: string; planFileExists: boolean }
  /** A new design after an edit (or the first one); `dirty`: the plan differs from the saved file. */
  | ({ type: typeof ToDesigner.design; requestId: number } & (
      { ok: true; design: DesignState; dirty: boolean } | { ok: false; error: ErrorInfo }
    ))
  | ({ type: typeof ToDesigner.saved; requestId: number } & (
      { ok: true; planFile: string } | { ok: false; error: ErrorInfo }
    ));

export type FromDesignerMessage =
  /** `plan`/`dirty`: the plan a restored webview was showing (unsaved edits survive a window reload). */
  | { type: typeof FromDesigner.ready; restored: boolean; plan?: MappingPlan; dirty?: boolean }
  | { type: typeof FromDesigner.edit; requestId: number; edit: PlanEdit }
  | { type: typeof FromDesigner.save; requestId: number }
  | { type: typeof FromDesigner.revert; requestId: number }
  | { type: typeof FromDesigner.openMigration }
  | { type: typeof FromDesigner.openPlanFile };

export const isFromDesignerMessage = (m: unknown): m is FromDesignerMessage => isMessageOf(FromDesigner, m);

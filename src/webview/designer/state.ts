/** The designer's state (persisted with setState) and the pure helpers its views use. */
import type {
  DesignJunction,
  DesignRelationship,
  DesignState,
  JunctionMode,
  RelationshipMode,
  PlanWarning,
} from '../../core';
import type { ErrorInfo } from '../common/protocol';

export interface DesignerViewState {
  sourcePath: string;
  /** Where Save writes, e.g. `.sqlite2mongo/app.plan.json`. */
  planFile: string;
  planFileExists: boolean;
  design?: DesignState;
  /** The plan differs from the saved file (or there is no file yet). */
  dirty: boolean;
  busy: boolean;
  error?: ErrorInfo;
  /** The last edit the engine refused, and why. */
  notice?: string;
  /** Shown after a save: "Saved to …". */
  savedMessage?: string;
}

export function initialDesignerState(): DesignerViewState {
  return { sourcePath: '', planFile: '', planFileExists: false, dirty: false, busy: false };
}

/** The choices for a foreign key, worded with its tables (child rows → parent). */
export function relationshipOptions(
  r: Pick<DesignRelationship, 'child' | 'parent' | 'columns'>,
): Array<[RelationshipMode, string]> {
  if (r.child === r.parent) return selfReferenceOptions(r.parent, r.columns.join(', '));
  const options: Array<[RelationshipMode, string]> = [
    ['reference', `Reference: keep ${r.columns.join(', ')}`],
    ['array', `Embedded array in ${r.parent}`],
  ];
  options.push(['array-keep', `Embedded array in ${r.parent}, keep ${r.child} too`]);
  options.push(
    ['document', `Embedded document: ${r.parent} in ${r.child}`],
    ['merge', `Merged: ${r.parent} fields into ${r.child}`],
  );
  return options;
}

/** A table that references itself (Employees.ReportsTo → Employees): worded by what the column points to. */
function selfReferenceOptions(table: string, columns: string): Array<[RelationshipMode, string]> {
  return [
    ['reference', `Reference: keep ${columns}`],
    ['array', `Embedded array: in each row, the ${table} rows whose ${columns} points to it (e.g. direct reports)`],
    ['document', `Embedded document: the ${table} row ${columns} points to (e.g. the manager)`],
    ['merge', `Merged: fields of the ${table} row ${columns} points to`],
  ];
}

export function junctionOptions(j: Pick<DesignJunction, 'table' | 'owner' | 'other'>): Array<[JunctionMode, string]> {
  return [
    ['owner', `Array of ${j.other} ids in ${j.owner}`],
    ['other', `Array of ${j.owner} ids in ${j.other}`],
    ['both', 'Arrays of ids on both sides'],
    ['collection', `Own collection ${j.table}`],
  ];
}

/** Warnings for one collection (and its fields), plan-wide ones under the empty key; errors first. */
export function warningsByCollection(warnings: PlanWarning[]): Map<string, PlanWarning[]> {
  const map = new Map<string, PlanWarning[]>();
  const sorted = [...warnings].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
  for (const w of sorted) {
    const key = w.collection ?? '';
    map.set(key, [...(map.get(key) ?? []), w]);
  }
  return map;
}

export function warningCounts(warnings: PlanWarning[]): { errors: number; warnings: number } {
  const errors = warnings.filter((w) => w.severity === 'error').length;
  return { errors, warnings: warnings.length - errors };
}

/** The status line next to Save. */
export function planStatus(
  s: Pick<DesignerViewState, 'dirty' | 'planFile' | 'planFileExists' | 'savedMessage'>,
): string {
  if (s.dirty)
    return s.planFileExists ? `Unsaved changes to ${s.planFile}` : `Unsaved plan (Save writes ${s.planFile})`;
  return s.savedMessage ?? (s.planFileExists ? `Plan ${s.planFile}` : 'Default plan');
}

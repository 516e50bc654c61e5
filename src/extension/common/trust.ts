/**
 * VS Code's workspace trust: a plan file comes from the workspace and may be hostile. Expressions cannot reach
 * JavaScript (src/core/expr), but in Restricted Mode plans with computed fields are still only shown: their
 * expressions are not evaluated, neither for previews nor for a migration (package.json declares this).
 */
import * as vscode from 'vscode';
import { computedFieldCount, plural, type MappingPlan } from '../../core';

export const expressionsAllowed = (): boolean => vscode.workspace.isTrusted;

/** Why this plan may not run here, or undefined. */
export function untrustedPlanProblem(plan: MappingPlan): string | undefined {
  const n = computedFieldCount(plan);
  if (n === 0 || expressionsAllowed()) return undefined;
  return `This workspace is in Restricted Mode and its mapping plan has ${plural(n, 'computed field')}: plans with expressions are shown but not run. Trust the workspace (Manage Workspace Trust) to migrate with them, or remove the computed fields from the plan.`;
}

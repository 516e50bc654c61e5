/** Designer edits for declared relationships, row filters and computed fields (each returns a new plan). */
import { MigrationError } from '../errors';
import { relationshipId } from './relationships';
import type { DeclaredRelationship, MappingPlan } from './types';

export type RuleEdit =
  /** Accept a suggested relationship, or declare one of the user's own. */
  | { kind: 'declareRelationship'; relationship: DeclaredRelationship }
  /** Take a declared relationship back out of the plan (by its id, see relationshipKey). */
  | { kind: 'undeclareRelationship'; id: string }
  /** Do not suggest this relationship again for this plan. */
  | { kind: 'rejectRelationship'; id: string }
  /** Set ('' removes) the row filter of a collection. */
  | { kind: 'filter'; collection: string; filter: string }
  /** Add or change (expression) or remove (no expression) a computed field. */
  | { kind: 'computed'; collection: string; field: string; expression?: string; rename?: string };

/** `child(col,…)->parent`: the id the designer uses for relationships, declared or not. */
export const relationshipKey = (r: DeclaredRelationship) =>
  relationshipId({ child: r.table, columns: r.columns, parent: r.refTable });

export function applyRuleEdit(plan: MappingPlan, edit: RuleEdit): MappingPlan {
  const next: MappingPlan = structuredClone(plan);
  const collection = (name: string) => {
    const c = next.collections.find((x) => x.collection === name);
    if (!c) throw new MigrationError('PLAN_INVALID', `No collection ${name} in the plan.`);
    return c;
  };
  switch (edit.kind) {
    case 'declareRelationship': {
      const id = relationshipKey(edit.relationship);
      next.relationships = [
        ...(next.relationships ?? []).filter((r) => relationshipKey(r) !== id),
        structuredClone(edit.relationship),
      ];
      next.rejectedRelationships = (next.rejectedRelationships ?? []).filter((x) => x !== id);
      if (next.rejectedRelationships.length === 0) delete next.rejectedRelationships;
      return next;
    }
    case 'undeclareRelationship':
      next.relationships = (next.relationships ?? []).filter((r) => relationshipKey(r) !== edit.id);
      if (next.relationships.length === 0) delete next.relationships;
      return next;
    case 'rejectRelationship':
      next.rejectedRelationships = [...new Set([...(next.rejectedRelationships ?? []), edit.id])];
      return next;
    case 'filter': {
      const c = collection(edit.collection);
      if (edit.filter.trim() === '') delete c.filter;
      else c.filter = edit.filter.trim();
      return next;
    }
    case 'computed': {
      const c = collection(edit.collection);
      const list = (c.computed ?? []).filter((f) => f.field !== edit.field);
      const at = (c.computed ?? []).findIndex((f) => f.field === edit.field);
      if (edit.expression !== undefined) {
        const entry = { field: (edit.rename ?? edit.field).trim(), expression: edit.expression };
        list.splice(at === -1 ? list.length : at, 0, entry);
      }
      if (list.length === 0) delete c.computed;
      else c.computed = list;
      return next;
    }
  }
}

/**
 * The plan without its computed fields: what an untrusted workspace previews (VS Code's workspace trust: plans with
 * expressions are shown, their expressions are not run).
 */
export function withoutComputed(plan: MappingPlan): MappingPlan {
  if (!plan.collections.some((c) => c.computed?.length)) return plan;
  return { ...plan, collections: plan.collections.map(({ computed: _computed, ...c }) => c) };
}

/** How many computed fields a plan has (0 for plans any workspace may run). */
export const computedFieldCount = (plan: MappingPlan) =>
  plan.collections.reduce((n, c) => n + (c.computed?.length ?? 0), 0);

/**
 * The mapping designer's edits as pure functions on a plan: each returns a new plan (the input is not changed).
 * `defaults` is the default plan of the same file: a table or column brought back takes its default mapping.
 * This file is the one entry (applyPlanEdit); each kind of edit lives with its kin: tableEdits.ts,
 * relationshipEdits.ts, ruleEdits.ts, designEdits.ts.
 */
import { MigrationError } from '../errors';
import type { SchemaInfo } from '../sqlite/types';
import { applyDesignEdit, type DesignEdit } from './designEdits';
import { withDerivedIndexes } from './derivedIndexes';
import { junctionTables } from './junctions';
import type { JunctionMode, RelationshipMode } from './mappingModes';
import { setJunction, setRelationship } from './relationshipEdits';
import { applyRuleEdit, type RuleEdit } from './ruleEdits';
import { clone, collectionOf, editColumn, restoreCollection } from './tableEdits';
import type { FieldType, MappingPlan, NullHandling } from './types';

export type PlanEdit =
  | { kind: 'relationship'; id: string; mode: RelationshipMode }
  | { kind: 'junction'; table: string; mode: JunctionMode }
  | { kind: 'table'; table: string; include: boolean }
  | { kind: 'collectionName'; table: string; name: string }
  | {
      kind: 'column';
      table: string;
      column: string;
      include?: boolean;
      field?: string;
      type?: FieldType;
      nulls?: NullHandling | 'default';
      /** Numbers read as dates: epoch seconds or milliseconds ('none': text dates only). */
      epoch?: 'seconds' | 'milliseconds' | 'none';
    }
  | { kind: 'embedField'; collection: string; field: string; name: string }
  | { kind: 'embedPolicy'; collection: string; field: string; onTooLarge: 'fail' | 'reference' }
  | { kind: 'reset' }
  | RuleEdit
  | DesignEdit;

/**
 * Applies one designer edit; throws MigrationError('PLAN_INVALID') for an edit that cannot apply. Every collection's
 * array and embed indexes then follow its arrays and embeds (plan/derivedIndexes.ts).
 */
export function applyPlanEdit(
  plan: MappingPlan,
  schema: SchemaInfo,
  defaults: MappingPlan,
  edit: PlanEdit,
): MappingPlan {
  const next = applyEdit(plan, schema, defaults, edit);
  return { ...next, collections: next.collections.map((c) => withDerivedIndexes(c, schema)) };
}

function applyEdit(plan: MappingPlan, schema: SchemaInfo, defaults: MappingPlan, edit: PlanEdit): MappingPlan {
  switch (edit.kind) {
    case 'reset':
      return clone(defaults);
    case 'relationship':
      return setRelationship(plan, schema, defaults, edit.id, edit.mode);
    case 'junction':
      return setJunction(plan, schema, defaults, edit.table, edit.mode);
    case 'table': {
      const next = clone(plan);
      if (edit.include) {
        if (junctionTables(schema).has(edit.table))
          return setJunction(next, schema, defaults, edit.table, 'collection');
        restoreCollection(next, schema, defaults, edit.table);
      } else {
        if (!next.collections.some((c) => c.table === edit.table)) return next;
        next.collections = next.collections.filter((c) => c.table !== edit.table);
        for (const c of next.collections) c.arrays = c.arrays.filter((a) => a.junctionTable !== edit.table);
        next.skipped = [
          ...next.skipped.filter((s) => s.table !== edit.table),
          { table: edit.table, reason: 'left out in the mapping designer' },
        ];
      }
      return next;
    }
    case 'collectionName': {
      const next = clone(plan);
      collectionOf(next, edit.table).collection = edit.name.trim();
      return next;
    }
    case 'column':
      return editColumn(plan, defaults, edit);
    case 'declareRelationship':
    case 'undeclareRelationship':
    case 'rejectRelationship':
    case 'filter':
    case 'computed':
      return applyRuleEdit(plan, edit);
    case 'options':
    case 'id':
    case 'nestedEmbed':
    case 'removeNestedEmbed':
    case 'junctionDocuments':
      return applyDesignEdit(plan, schema, edit);
    case 'embedField':
    case 'embedPolicy': {
      const next = clone(plan);
      const e = next.collections
        .find((c) => c.collection === edit.collection)
        ?.embeds?.find((x) => x.field === edit.field);
      if (!e) throw new MigrationError('PLAN_INVALID', `No embedded field ${edit.field} in ${edit.collection}.`);
      if (edit.kind === 'embedField') e.field = edit.name.trim();
      else e.onTooLarge = edit.onTooLarge;
      return next;
    }
  }
}

/**
 * The mapping designer's engine call: open the file, apply the user's edit to the plan, and return everything the
 * designer shows — schema with counts, relationships and their current mapping, the plan, one sample document per
 * collection rendered from real rows exactly as the migration builds it, and the plan's warnings.
 */
import path from 'node:path';
import { sampleDocuments } from './inspect';
import { defaultPlanFor } from './plan/defaultPlan';
import { isMigrationError } from './errors';
import { applyPlanEdit, designJunctions, designRelationships, type DesignJunction, type DesignRelationship, type PlanEdit } from './plan/edits';
import type { MappingPlan, PlanOptions } from './plan/types';
import { planWarnings, type PlanWarning } from './plan/warnings';
import { introspect, openSqliteSource } from './sqlite';
import type { SchemaInfo } from './sqlite/types';

export interface DesignRequest {
  file: string;
  /** The plan being designed; the default plan when absent. */
  plan?: MappingPlan;
  edit?: PlanEdit;
  planOptions?: Partial<PlanOptions>;
}

export interface DesignState {
  path: string;
  fileName: string;
  sizeBytes: number;
  schema: SchemaInfo;
  plan: MappingPlan;
  relationships: DesignRelationship[];
  junctions: DesignJunction[];
  samples: Record<string, string>;
  warnings: PlanWarning[];
  /** Why the edit was not applied (the plan is returned unchanged), e.g. embedding into a table left out. */
  editError?: string;
}

export async function designSource(req: DesignRequest): Promise<DesignState> {
  const source = await openSqliteSource(req.file);
  try {
    const schema = introspect(source);
    const defaults = defaultPlanFor(source, schema, req.plan?.options ?? req.planOptions).plan;
    let plan = req.plan ?? defaults;
    let editError: string | undefined;
    if (req.edit) {
      try {
        plan = applyPlanEdit(plan, schema, defaults, req.edit);
      } catch (e) {
        if (!isMigrationError(e)) throw e;
        editError = e.message;
      }
    }
    return {
      path: source.path,
      fileName: path.basename(source.path),
      sizeBytes: source.sizeBytes,
      schema,
      plan,
      relationships: designRelationships(plan, schema),
      junctions: designJunctions(plan, schema),
      samples: safeSamples(source, schema, plan),
      warnings: planWarnings(source, schema, plan),
      ...(editError ? { editError } : {}),
    };
  } finally {
    source.close();
  }
}

/** A plan being edited may be wrong in one place: render the collections that can be rendered. */
function safeSamples(source: Parameters<typeof sampleDocuments>[0], schema: SchemaInfo, plan: MappingPlan): Record<string, string> {
  try {
    return sampleDocuments(source, schema, plan);
  } catch {
    const samples: Record<string, string> = {};
    for (const c of plan.collections) {
      try {
        Object.assign(samples, sampleDocuments(source, schema, { ...plan, collections: [c] }));
      } catch (e) {
        samples[c.collection] = `(cannot render a sample: ${e instanceof Error ? e.message : String(e)})`;
      }
    }
    return samples;
  }
}

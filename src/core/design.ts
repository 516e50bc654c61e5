/**
 * The mapping designer's engine call: open the file, apply the user's edit to the plan, and return everything the
 * designer shows — schema with counts, relationships and their current mapping, the plan, one sample document per
 * collection rendered from real rows exactly as the migration builds it, and the plan's warnings.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { sampleDocuments } from './inspect';
import { applyNaming } from './plan/naming';
import { collectionPreviews, type CollectionPreview } from './preview';
import { defaultPlanFor } from './plan/defaultPlan';
import { isMigrationError } from './errors';
import { applyPlanEdit, type PlanEdit } from './plan/edits';
import {
  designJunctions,
  designRelationships,
  type DesignJunction,
  type DesignRelationship,
} from './plan/mappingModes';
import type { MappingPlan, PlanOptions } from './plan/types';
import { planWarnings, type PlanWarning } from './plan/warnings';
import { relationshipKey, withoutComputed } from './plan/ruleEdits';
import { suggestRelationships, withDeclaredRelationships, type SuggestedRelationship } from './plan/suggest';
import { introspect, openSqliteSource, type SqliteSource } from './sqlite';
import type { SchemaInfo } from './sqlite/types';

export interface DesignRequest {
  file: string;
  /** The plan being designed; the default plan when absent. */
  plan?: MappingPlan;
  edit?: PlanEdit;
  planOptions?: Partial<PlanOptions>;
  /** false in an untrusted workspace: samples are rendered without the plan's computed fields. */
  evaluateExpressions?: boolean;
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
  /** Relationships SQLite does not declare that names and data suggest (neither declared nor rejected in the plan). */
  suggestions: SuggestedRelationship[];
  /** Per collection: rows a filter keeps and skips, rows computed fields refuse, the generated `$jsonSchema`. */
  previews: Record<string, CollectionPreview>;
  /** false: the workspace is not trusted, so the samples were built without the plan's computed fields. */
  expressionsEvaluated: boolean;
  /** Why the edit was not applied (the plan is returned unchanged), e.g. embedding into a table left out. */
  editError?: string;
}

/**
 * The designer's hold on one file: the source is opened, checked and introspected once, and kept open for every
 * edit (its pages are read on demand, see sqlite/image.ts). Before each design the file's size and modification time (and its -wal's) are
 * compared with what was read: a file changed on disk is opened again, so the designer never shows stale rows.
 */
export class DesignSession {
  private defaults = new Map<string, MappingPlan>();
  private suggested?: SuggestedRelationship[];

  private constructor(
    readonly file: string,
    private source: SqliteSource,
    private schema: SchemaInfo,
    private stamp: string,
  ) {}

  static async open(file: string): Promise<DesignSession> {
    const stamp = fileStamp(file);
    const source = await openSqliteSource(file);
    try {
      return new DesignSession(file, source, introspect(source), stamp);
    } catch (e) {
      source.close();
      throw e;
    }
  }

  /** Applies the edit (if any) to the plan (the default plan when absent) and renders the design. */
  async design(req: Omit<DesignRequest, 'file'>): Promise<DesignState> {
    await this.refreshIfChanged();
    const { source } = this;
    let schema = withDeclaredRelationships(this.schema, req.plan?.relationships);
    const defaults = this.defaultPlan(req.plan?.options ?? req.planOptions);
    let plan = req.plan ?? defaults;
    let editError: string | undefined;
    if (req.edit) {
      try {
        plan = applyPlanEdit(plan, schema, defaults, req.edit);
        // Names added by the edit (an embed, a field brought back) follow the plan's naming convention too.
        if (plan.options.naming && plan.options.naming !== 'as-is') plan = applyNaming(plan, plan.options.naming);
      } catch (e) {
        if (!isMigrationError(e)) throw e;
        editError = e.message;
      }
    }
    // Relationships the plan declares are foreign keys to everything the designer shows.
    schema = withDeclaredRelationships(this.schema, plan.relationships);
    const known = new Set([...(plan.relationships ?? []).map(relationshipKey), ...(plan.rejectedRelationships ?? [])]);
    this.suggested ??= suggestRelationships(source, this.schema);
    const evaluate = req.evaluateExpressions !== false;
    const rendered = evaluate ? plan : withoutComputed(plan);
    return {
      path: source.path,
      fileName: path.basename(source.path),
      sizeBytes: source.sizeBytes,
      schema,
      plan,
      relationships: designRelationships(plan, schema),
      junctions: designJunctions(plan, schema),
      samples: safeSamples(source, schema, rendered),
      previews: collectionPreviews(source, schema, rendered),
      expressionsEvaluated: evaluate,
      warnings: planWarnings(source, schema, plan),
      suggestions: this.suggested.filter((s) => !known.has(relationshipKey(s))),
      ...(editError ? { editError } : {}),
    };
  }

  close(): void {
    this.source.close();
  }

  /** The default plan for a set of plan-wide options, built once per set (it samples columns for dates). */
  private defaultPlan(options: Partial<PlanOptions> | undefined): MappingPlan {
    const key = JSON.stringify(options ?? {});
    let plan = this.defaults.get(key);
    if (!plan) {
      plan = defaultPlanFor(this.source, this.schema, options).plan;
      this.defaults.set(key, plan);
    }
    return structuredClone(plan);
  }

  private async refreshIfChanged(): Promise<void> {
    const stamp = fileStamp(this.file);
    if (stamp === this.stamp) return;
    const source = await openSqliteSource(this.file);
    this.source.close();
    this.source = source;
    this.schema = introspect(source);
    this.stamp = stamp;
    this.defaults.clear();
    this.suggested = undefined;
  }
}

/** Size and modification time of the file and its -wal: what changes when anyone writes to the database. */
function fileStamp(file: string): string {
  const stat = (p: string) => {
    try {
      const s = statSync(p);
      return `${s.size}:${s.mtimeMs}`;
    } catch {
      return '-';
    }
  };
  return `${stat(file)}|${stat(`${file}-wal`)}`;
}

/** One design of a file, opened and closed for this call (the CLI and tests; the extension keeps a session). */
export async function designSource(req: DesignRequest): Promise<DesignState> {
  const session = await DesignSession.open(req.file);
  try {
    return await session.design(req);
  } finally {
    session.close();
  }
}

/** A plan being edited may be wrong in one place: render the collections that can be rendered. */
function safeSamples(
  source: Parameters<typeof sampleDocuments>[0],
  schema: SchemaInfo,
  plan: MappingPlan,
): Record<string, string> {
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

import { BSON, type Document } from 'mongodb';
import { withoutComputed } from './plan/ruleEdits';
import { DocumentBuilder } from './convert/documents';
import { connectMongo } from './mongo/connect';
import { checkPlan } from './plan/check';
import { defaultPlanFor } from './plan/defaultPlan';
import type { MappingPlan, PlanOptions } from './plan/types';
import { introspect, openSqliteSource, type SqliteSource } from './sqlite';
import type { SchemaInfo } from './sqlite/types';

export interface SourceInspection {
  path: string;
  sizeBytes: number;
  fingerprint: string;
  walFramesApplied: number;
  schema: SchemaInfo;
  plan: MappingPlan;
  notes: string[];
  /** One sample document per planned collection, built from its first row, as relaxed Extended JSON text. */
  samples: Record<string, string>;
}

/** Renders the first document of each planned collection exactly as the migration would build it. */
export function sampleDocuments(source: SqliteSource, schema: SchemaInfo, plan: MappingPlan): Record<string, string> {
  const samples: Record<string, string> = {};
  for (const c of plan.collections) {
    const table = schema.tables.find((t) => t.name === c.table);
    if (!table) continue;
    const it = new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined);
    const first = it.next();
    it.return(undefined);
    samples[c.collection] = first.done
      ? '(no rows)'
      : BSON.EJSON.stringify(first.value.doc as Document, undefined, 2, { relaxed: true });
  }
  return samples;
}

/**
 * Everything a UI needs to show a source before migrating: tables, counts, the plan and sample documents.
 * `planOptions` builds the default plan with other plan-wide settings (null handling, date detection, time zone);
 * `includeViews` makes each view a collection too.
 */
export async function inspectSource(
  file: string,
  opts: {
    plan?: MappingPlan;
    planOptions?: Partial<PlanOptions>;
    includeViews?: boolean;
    evaluateExpressions?: boolean;
  } = {},
): Promise<SourceInspection> {
  const source = await openSqliteSource(file);
  try {
    const schema = introspect(source);
    const built = opts.plan
      ? { plan: checkPlan(opts.plan, schema), notes: [] }
      : defaultPlanFor(source, schema, opts.planOptions, { includeViews: opts.includeViews });
    return {
      path: source.path,
      sizeBytes: source.sizeBytes,
      fingerprint: source.fingerprint,
      walFramesApplied: source.walFramesApplied,
      schema,
      plan: built.plan,
      notes: built.notes,
      samples: sampleDocuments(
        source,
        schema,
        opts.evaluateExpressions === false ? withoutComputed(built.plan) : built.plan,
      ),
    };
  } finally {
    source.close();
  }
}

export interface ConnectionCheck {
  serverVersion: string;
  /** Collection names already in the target database. */
  existingCollections: string[];
}

/** Connects, pings and lists the target database: a "Test connection" button. Throws MigrationError on failure. */
export async function testConnection(url: string, database: string, timeoutMs = 5000): Promise<ConnectionCheck> {
  const client = await connectMongo(url, { timeoutMs });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    const existingCollections = (await client.db(database).listCollections({}, { nameOnly: true }).toArray()).map(
      (c) => c.name,
    );
    // FerretDB reports the MongoDB version it imitates; name it too, so nobody mistakes it for a real mongod.
    const serverVersion = info.ferretdbVersion
      ? `FerretDB ${info.ferretdbVersion} (MongoDB ${info.version} compatible)`
      : `MongoDB ${info.version ?? 'unknown'}`;
    return { serverVersion, existingCollections };
  } finally {
    await client.close();
  }
}

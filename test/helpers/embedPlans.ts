/** What the deep-embedding integration tests share: plan fields, a plan with embeds, and documents as plain JSON. */
import type { MongoClient } from 'mongodb';
import { inspectSource, type MappingPlan, type MigrateOptions } from '../../src/core';
import type { EmbedPlan, FieldPlan, FieldType } from '../../src/core/plan/types';
import { run } from './migrateRun';

/** A field of `column` (named the same unless `field` says). */
export const f = (column: string, type: FieldType = 'auto', field = column): FieldPlan => ({ column, field, type });

/** The default plan with `embeds` put into `into`'s collection; the embedded tables' own collections removed. */
export async function planWith(
  file: string,
  into: string,
  embeds: EmbedPlan[],
  folded: string[],
): Promise<MappingPlan> {
  const { plan } = await inspectSource(file);
  plan.collections.find((c) => c.table === into)!.embeds = embeds;
  plan.collections = plan.collections.filter((c) => !folded.includes(c.table));
  plan.skipped.push(...folded.map((table) => ({ table, reason: `embedded in ${into}` })));
  return plan;
}

/** A document as JSON: Dates as ISO text (what the Python oracle writes). */
export function plain(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  return v;
}

/** Every document of a collection in `_id` order, as plain JSON. */
export async function readAll(client: MongoClient, database: string, collection: string): Promise<unknown[]> {
  const docs = await client.db(database).collection(collection).find().sort({ _id: 1 }).toArray();
  return docs.map(plain);
}

/** Migrates with `plan` into `database` on the test server; the report. */
export const runPlan = async (
  sqlitePath: string,
  database: string,
  plan: MappingPlan,
  extra: Partial<MigrateOptions> = {},
) => (await run(sqlitePath, database, { plan, ...extra })).report;

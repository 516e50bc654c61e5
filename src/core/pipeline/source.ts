import { MigrationError } from '../errors';
import { defaultPlanFor } from '../plan/defaultPlan';
import { readNdjsonHeader } from '../ndjson/reader';
import { checkPlan } from '../plan/check';
import type { MappingPlan } from '../plan/types';
import { findRelation, introspect, listSkippedTables, openSqliteSource, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';
import type { RunContext } from './context';

/** Where the documents come from: the SQLite file (built on the fly) or an intermediate file written earlier. */
export type SourceStage =
  | { kind: 'sqlite'; source: SqliteSource; schema: SchemaInfo; plan: MappingPlan }
  | { kind: 'file'; file: string; schema: SchemaInfo; plan: MappingPlan };

/** Opens the source (or the input file's header), settles the plan and lists the collections in the report. */
export async function openSource(ctx: RunContext): Promise<SourceStage> {
  const { opts } = ctx;
  let stage: SourceStage;
  if (opts.inputFile) {
    const header = await readNdjsonHeader(opts.inputFile);
    const plan = opts.plan ? checkPlan(opts.plan, header.schema) : header.plan;
    ctx.report.source = {
      path: header.source.path,
      sizeBytes: header.source.sizeBytes,
      fingerprint: header.source.fingerprint,
      inputFile: opts.inputFile,
    };
    stage = { kind: 'file', file: opts.inputFile, schema: header.schema, plan };
  } else {
    if (!opts.sqlitePath)
      throw new MigrationError('USAGE', 'No SQLite database given.', 'Pass --sqlite-url (a path or sqlite:///… URL).');
    const source = await openSqliteSource(opts.sqlitePath);
    try {
      const schema = introspect(source);
      let plan: MappingPlan;
      if (opts.plan) plan = checkPlan(opts.plan, schema);
      else {
        const built = defaultPlanFor(source, schema, undefined, { includeViews: opts.includeViews });
        plan = built.plan;
        ctx.report.notes.push(...built.notes);
      }
      ctx.report.source = {
        path: source.path,
        sizeBytes: source.sizeBytes,
        fingerprint: source.fingerprint,
        walFramesApplied: source.walFramesApplied,
      };
      if (schema.tables.length === 0 && plan.collections.length === 0) {
        const virtual = listSkippedTables(source).filter((t) => t.reason === 'virtual');
        if (virtual.length > 0) {
          const list = virtual.map((t) => `${t.name} (${t.detail})`).join(', ');
          throw new MigrationError(
            'SOURCE_EMPTY',
            `${source.path} has no ordinary tables, only virtual tables, which are not migrated: ${list}.`,
            'Copy their rows into ordinary tables (CREATE TABLE copy AS SELECT rowid, * FROM …) and migrate those.',
          );
        }
        throw new MigrationError(
          'SOURCE_EMPTY',
          `${source.path} has no tables: nothing to migrate.`,
          'Check that this is the right database file.',
        );
      }
      stage = { kind: 'sqlite', source, schema, plan };
    } catch (e) {
      source.close();
      throw e;
    }
  }
  for (const c of stage.plan.collections) ctx.addCollection(c, findRelation(stage.schema, c.table)?.rowCount ?? 0);
  ctx.emit({ type: 'plan', plan: stage.plan, notes: ctx.report.notes });
  return stage;
}

export function closeSource(stage: SourceStage | undefined): void {
  if (stage?.kind === 'sqlite') stage.source.close();
}

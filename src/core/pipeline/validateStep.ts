import type { Db, Document } from 'mongodb';
import type { Mismatch } from '../validate/compare';
import { proveCollection, type ProofResult } from '../validate/proof';
import { collectionJsonSchema } from '../plan/jsonSchema';
import { readNdjson } from '../ndjson/reader';
import type { CollectionPlan } from '../plan/types';
import { validateCollection, type ExpectedDocument } from '../validate/validator';
import type { RunContext } from './context';
import { changedRowsFilter, documentBuilder, type RowFilter } from './documents';
import type { SourceStage } from './source';
import type { WritePlan } from './writeMode';

/** Incremental runs validate just the changed documents, by _id, while the changed set stays this small. */
const MAX_FILTERED_VALIDATION = 100_000;

/** Expected documents for validation read from the input file. */
async function* expectedFromFile(file: string, collection: string): AsyncGenerator<ExpectedDocument> {
  let seen = false;
  for await (const item of readNdjson(file, { collection })) {
    if (!('row' in item)) continue;
    if (item.row.collection === collection) {
      seen = true;
      yield { doc: item.row.doc };
    } else if (seen) return; // rows are grouped by collection: its group has ended
  }
}

/** Incremental by watermark: the changed rows only, and the target documents they became (by _id). */
function changedOnly(
  ctx: RunContext,
  src: SourceStage,
  plan: CollectionPlan,
  write: WritePlan | undefined,
): { rows: RowFilter; filter?: Document } {
  if (src.kind !== 'sqlite' || write?.modes.get(plan.collection)?.kind !== 'changed') return { rows: {} };
  const rows = changedRowsFilter(src, plan, write.base);
  if (!rows.where || ctx.collection(plan.collection).exported > MAX_FILTERED_VALIDATION) return { rows: {} };
  const ids = [...documentBuilder(src, plan).documents(() => undefined, rows)].map((d) => d.doc._id);
  return { rows, filter: { _id: { $in: ids } } };
}

/** Step 4: every document compared with the source (or the input file), field by field where bytes differ. */
export async function validateStep(
  ctx: RunContext,
  src: SourceStage,
  db: Db | undefined,
  write: WritePlan | undefined,
): Promise<void> {
  const { opts } = ctx;
  if (!db) return ctx.step('validate', 0, async () => 0, 'dry run: nothing to validate');
  if (opts.skipValidation) {
    ctx.report.verified = false;
    return ctx.step('validate', 0, async () => 0, 'skipped (--no-validate)');
  }
  const total = ctx.report.totals.exported || ctx.totalSourceRows();
  await ctx.step('validate', total, async (meter) => {
    const present = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    let base = 0;
    for (const c of src.plan.collections) {
      const report = ctx.collection(c.collection);
      const { rows, filter } = changedOnly(ctx, src, c, write);
      const mode = write?.modes.get(c.collection);
      const deletesSynced = mode?.kind === 'compare' && mode.deletes;
      const common = {
        filter,
        // Documents that were there before an append or upsert are not the source's: count them, don't flag them.
        allowOthers:
          !filter && (report.existing.action === 'appended' || report.existing.action === 'upserted') && !deletesSynced,
        signal: opts.signal,
        onProgress: (n: number) => meter.update(base + n, c.collection),
        onMismatch: (m: Mismatch) => ctx.emit({ type: 'mismatch', mismatch: m }),
      };
      // From SQLite, the proof decides: each stored value against the raw row, apart from the converter.
      const v =
        src.kind === 'sqlite'
          ? await proveCollection(src.source, src.schema, c, src.plan.options, db.collection(c.collection), {
              ...common,
              ...rows,
              jsonSchema: collectionJsonSchema(c, src.schema, src.plan.options).$jsonSchema,
            })
          : await validateCollection(expectedFromFile(src.file, c.collection), db.collection(c.collection), {
              ...common,
              collectionName: c.collection,
            });
      // Zero documents expected and none found still fails when the collection itself is not there.
      if (v.expected === 0 && !present.has(c.collection)) {
        const missing: Mismatch = { collection: c.collection, id: '', kind: 'missing-collection', path: '' };
        ctx.emit({ type: 'mismatch', mismatch: missing });
        v.mismatches.push(missing);
        v.mismatchCount++;
      }
      report.validation = {
        matched: v.matched,
        differing: v.differing,
        missing: v.missing,
        extra: v.extra,
        mismatches: v.mismatchCount,
        others: v.others,
      };
      ctx.report.totals.validated += v.matched;
      ctx.report.totals.mismatches += v.mismatchCount;
      ctx.report.mismatches.push(...v.mismatches.slice(0, Math.max(0, 1000 - ctx.report.mismatches.length)));
      base += v.expected;
      const schema = 'schemaViolations' in v ? (v as ProofResult) : undefined;
      if (schema && schema.schemaViolations > 0) {
        // Informational: SQLite's declared types are advice, so data may not fit a schema derived from them.
        report.schemaViolations = schema.schemaViolations;
        ctx.report.notes.push(
          `${schema.schemaViolations} document(s) of ${c.collection} do not fit the generated $jsonSchema (sqlite2mongo plan --json-schema shows it), e.g. ${schema.schemaSamples[0]}`,
        );
      }
    }
    ctx.report.verified = ctx.report.totals.mismatches === 0;
    return base;
  });
}

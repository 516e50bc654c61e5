import { unaccountedMessage } from '../validate/accounting';
import type { RunContext } from './context';
import type { SourceStage } from './source';

/**
 * Settles the row accounting of a run that read SQLite and exported every collection: the report's `accounting`,
 * rows refused before writing added to the errors and totals. Returns the failure message when rows are unaccounted.
 */
export function settleAccounts(ctx: RunContext, src: SourceStage | undefined): string | undefined {
  const r = ctx.report;
  const refused = ctx.ledger.refusedRows;
  for (const row of refused) {
    const c = r.collections.find((x) => x.table === row.table);
    if (r.errors.length < 1000)
      r.errors.push({
        collection: c?.collection ?? row.table,
        table: row.table,
        key: row.key,
        id: '',
        reason: row.reason,
      });
  }
  r.totals.failed += refused.length;
  if (src?.kind !== 'sqlite' || !ctx.ledger.covers(src.plan)) return undefined;
  const imported = !!r.steps.import && !r.steps.import.skipped;
  const outcomes = r.collections.map((c) => ({
    collection: c.collection,
    table: c.table,
    // A rerun that compared leaves identical documents in place: they are in the target as much as written ones.
    written: imported ? c.imported + c.unchanged : c.exported,
    refused: imported ? c.failed : 0, // duplicate _ids are among the refused
  }));
  r.accounting = ctx.ledger.account(src.source, src.schema, src.plan, outcomes, !!ctx.opts.incremental);
  return unaccountedMessage(r.accounting);
}

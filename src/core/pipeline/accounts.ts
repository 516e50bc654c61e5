import { unaccountedMessage } from '../validate/accounting';
import type { Run } from './run';

/**
 * Settles the row accounting of a run that read SQLite and exported every collection: the report's `accounting`,
 * rows refused before writing added to the errors and totals. Returns the failure message when rows are unaccounted.
 */
export function settleAccounts(run: Run): string | undefined {
  const r = run.report;
  const refused = run.ledger.refusedRows;
  for (const row of refused) {
    const c = r.collections.find((x) => x.table === row.table);
    if (r.errors.length < 1000) r.errors.push({ collection: c?.collection ?? row.table, table: row.table, key: row.key, id: '', reason: row.reason });
  }
  r.totals.failed += refused.length;
  if (!run.source || !run.schema || !run.ledger.covers(run.plan)) return undefined;
  const imported = !!r.steps.import && !r.steps.import.skipped;
  const outcomes = r.collections.map((c) => ({
    collection: c.collection,
    table: c.table,
    written: imported ? c.imported : c.exported,
    refused: imported ? c.failed : 0, // duplicate _ids are among the refused
  }));
  r.accounting = run.ledger.account(run.source, run.schema, run.plan, outcomes, !!run.opts.incremental);
  return unaccountedMessage(r.accounting);
}

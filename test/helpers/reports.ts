/** A whole MigrationReport for tests of what front ends show (the CLI summary, the panel's summary). */
import type { CollectionReport, MigrationReport } from '../../src/core';
import { emptyCollectionReport } from '../../src/core/pipeline/context';

/** A succeeded run of `items` (3 rows) and its junction `item_tags`, with one warning; change what a test needs. */
export const sampleReport = (): MigrationReport => ({
  tool: { name: 'sqlite2mongo', version: '0.1.0' },
  status: 'succeeded',
  exitCode: 0,
  source: { path: '/x/shop.db', sizeBytes: 8192 },
  target: { url: 'mongodb://h', database: 'shop' },
  options: { batchSize: 1000, concurrency: 4, ifExists: 'fail', onError: 'stop', dryRun: false },
  startedAt: '',
  finishedAt: '',
  durationMs: 10,
  steps: { export: { durationMs: 1, items: 3, ratePerSec: 3 } },
  totals: {
    exported: 3,
    imported: 3,
    failed: 0,
    duplicates: 0,
    deleted: 0,
    validated: 3,
    mismatches: 0,
    warnings: 1,
    unchanged: 0,
    replaced: 0,
    inserted: 3,
  },
  collections: [],
  warnings: {
    byKind: { 'date-precision': 1 },
    samples: [
      { kind: 'date-precision', table: 'items', column: 'made', key: '1', value: '2024-01-02 03:04:05.123456' },
    ],
  },
  errors: [],
  mismatches: [],
  accounting: [
    { table: 'items', read: 3, written: 3, folded: 0, refused: 0, skipped: 0, reasons: [], unaccounted: 0 },
    {
      table: 'item_tags',
      read: 5,
      written: 0,
      folded: 3,
      refused: 0,
      skipped: 2,
      reasons: ['2 rows: junction rows whose items row is missing'],
      unaccounted: 0,
    },
  ],
  notes: [],
});

/** One collection's line of a report: nothing written or checked unless `over` says so. */
export const sampleCollection = (
  over: Partial<CollectionReport> & Pick<CollectionReport, 'collection' | 'table'>,
): CollectionReport => ({ ...emptyCollectionReport(over.collection, over.table, 0), ...over });

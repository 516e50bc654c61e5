/** The CLI summary shows the row accounting and says what happened to warned values. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ConsoleRenderer } from '../../../src/cli/output';
import type { MigrationReport } from '../../../src/core/pipeline/report';

function render(report: MigrationReport): string {
  const out = new PassThrough();
  const err = new PassThrough();
  let text = '';
  out.on('data', (c) => (text += String(c)));
  err.on('data', (c) => (text += String(c)));
  new ConsoleRenderer(out, 'plain', err).summary(report);
  return text;
}

const base = (): MigrationReport => ({
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

describe('CLI summary', () => {
  it('prints the row accounting per table, with the reasons for skipped rows', () => {
    const text = render(base());
    assert.match(text, /Rows +read = written \+ folded into arrays or embedded \+ refused \+ skipped/);
    assert.match(text, /\n {2}item_tags +5 +0 +3 +0 +2\n/);
    assert.match(text, /skipped +item_tags: 2 rows: junction rows whose items row is missing/);
    assert.doesNotMatch(text, /Unaccounted/);
  });

  it('adds an Unaccounted column when a table does not add up', () => {
    const report = base();
    report.accounting = [
      { table: 'tags', read: 3, written: 0, folded: 0, refused: 0, skipped: 0, reasons: [], unaccounted: 3 },
    ];
    assert.match(render(report), /Unaccounted\n {2}tags +3 +0 +0 +0 +0 +3\n/);
  });

  it('says what a lossy conversion did instead of "kept as is"', () => {
    assert.match(
      render(base()),
      /1 × date-precision \(e\.g\. items\.made = "2024-01-02 03:04:05\.123456" at key 1: digits past the millisecond dropped\)/,
    );
  });
});

describe('CLI summary of a comparing rerun', () => {
  it('says how many documents were already up to date, not "Migrated 0 documents"', () => {
    const report = base();
    report.steps = {
      export: { durationMs: 1, items: 3, ratePerSec: 3 },
      import: { durationMs: 1, items: 3, ratePerSec: 3 },
    };
    report.totals = { ...report.totals, imported: 1, replaced: 1, inserted: 0, unchanged: 2, validated: 0 };
    assert.match(
      render(report),
      /✓ Migrated 3 documents: 1 written, 2 already up to date \(not verified: --no-validate/,
    );
  });
});

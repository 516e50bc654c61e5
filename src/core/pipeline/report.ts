import type { RowWarning } from '../convert/documentParts';
import type { IndexOutcome } from '../mongo/indexes';
import type { RowError } from '../mongo/writer';
import type { Mismatch } from '../validate/compare';
import type { TableAccount } from '../validate/accounting';
import type { StepName } from './events';

/** The figures of one migration run; written by --report-file and shown by both front ends. docs/migration.md documents every field. */
export interface StepReport {
  durationMs: number;
  items: number;
  ratePerSec: number;
  skipped?: string;
}

export interface CollectionReport {
  collection: string;
  table: string;
  /** Rows in the source table (or documents in the input file). */
  sourceRows: number;
  exported: number;
  imported: number;
  failed: number;
  duplicates: number;
  duplicateKeys: string[];
  /** Documents deleted because their rows are gone (--sync-deletes). */
  deleted: number;
  /** Reruns that compare (upsert, resume of an upsert, incremental copies of whole collections): documents already
   * identical (not written), different (replaced) and absent (inserted). */
  unchanged: number;
  replaced: number;
  inserted: number;
  warnings: number;
  /** What was in the collection before, and what the if-exists policy did with it. */
  existing: { documents: number; action: 'none' | 'dropped' | 'appended' | 'upserted' };
  indexes: IndexOutcome[];
  validation?: {
    matched: number;
    differing: number;
    missing: number;
    extra: number;
    mismatches: number;
    others: number;
  };
  /** Documents that do not fit the collection's generated $jsonSchema (checked on our side; absent when all fit). */
  schemaViolations?: number;
}

export type RunStatus = 'succeeded' | 'failed' | 'cancelled' | 'dry-run';

export interface MigrationReport {
  tool: { name: 'sqlite2mongo'; version: string };
  status: RunStatus;
  exitCode: number;
  /** The error that ended the run, when it did not succeed. */
  error?: { code: string; message: string; hint?: string };
  source: { path: string; sizeBytes?: number; fingerprint?: string; walFramesApplied?: number; inputFile?: string };
  /** `historyDatabase`: where the run is recorded (`_sqlite2mongo_migrations`): the target database unless --history-db. */
  target: { url: string; database: string; historyDatabase?: string };
  options: {
    batchSize: number;
    concurrency: number;
    ifExists: string;
    onError: string;
    dryRun: boolean;
    outputFile?: string;
    resume?: boolean;
    incremental?: boolean;
    syncDeletes?: boolean;
    validate?: false;
    writeConcern?: { w?: number | 'majority'; journal?: boolean };
  };
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  steps: Partial<Record<StepName, StepReport>>;
  totals: {
    exported: number;
    imported: number;
    failed: number;
    duplicates: number;
    deleted: number;
    validated: number;
    mismatches: number;
    warnings: number;
    unchanged: number;
    replaced: number;
    inserted: number;
  };
  /** False when the run skipped validation (--no-validate): nothing proves this copy. */
  verified?: boolean;
  /** The id of this run's record in the target's _sqlite2mongo_migrations collection (for history and rollback). */
  runId?: string;
  collections: CollectionReport[];
  warnings: { byKind: Record<string, number>; samples: RowWarning[] };
  errors: RowError[];
  mismatches: Mismatch[];
  /**
   * Per source table: rows read = written + folded + refused + skipped (+ unaccounted, which fails the run). Absent
   * when the run stopped early or did not read SQLite (import of a file, validate alone).
   */
  accounting?: TableAccount[];
  notes: string[];
}

export const TOOL_VERSION = '0.1.0';

import type { MappingPlan } from '../plan/types';
import type { StepName } from './events';
import type { MigrationEvent } from './events';

export type IfExists = 'ask' | 'drop' | 'append' | 'upsert' | 'fail';

export interface ExistingCollection {
  collection: string;
  documents: number;
}

/** MongoDB write concern for the data writes (`--write-concern`): e.g. { w: 'majority' } on a replica set or cluster. */
export interface WriteConcernOption {
  w?: number | 'majority';
  journal?: boolean;
}

export interface MigrateOptions {
  /** The SQLite file. Not needed with `inputFile`. */
  sqlitePath?: string;
  /** Import an intermediate NDJSON file instead of reading SQLite (validation then compares with the file). */
  inputFile?: string;
  mongoUrl: string;
  database: string;
  /**
   * Where the run history (`_sqlite2mongo_migrations`, `_sqlite2mongo_inserted`) is kept: another database on the
   * same server, shared by several targets (records name their target). Default: the target database itself.
   */
  historyDatabase?: string;
  plan?: MappingPlan;
  /** Without a plan: migrate views too (each becomes a collection with _ids by row position). */
  includeViews?: boolean;
  /** Also write the documents to this intermediate NDJSON file (a migration streams them straight to MongoDB). */
  outputFile?: string;
  dryRun?: boolean;
  batchSize?: number;
  concurrency?: number;
  ifExists?: IfExists;
  onError?: 'stop' | 'skip';
  /** Skip step 4 (not recommended: validation is what proves the copy). The run is recorded as not verified. */
  skipValidation?: boolean;
  connectTimeoutMs?: number;
  /** Tries per batch when the server drops away (default 6, with 15.5 s of backoff in all); then the run fails and can be resumed. */
  retryAttempts?: number;
  /** Continue the newest interrupted run in this database from its checkpoints (no duplicates, finished collections skipped). */
  resume?: boolean;
  /** Copy only rows added or changed since the newest completed run (by each collection's watermark column). */
  incremental?: boolean;
  /** With `incremental` or `ifExists: 'upsert'`: delete target documents whose rows are gone from the source. */
  syncDeletes?: boolean;
  /** After a clean validation, set each collection's generated $jsonSchema as its validator (probed before writing). */
  applySchema?: boolean;
  writeConcern?: WriteConcernOption;
  /** Called for `ifExists: 'ask'` when target collections already hold documents. */
  askExisting?: (existing: ExistingCollection[]) => Promise<'drop' | 'append' | 'upsert' | 'cancel'>;
  /** Run only these steps (e.g. ['export'] for `sqlite2mongo export`, ['validate'] for `sqlite2mongo validate`). */
  steps?: StepName[];
  signal?: AbortSignal;
  onEvent?: (event: MigrationEvent) => void;
}

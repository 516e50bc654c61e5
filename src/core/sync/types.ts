/** What `sync` takes and tells (CLI, extension). */

export interface SyncOptions {
  /** The live SQLite file (migrated before into `database`). */
  sqlitePath: string;
  mongoUrl: string;
  database: string;
  /** Where the run history is kept (default: `database`; see MigrateOptions.historyDatabase). */
  historyDatabase?: string;
  connectTimeoutMs?: number;
  batchSize?: number;
  concurrency?: number;
  retryAttempts?: number;
  /** After writing, validate every collection the sync compared (a full comparison of those collections). */
  validate?: boolean;
  /** Keep a hash of every page between syncs (set by watch mode): a WAL restart then does not cost a whole compare. */
  trackPages?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: SyncEvent) => void;
}

export interface WatchOptions extends SyncOptions {
  /** Longest time between two checks (default 2 s). */
  intervalMs?: number;
  /** After a change to the file, wait this long for the rest of the burst (default 200 ms). */
  debounceMs?: number;
}

export interface SyncCollectionOutcome {
  collection: string;
  table: string;
  unchanged: number;
  replaced: number;
  inserted: number;
  deleted: number;
  failed: number;
  /** With `validate`: differences found after writing (0 = the collection equals the source). */
  mismatches?: number;
  /** Only the documents of changed rows were compared (`unchanged` counts those alone). */
  narrowed?: boolean;
  /** Where the time went (ms): building the source's documents, reading the target's, writing the differences. */
  timings?: { buildMs: number; readMs: number; writeMs: number };
}

export interface SyncTotals {
  unchanged: number;
  replaced: number;
  inserted: number;
  deleted: number;
  failed: number;
  mismatches: number;
}

export interface SyncOutcome {
  /**
   * unchanged: nothing was committed to the file since the last sync, or what was committed left every table the
   * plan reads as it was; synced: the collections of the changed tables now match the source.
   */
  status: 'unchanged' | 'synced' | 'failed' | 'cancelled';
  /** The history record of this sync (a watch loop records only the syncs that compared something). */
  runId?: string;
  startedAt: string;
  durationMs: number;
  /** Tables whose pages changed since the last sync. */
  changedTables: string[];
  /** Tables whose rows were read to build documents (only those of the affected collections). */
  tablesRead: string[];
  /** Pages hashed to find the changed tables (0 when the state token showed nothing was committed). */
  pagesHashed: number;
  /**
   * How the changes were found: `wal` from the pages the WAL's new frames wrote (row-level), `digests` from every
   * table's page digests (collection-level; the first sync, or after the WAL was restarted), `token` nothing committed.
   */
  detection?: 'token' | 'wal' | 'digests';
  /** Time (ms) spent finding what changed (snapshot, detection, narrowing) before any collection was compared. */
  detectMs?: number;
  collections: SyncCollectionOutcome[];
  totals: SyncTotals;
  notes: string[];
  error?: { code: string; message: string; hint?: string };
}

export type SyncEvent =
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'sync-start'; changedTables: string[]; collections: string[] }
  | { type: 'sync-end'; outcome: SyncOutcome }
  /** Watch mode: the loop stopped (cancelled, or a sync failed in a way the next one would repeat). */
  | { type: 'watch-end'; reason: 'stopped' | 'failed'; error?: SyncOutcome['error'] };

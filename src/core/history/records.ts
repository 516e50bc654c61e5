import { createHash, randomBytes } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import type { MappingPlan } from '../plan/types';
import type { SqlValue } from '../sqlite/types';

/** Every run leaves a record here, in the target database (docs/migration.md, "Migration history"). */
export const HISTORY_COLLECTION = '_sqlite2mongo_migrations';
/** _ids a run inserted into collections that existed before it — what rollback removes there. */
export const INSERTED_IDS_COLLECTION = '_sqlite2mongo_inserted';

/** The collections sqlite2mongo keeps for itself in a target database (run history, ids for rollback). */
export const isBookkeepingCollection = (name: string): boolean =>
  name === HISTORY_COLLECTION || name === INSERTED_IDS_COLLECTION;

export type RecordStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'rolled-back';
/** A resumed run keeps its record (and kind); `resumedAt` lists when it was continued. 'sync': `sqlite2mongo sync`. */
export type RunKind = 'full' | 'incremental' | 'sync';

/**
 * What a sync knew about the source when it finished (docs/sync.md): the next sync compares against it to find the
 * changed tables without reading rows. Tables are a list, not an object: any name is data.
 */
export interface SyncState {
  /** The committed state of the file (main header, WAL salts and last commit): equal means nothing was committed since. */
  token: string;
  /**
   * Per table and view: a digest of its b-tree pages ('' for views, and for tables a narrowed sync saw change: the
   * next full detection then compares them) and a hash of its CREATE statement.
   */
  tables: Array<{ table: string; digest: string; schema: string }>;
  /** The WAL position of this state (its salts and committed frames): the next sync reads the changes after it. */
  wal?: { salts: string; frames: number };
  /** This sync compared only the key ranges of changed pages (a later one from the same base covers its writes). */
  narrowed?: boolean;
}

/** A watermark value as stored: SQLite values are typed, and an int64 must survive the round trip exactly. */
export interface StoredValue {
  type: 'integer' | 'real' | 'text';
  value: string;
}

export interface CollectionRecord {
  collection: string;
  table: string;
  /** Whether the collection existed (with documents) before this run, and what the run did to it. */
  existedBefore: boolean;
  documentsBefore: number;
  action: 'none' | 'dropped' | 'appended' | 'upserted';
  /** Documents of this collection durably written, in source order (the contiguous prefix of finished batches). */
  checkpoint: number;
  done: boolean;
  imported: number;
  failed: number;
  /** Some inserted _ids could not be recorded: a rollback cannot remove all of this run's documents here. */
  insertedIdsIncomplete?: boolean;
  /** The watermark this run copied up to (incremental sync starts after it). */
  watermark?: { column: string; value: StoredValue | null };
}

export interface MigrationRecord {
  _id: string;
  /** The target database (records kept in a separate history database name theirs). */
  database?: string;
  kind: RunKind;
  /** The run this one resumes or continues from. */
  parent?: string;
  status: RecordStatus;
  source: { path: string; sizeBytes: number; fingerprint: string };
  planHash: string;
  /** The plan as JSON text (FerretDB stores no nested arrays, and index keys are pairs). */
  plan: string;
  options: Record<string, unknown>;
  startedAt: Date;
  updatedAt: Date;
  finishedAt?: Date;
  collections: CollectionRecord[];
  error?: { code: string; message: string };
  totals?: Record<string, number>;
  /** Whether validation proved the copy (false for --no-validate runs and runs with mismatches). */
  verified?: boolean;
  rolledBackAt?: Date;
  resumedAt?: Date[];
  /** Sync runs and migrations (since issue 15): the source state the target matches once the run completed. */
  sync?: SyncState;
}

export function planHash(plan: MappingPlan): string {
  return createHash('sha256')
    .update(JSON.stringify({ ...plan, source: undefined }))
    .digest('hex')
    .slice(0, 16);
}

/** Sortable, readable run ids: 20261126-004512-3fa9. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

export function storeValue(v: SqlValue): StoredValue | null {
  // A watermark that is bytes (BLOB, or TEXT that is not UTF-8) cannot be stored: the next run copies everything.
  if (v === null || typeof v === 'object') return null;
  if (typeof v === 'bigint') return { type: 'integer', value: v.toString() };
  if (typeof v === 'number') return { type: 'real', value: String(v) };
  return { type: 'text', value: v };
}

export function loadValue(v: StoredValue): SqlValue {
  return v.type === 'integer' ? BigInt(v.value) : v.type === 'real' ? Number(v.value) : v.value;
}

/**
 * Reads and writes run records. They live in the target database, or in a separate history database
 * (`historyDb`, --history-db) shared by several targets: there every query is scoped to this target's runs.
 * Checkpoint writes ask for the journal (j: true) so what they vouch for survives a crash.
 */
export class HistoryStore {
  readonly records: Collection<MigrationRecord>;
  /** Where the _ids a run inserted into existing collections are kept (for rollback). */
  readonly insertedIds: Collection;
  /** The database the records are in. */
  readonly historyDb: Db;
  /** The filter that keeps queries to this target's runs (empty when the records are in the target). */
  readonly scope: Partial<Pick<MigrationRecord, 'database'>>;

  /** `db`: the target database; `historyDb`: where the records are kept (default: the target). */
  constructor(
    readonly db: Db,
    historyDb?: Db,
  ) {
    this.historyDb = historyDb ?? db;
    this.records = this.historyDb.collection<MigrationRecord>(HISTORY_COLLECTION);
    this.insertedIds = this.historyDb.collection(INSERTED_IDS_COLLECTION);
    this.scope = this.historyDb.databaseName === db.databaseName ? {} : { database: db.databaseName };
  }

  /** True when the records are kept apart from the target. */
  get separate(): boolean {
    return this.historyDb.databaseName !== this.db.databaseName;
  }

  async insert(record: MigrationRecord): Promise<void> {
    await this.records.insertOne({ ...record, database: this.db.databaseName });
  }

  async update(
    id: string,
    set: Partial<MigrationRecord>,
    opts: { durable?: boolean; w?: number | 'majority' } = {},
  ): Promise<void> {
    // j: true — on MongoDB the journal is written in order, so once this is durable every write acknowledged
    // before it is too: a checkpoint never vouches for documents a crash could still lose. With the run's
    // --write-concern w (e.g. majority), a failover cannot undo what it vouches for either.
    await this.records.updateOne(
      { _id: id },
      { $set: { ...set, updatedAt: new Date() } },
      opts.durable ? { writeConcern: { w: opts.w ?? 1, j: true } } : {},
    );
  }

  async get(id: string): Promise<MigrationRecord | null> {
    return this.records.findOne({ _id: id, ...this.scope });
  }

  async list(limit = 50): Promise<MigrationRecord[]> {
    return this.records.find(this.scope).sort({ startedAt: -1 }).limit(limit).toArray();
  }

  /** The newest run that did not finish (running when killed, failed or cancelled) — what --resume continues. Not syncs: the next sync redoes their work. */
  async latestUnfinished(): Promise<MigrationRecord | null> {
    return this.records
      .find({ ...this.scope, status: { $in: ['running', 'failed', 'cancelled'] }, kind: { $ne: 'sync' } })
      .sort({ startedAt: -1 })
      .limit(1)
      .next();
  }

  /** The newest completed run — the starting point of --incremental. */
  async latestCompleted(): Promise<MigrationRecord | null> {
    return this.records
      .find({ ...this.scope, status: 'completed' })
      .sort({ startedAt: -1 })
      .limit(1)
      .next();
  }

  async recordInsertedIds(runId: string, collection: string, ids: unknown[]): Promise<void> {
    if (ids.length === 0) return;
    await this.insertedIds.insertOne({ run: runId, collection, ids });
  }
}

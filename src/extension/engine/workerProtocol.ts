/**
 * Messages between the extension host and the engine worker (dist/engineWorker.js). One worker runs one job
 * (given in `workerData`) and exits; while it runs, the host may cancel it or answer its questions. The designer's
 * worker is the exception: a `designSession` keeps one file open and answers `design` requests until terminated.
 */
import type { SyncEvent, SyncOutcome } from '../../core';
import type {
  CollectionPeek,
  CollectionPeekRequest,
  ConnectionCheck,
  DesignRequest,
  DesignState,
  DocumentPair,
  DocumentPairRequest,
  ExistingCollection,
  MappingPlan,
  MigrateOptions,
  MigrationEvent,
  MigrationRecord,
  MigrationReport,
  PlanOptions,
  RollbackOutcome,
  SourceInspection,
} from '../../core';

/** A run of the target's history as the History view shows it (the stored plan is left behind). */
export type HistoryEntry = Omit<MigrationRecord, 'plan'>;

/** migrate()'s options that cross a thread boundary (functions and the signal stay on each side). */
export type WorkerMigrateOptions = Omit<MigrateOptions, 'signal' | 'onEvent' | 'askExisting'> & {
  /** Relay `ifExists: 'ask'` questions to the host (otherwise 'ask' fails and writes nothing). */
  ask: boolean;
};

/** Each job: what goes in and what comes out. */
export interface JobTypes {
  migrate: { input: WorkerMigrateOptions; output: MigrationReport };
  /** With `plan` (a saved plan file): that plan, checked, and its samples; otherwise the default plan. */
  inspect: {
    input: {
      file: string;
      planOptions?: Partial<PlanOptions>;
      includeViews?: boolean;
      plan?: MappingPlan;
      evaluateExpressions?: boolean;
    };
    output: SourceInspection;
  };
  /** The mapping designer's long-lived worker for one file (answers `design` requests; never finishes by itself). */
  designSession: { input: { file: string }; output: never };
  testConnection: { input: { url: string; database: string; timeoutMs?: number }; output: ConnectionCheck };
  documentPair: { input: DocumentPairRequest; output: DocumentPair };
  /** A collection's document count and first documents (the Validation view's collection summary). */
  peekCollection: { input: CollectionPeekRequest; output: CollectionPeek };
  history: { input: { url: string; database: string; historyDatabase?: string }; output: HistoryEntry[] };
  rollback: {
    input: { url: string; database: string; runId: string; historyDatabase?: string };
    output: RollbackOutcome;
  };
  /** `sync --watch` until cancelled (then null) or until a sync fails for good (its outcome). */
  keepInSync: {
    input: { sqlitePath: string; url: string; database: string; historyDatabase?: string; intervalMs?: number };
    output: SyncOutcome | null;
  };
}
export type JobName = keyof JobTypes;
export type Job = { [K in JobName]: { op: K; input: JobTypes[K]['input'] } }[JobName];

export type ExistingAnswer = 'drop' | 'append' | 'upsert' | 'cancel';

/** One design of the session's file: applies the edit (if any) to the plan and renders samples and warnings. */
export type DesignInput = Omit<DesignRequest, 'file'>;

export type HostToWorker =
  | { type: 'cancel' }
  | { type: 'answer'; requestId: number; answer: ExistingAnswer }
  | { type: 'design'; requestId: number; input: DesignInput };

export type WorkerToHost =
  | { type: 'event'; event: MigrationEvent }
  | { type: 'syncEvent'; event: SyncEvent }
  | { type: 'ask'; requestId: number; existing: ExistingCollection[] }
  | { type: 'result'; value: JobTypes[JobName]['output'] }
  | { type: 'error'; error: { code: string; message: string; hint?: string } }
  | ({ type: 'designed'; requestId: number } & (
      { ok: true; value: DesignState } | { ok: false; error: { code: string; message: string; hint?: string } }
    ));

/** The engine's public API, used by the CLI, the extension (in a worker thread) and the benchmark. No vscode here. */
export { ErrorCodes, MigrationError, isMigrationError, type ErrorCode } from './errors';
export { migrate, type MigrateOptions, type IfExists, type ExistingCollection } from './pipeline/migrate';
export { STEPS, type MigrationEvent, type StepName } from './pipeline/events';
export type { MigrationReport, CollectionReport, StepReport, RunStatus } from './pipeline/report';
export { inspectSource, testConnection, defaultPlanFor, sampleDocuments, type SourceInspection, type ConnectionCheck } from './inspect';
export type { MappingPlan, CollectionPlan, FieldPlan, FieldType, IdPlan, ArrayFieldPlan, IndexPlan, PlanOptions } from './plan/types';
export { FIELD_TYPES, PLAN_VERSION } from './plan/types';
export type { Mismatch, MismatchKind } from './validate/compare';
export type { RowError } from './mongo/writer';
export { maskUrl, DEFAULT_MONGODB_URL } from './mongo/connect';
export { resolveSqliteUrl, defaultDatabaseName } from './sourceUrl';
export { loadDocumentPair, type DocumentPair, type DocumentPairRequest } from './documentPair';
export { rollback, listHistory, type RollbackOutcome } from './history/rollback';
export { HISTORY_COLLECTION, type MigrationRecord, type CollectionRecord, type RecordStatus } from './history/records';
export { applyEmbed, listRelationships, type EmbedRequest, type Relationship } from './plan/relationships';
export type { EmbedPlan } from './plan/types';

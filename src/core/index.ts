/**
 * The engine's public API: the one door the CLI, the extension (host and worker) and the benchmark import. No vscode
 * here. Modules inside src/core import each other directly; nothing outside src/core imports a deeper path.
 */
export { ErrorCodes, MigrationError, isMigrationError, type ErrorCode } from './errors';
export {
  migrate,
  type MigrateOptions,
  type IfExists,
  type ExistingCollection,
  type WriteConcernOption,
} from './pipeline/migrate';
export { STEPS, type MigrationEvent, type StepName } from './pipeline/events';
export {
  TOOL_VERSION,
  type MigrationReport,
  type CollectionReport,
  type StepReport,
  type RunStatus,
} from './pipeline/report';
export { inspectSource, testConnection, sampleDocuments, type SourceInspection, type ConnectionCheck } from './inspect';
export { DesignSession, designSource, type DesignRequest, type DesignState } from './design';
export type { CollectionPreview } from './preview';
export type { DesignEdit } from './plan/designEdits';
export { applyNaming, convertName } from './plan/naming';
export { defaultPlanFor } from './plan/defaultPlan';
export type {
  MappingPlan,
  CollectionPlan,
  FieldPlan,
  FieldType,
  IdPlan,
  ArrayFieldPlan,
  IndexPlan,
  PlanOptions,
  NullHandling,
  EmbedPlan,
  NamingConvention,
} from './plan/types';
export { FIELD_TYPES, NAMING_CONVENTIONS, PLAN_VERSION } from './plan/types';
export type { PlanEdit } from './plan/edits';
export type { DesignJunction, DesignRelationship, JunctionMode, RelationshipMode } from './plan/mappingModes';
export type { PlanWarning } from './plan/warnings';
export { applyEmbed, listRelationships, type EmbedRequest, type Relationship } from './plan/relationships';
export { checkPlan } from './plan/check';
export { suggestRelationships, withDeclaredRelationships, type SuggestedRelationship } from './plan/suggest';
export {
  planJsonSchemas,
  collectionJsonSchema,
  type CollectionValidator,
  type JsonSchemaNode,
} from './plan/jsonSchema';
export { computedFieldCount, withoutComputed, type RuleEdit } from './plan/ruleEdits';
export type { ComputedFieldPlan, DeclaredRelationship } from './plan/types';
export type { Mismatch, MismatchKind } from './validate/compare';
export { openAccount, type TableAccount } from './validate/accounting';
export { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, type RowError } from './mongo/writer';
export { DEFAULT_MONGODB_URL } from './mongo/connect';
export { maskUrl, hasPassword, hostOf } from './maskUrl';
export { resolveSqliteUrl, defaultDatabaseName, SQLITE_EXTENSIONS, withoutSqliteExtension } from './sourceUrl';
export { formatCount, plural, formatDuration, formatBytes, readableSample, remainingMs } from './format';
export { loadDocumentPair, type DocumentPair, type DocumentPairRequest } from './documentPair';
export { peekCollection, type CollectionPeek, type CollectionPeekRequest } from './peek';
export { rollback, type RollbackOutcome } from './history/rollback';
export { listHistory } from './history/list';
export {
  HISTORY_COLLECTION,
  isBookkeepingCollection,
  type MigrationRecord,
  type CollectionRecord,
  type RecordStatus,
  type SyncState,
} from './history/records';
export {
  syncDatabase,
  watchDatabase,
  DEFAULT_SYNC_INTERVAL_MS,
  type SyncOptions,
  type SyncOutcome,
  type SyncEvent,
  type WatchOptions,
} from './sync';
export { readNdjsonHeader } from './ndjson/reader';
export { DocumentBuilder } from './convert/documents';
export { introspect, iterateQuery, loadSqlJs, openSqliteSource, type SqliteSource } from './sqlite';
export type { SchemaInfo, TableInfo, ColumnInfo } from './sqlite/types';

/** The SQLite reader: open a file safely, read its schema, stream its rows. */
export type { ColumnInfo, ForeignKeyInfo, IndexInfo, SchemaInfo, SqlValue, TableInfo, ViewInfo } from './types';
export { openSqliteSource, DEFAULT_MAX_BYTES } from './source';
export type { OpenSqliteOptions, SqliteSource } from './source';
export { findRelation, introspect, listSkippedTables } from './schema';
export type { SkippedTable } from './schema';
export { iterateRows, iterateQuery, iterateWideQuery, keyOrderColumns, rowidAlias, MAX_RESULT_COLUMNS } from './rows';
export type { IterateRowsOptions } from './rows';
export { quoteIdent } from './sql';
export { applyWal, WalError } from './wal';
export type { WalResult } from './wal';
export { loadSqlJs, locateSqlWasm } from './wasm';

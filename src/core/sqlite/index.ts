/** The SQLite reader: open a file safely, read its schema, stream its rows. */
export type { ColumnInfo, ForeignKeyInfo, IndexInfo, SchemaInfo, SqlValue, TableInfo, ViewInfo } from './types';
export { openSqliteSource } from './source';
export type { OpenSqliteOptions, SqliteSource } from './source';
export { findRelation, introspect, listSkippedTables } from './schema';
export type { SkippedTable } from './schema';
export { iterateRows, iterateQuery, iterateWideQuery, keyOrderColumns, rowidAlias, MAX_RESULT_COLUMNS } from './rows';
export type { IterateRowsOptions } from './rows';
export { quoteIdent } from './sql';
export { applyWal, indexWal, WalError } from './wal';
export type { WalIndex, WalResult } from './wal';
export { loadEngine, locateEngineWasm } from './engine';
export type { Database, Statement } from './database';
export { loadSqlJs, locateSqlWasm } from './wasm';

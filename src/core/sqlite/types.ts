/**
 * TEXT whose stored bytes are not valid UTF-8 (a Latin-1 import, a lone surrogate in a UTF-16 database). Decoding
 * it would replace bytes with U+FFFD and could make two different keys equal, so the exact bytes are kept, in the
 * database's text encoding (docs/migration.md, "What is kept exactly").
 */
export class InvalidText {
  constructor(readonly bytes: Uint8Array) {}
}

/**
 * A value exactly as SQLite stores it: INTEGER → bigint (never a lossy double), REAL → number, TEXT → string (or
 * InvalidText when its bytes are not valid UTF-8), BLOB → bytes.
 */
export type SqlValue = null | bigint | number | string | Uint8Array | InvalidText;

export interface ColumnInfo {
  name: string;
  /** The declared type as written in CREATE TABLE ('' when none), e.g. 'VARCHAR(100)', 'DATETIME'. */
  declaredType: string;
  notNull: boolean;
  /** The DEFAULT expression's SQL text, or null. */
  defaultValue: string | null;
  /** 1-based position in the primary key; 0 when the column is not part of it. */
  pkOrdinal: number;
  /** Generated columns are read like any other column (their values are carried over). */
  generated: 'no' | 'virtual' | 'stored';
}

export interface ForeignKeyInfo {
  /** Columns of this table, in constraint order. */
  columns: string[];
  refTable: string;
  /** Referenced columns; when the FK names none, the referenced table's primary key columns. */
  refColumns: string[];
}

export interface IndexInfo {
  name: string;
  unique: boolean;
  /** 'c' CREATE INDEX, 'u' UNIQUE constraint, 'pk' PRIMARY KEY constraint. */
  origin: 'c' | 'u' | 'pk';
  /** A partial index (CREATE INDEX … WHERE …). */
  partial: boolean;
  /** Indexed columns in order; null for an expression term. */
  columns: Array<string | null>;
  descending: boolean[];
}

export interface TableInfo {
  name: string;
  withoutRowid: boolean;
  columns: ColumnInfo[];
  /** Primary key columns in key order; empty when the table has none (then rows are keyed by rowid). */
  primaryKey: string[];
  foreignKeys: ForeignKeyInfo[];
  indexes: IndexInfo[];
  rowCount: number;
  /** The CREATE TABLE statement. */
  sql: string;
  /** Set when this describes a view, read like a table (see findRelation). */
  view?: true;
}

export interface ViewInfo {
  name: string;
  columns: ColumnInfo[];
  sql: string;
}

export interface SchemaInfo {
  tables: TableInfo[];
  views: ViewInfo[];
}

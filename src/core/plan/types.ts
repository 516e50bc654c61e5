/**
 * The mapping plan: a reviewable, editable JSON document saying how each SQLite table becomes a MongoDB
 * collection. `buildDefaultPlan` derives one from the schema; users may save, edit and pass it back with --plan.
 * The format is documented in docs/mapping-plan.md; bump PLAN_VERSION on an incompatible change.
 */
export const PLAN_VERSION = 1;

/** How a column's values become BSON. 'auto' follows each value's SQLite storage class. */
export const FIELD_TYPES = [
  'auto',
  'string',
  'int',
  'long',
  'double',
  'decimal',
  'date',
  'bool',
  'binary',
  'json',
] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export type NullHandling = 'keep' | 'omit';

/**
 * BSON binary subtype (user-defined range) of a TEXT value whose bytes are not valid UTF-8: the exact bytes, in the
 * database's text encoding. A BLOB is always subtype 0, so the two stay distinguishable.
 */
export const INVALID_TEXT_SUBTYPE = 0x80;

export interface FieldPlan {
  /** Source column. */
  column: string;
  /** Target field name (after the field-name rule). */
  field: string;
  type: FieldType;
  /** Overrides the plan-wide null handling for this field. */
  nulls?: NullHandling;
  /** For type 'date' on numbers: how to read them. Text dates are always parsed. */
  epoch?: 'seconds' | 'milliseconds';
}

export type IdPlan =
  /** `_id` is this column's value (single-column primary key). */
  | { kind: 'column'; column: string }
  /** `_id` is a sub-document of the key columns, e.g. `{ PlaylistId: 1, TrackId: 5 }`. */
  | {
      kind: 'composite';
      columns: string[];
      /** The sub-document's field names, one per column (default: the field-name rule, made unique). */
      fields?: string[];
    }
  /** No usable key: `_id` is an ObjectId derived from the table and rowid (stable across reruns), rowid kept as a field. */
  | { kind: 'rowid'; rowidField: string }
  /** A view (no key, no rowid): `_id` is an ObjectId derived from the view and the row's position, rows ordered by all columns. */
  | { kind: 'sequence' };

/** A junction table folded into its owner as an array of the referenced ids. */
export interface ArrayFieldPlan {
  field: string;
  junctionTable: string;
  /** Junction column holding the owner's key. */
  ownerColumn: string;
  /** Junction column holding the value to collect. */
  valueColumn: string;
  /** Owner table column the ownerColumn references (the owner's single-column primary key). */
  ownerKeyColumn: string;
  /**
   * The elements as sub-documents of the referenced row (`[{ _id, name }]`) instead of its ids: `table` is the
   * referenced table, `keyColumn` the column valueColumn references, `fields` the row's columns in each element.
   */
  valueDocument?: { table: string; keyColumn: string; fields: FieldPlan[] };
}

/**
 * A related table embedded into each document (the mapping designer's rules, docs/mapping-plan.md):
 * - 'array': one-to-many — the child rows whose `childColumns` equal the parent's `parentColumns`, as an array of
 *   sub-documents (e.g. order lines inside an order), in the child's key order;
 * - 'document': one-to-one or many-to-one lookup — the single child row whose `childColumns` (its primary key or a
 *   unique key) equal the parent's `parentColumns`, as a sub-document, or merged into the parent's own fields
 *   when `merge` is set (names prefixed with `mergePrefix`).
 * Both are read by one ordered pass per relationship (a join SQLite runs with its indexes), never a query per row.
 */
export interface EmbedPlan {
  field: string;
  kind: 'array' | 'document';
  table: string;
  parentColumns: string[];
  childColumns: string[];
  /** The child's columns as fields of the sub-document (join columns are usually left out). */
  fields: FieldPlan[];
  /** 'document' only: put the child's fields into the parent instead of a sub-document. */
  merge?: boolean;
  mergePrefix?: string;
  /**
   * 'array' only: a parent whose document would pass 16 MiB with this array embedded: 'fail' reports the row;
   * 'reference' stores the child keys instead (an array of key values, or of key sub-documents) for that document.
   */
  onTooLarge?: 'fail' | 'reference';
  /** Embeds inside each embedded child (any depth); their parentColumns are columns of this embed's table. */
  embeds?: EmbedPlan[];
}

export interface IndexPlan {
  name: string;
  keys: Array<[field: string, direction: 1 | -1]>;
  unique: boolean;
  /** Why it exists: a SQLite index, a junction array, or a foreign key. */
  origin: 'sqlite' | 'junction' | 'foreign-key';
}

export interface CollectionPlan {
  collection: string;
  table: string;
  id: IdPlan;
  fields: FieldPlan[];
  arrays: ArrayFieldPlan[];
  /** Related tables embedded in each document (optional; the default plan embeds nothing). */
  embeds?: EmbedPlan[];
  indexes: IndexPlan[];
  /**
   * For --incremental: the column whose value grows when a row is added or changed (e.g. updated_at), or 'rowid'
   * for append-only tables. Without it, incremental sync compares the whole table (writing only what differs).
   */
  incremental?: { column: string };
  /**
   * Only rows for which this SQL expression is true are migrated, e.g. `deleted_at IS NULL` (evaluated by SQLite;
   * the others are counted as skipped, with the filter as the reason).
   */
  filter?: string;
  /** Fields computed from the row by an expression (docs/mapping-plan.md, "Computed fields"), after `fields`. */
  computed?: ComputedFieldPlan[];
  /**
   * Shard the collection by this key before writing (through mongos only), e.g. `{ "_id": "hashed" }`: field names
   * of the document, each 1 (ranged) or "hashed" (mongo/sharding.ts, docs/performance.md).
   */
  shardKey?: Record<string, 1 | 'hashed'>;
}

/** A field whose value an expression computes from the row's columns, e.g. `first_name || ' ' || last_name`. */
export interface ComputedFieldPlan {
  field: string;
  expression: string;
}

/**
 * A relationship SQLite does not declare (no FOREIGN KEY clause), declared in the plan: `table.columns` reference
 * `refTable.refColumns`. The designer and embeds then treat it like a foreign key (plan/suggest.ts).
 */
export interface DeclaredRelationship {
  table: string;
  columns: string[];
  refTable: string;
  refColumns: string[];
}

export interface SkippedTable {
  table: string;
  reason: string;
}

/** How collection and field names are written (plan/naming.ts): as in SQLite, camelCase or snake_case. */
export const NAMING_CONVENTIONS = ['as-is', 'camelCase', 'snake_case'] as const;
export type NamingConvention = (typeof NAMING_CONVENTIONS)[number];

export interface PlanOptions {
  /** Plan-wide null handling: keep `field: null` or omit the field. */
  nulls: NullHandling;
  /** Text dates without a zone are read in this zone ('UTC', a fixed offset like '+02:00' or an IANA name). */
  timezone: string;
  /** Propose 'date' for TEXT columns whose sampled values all look like dates. */
  detectTextDates: boolean;
  /** The naming convention the names were written in (absent: as-is); the designer keeps new names in it. */
  naming?: NamingConvention;
}

export interface MappingPlan {
  version: typeof PLAN_VERSION;
  source?: { file: string; fingerprint?: string };
  options: PlanOptions;
  collections: CollectionPlan[];
  skipped: SkippedTable[];
  /** Relationships the user declared (accepted suggestions or their own), on top of the file's foreign keys. */
  relationships?: DeclaredRelationship[];
  /** Suggested relationships the user rejected (ids `table(columns)->refTable`): not suggested again. */
  rejectedRelationships?: string[];
}

export const DEFAULT_PLAN_OPTIONS: PlanOptions = { nulls: 'keep', timezone: 'UTC', detectTextDates: true };

import { createHash } from 'node:crypto';
import { BSON, ObjectId, type Document } from 'mongodb';
import { MigrationError } from '../errors';
import { MAX_DOCUMENT_BYTES } from '../mongo/writer';
import {
  findRelation,
  iterateQuery,
  iterateWideQuery,
  keyOrderColumns,
  quoteIdent,
  type SqliteSource,
} from '../sqlite';
import { InvalidText, type SchemaInfo, type SqlValue, type TableInfo } from '../sqlite/types';
import type { CollectionPlan, EmbedPlan, PlanOptions } from '../plan/types';
import { assignFieldNames, compositeIdNames } from '../plan/fieldNames';
import { autoToBson, describe, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { ComputedFields } from './computed';
import { filteredFrom } from '../plan/filter';

/** One source row turned into its document, with the source key for reports. */
export interface BuiltDocument {
  doc: Document;
  /** The row's key values (primary key columns, or rowid), for error and mismatch reports. */
  key: SqlValue[];
}

/** A row that cannot become a document (see DocumentBuilder.documents), reported and counted, never dropped silently. */
export interface RefusedRow {
  table: string;
  key: string;
  reason: string;
}

export interface BuildCounts {
  rows: number;
  refused: number;
  /** Junction table → rows folded into arrays. */
  folded: Record<string, number>;
  /** Embedded table → child rows embedded (array items or sub-documents). */
  embedded: Record<string, number>;
}

/**
 * Sets a field so that any name is data: `__proto__` would otherwise set the object's prototype and the field
 * would vanish from the document.
 */
export function setField(doc: Document, name: string, value: unknown): void {
  if (name === '__proto__')
    Object.defineProperty(doc, name, { value, enumerable: true, writable: true, configurable: true });
  else doc[name] = value;
}

export interface RowWarning extends ConversionWarning {
  table: string;
  key: string;
}

/** `_id` for a table without a usable key: stable across reruns (table hash + rowid), so reruns upsert, not duplicate. */
export function rowidObjectId(table: string, rowid: bigint): ObjectId {
  const bytes = Buffer.alloc(12);
  createHash('sha256').update(table).digest().copy(bytes, 0, 0, 4);
  bytes.writeBigInt64BE(rowid, 4);
  return new ObjectId(bytes);
}

export function formatKey(key: SqlValue[]): string {
  const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
  return key
    .map((v) =>
      v instanceof Uint8Array
        ? `x'${hex(v)}'`
        : v instanceof InvalidText
          ? `x'${hex(v.bytes)}' (text, not UTF-8)`
          : typeof v === 'string'
            ? JSON.stringify(v)
            : String(v),
    )
    .join(', ');
}

function sameKey(a: SqlValue, b: SqlValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof InvalidText && b instanceof InvalidText) return Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  return a === b;
}

/**
 * An upper bound of one value's BSON element size (text counted at 3 bytes a character; 16 bytes for type, an array
 * index key, length and terminator), to skip exact sizing.
 */
function roughValueBytes(v: SqlValue): number {
  return typeof v === 'string'
    ? 3 * v.length + 16
    : v instanceof Uint8Array
      ? v.length + 16
      : v instanceof InvalidText
        ? v.bytes.length + 16
        : 24;
}

/** An upper bound of a row's BSON size from its values (field names are counted apart, see nameBytes). */
function roughBytes(row: SqlValue[]): number {
  let n = 0;
  for (const v of row) n += roughValueBytes(v);
  return n;
}

/** One embedded relationship, prepared: its converters and, for arrays, the child key columns. */
interface PreparedEmbed {
  plan: EmbedPlan;
  child: TableInfo;
  converters: Converter[];
  /** 'array': child key columns, selected last, for the 16 MiB 'reference' fallback. */
  childKey: string[];
}

/**
 * Streams the documents of one planned collection in source key order. Junction arrays and embedded child arrays
 * are filled by one ordered pass per relationship, merged alongside the parent rows; embedded single documents
 * come from a LEFT JOIN in the parent query. No query per parent row.
 */
export class DocumentBuilder {
  private readonly table: TableInfo;
  private readonly keyColumns: string[];
  private readonly converters: Converter[];
  private readonly embeds: PreparedEmbed[];
  private readonly computed: ComputedFields;

  constructor(
    private readonly source: SqliteSource,
    schema: SchemaInfo,
    private readonly plan: CollectionPlan,
    private readonly options: PlanOptions,
  ) {
    const find = (name: string) => {
      const t = findRelation(schema, name);
      if (!t)
        throw new MigrationError(
          'PLAN_INVALID',
          `The plan names table ${JSON.stringify(name)}, which the database does not have.`,
        );
      return t;
    };
    this.table = find(plan.table);
    // A view has no key: its rows are numbered in the order of all their columns (IdPlan 'sequence'). A rowid
    // `_id` follows the rowid, also when the table has a primary key (one holding NULLs, see defaults.ts).
    this.keyColumns =
      plan.id.kind === 'sequence'
        ? []
        : plan.id.kind === 'rowid'
          ? keyOrderColumns({ ...this.table, primaryKey: [] })
          : keyOrderColumns(this.table);
    this.converters = plan.fields.map((f) => makeConverter(f, options));
    this.computed = new ComputedFields(plan.computed);
    if (plan.filter) this.checkFilter(plan.filter);
    this.embeds = (plan.embeds ?? []).map((e) => {
      const child = find(e.table);
      return {
        plan: e,
        child,
        converters: e.fields.map((f) => makeConverter(f, options)),
        childKey: e.kind === 'array' ? keyOrderColumns(child) : [],
      };
    });
  }

  /** Rows read, rows refused, and related rows folded into arrays or embedded, per table (row accounting). */
  readonly counts: BuildCounts = { rows: 0, refused: 0, folded: Object.create(null), embedded: Object.create(null) };
  private idNames?: string[];

  private idColumns(): string[] {
    const id = this.plan.id;
    return id.kind === 'column'
      ? [id.column]
      : id.kind === 'composite'
        ? id.columns
        : id.kind === 'rowid'
          ? [this.keyColumns[0]]
          : [];
  }

  /** Column reference on alias p. The rowid alias stays bare: SQLite may read a quoted unknown name as a string. */
  private ref(column: string): string {
    return this.plan.id.kind === 'rowid' && column === this.keyColumns[0] ? `p.${column}` : `p.${quoteIdent(column)}`;
  }

  private orderColumns(): string[] {
    return this.plan.id.kind === 'sequence' ? this.table.columns.map((c) => c.name) : this.keyColumns;
  }

  private orderBy(): string {
    return this.orderColumns()
      .map((c) => this.ref(c))
      .join(', ');
  }

  private documentEmbeds(): Array<[PreparedEmbed, number]> {
    return this.embeds.map((e, i) => [e, i] as [PreparedEmbed, number]).filter(([e]) => e.plan.kind === 'document');
  }

  /** SQLite prepares the filter (LIMIT 0 reads no row): a wrong name is a plan error before anything is written. */
  private checkFilter(filter: string): void {
    try {
      const rows = iterateQuery(this.source, `SELECT 1 FROM ${this.parent()} LIMIT 0`);
      rows.next();
      rows.return(undefined);
    } catch (e) {
      // SQLite's own words ("no such column: x"), without the reader's wrapping of the whole query.
      const inner = e instanceof Error && e.cause instanceof Error ? e.cause : e;
      throw new MigrationError(
        'PLAN_INVALID',
        `The filter of ${this.plan.collection} (${JSON.stringify(filter)}) is not valid SQL for ${this.table.name}: ${inner instanceof Error ? inner.message : String(inner)}.`,
        'Write a SQL expression over the table\'s columns, e.g. "deleted_at IS NULL".',
      );
    }
  }

  /** The parent table as alias p: only the rows that pass the plan's filter, when it has one. */
  private parent(): string {
    return filteredFrom(this.table, this.plan.filter, 'p');
  }

  private joinOn(alias: string, e: EmbedPlan): string {
    return e.childColumns
      .map((c, i) => `${alias}.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[i])}`)
      .join(' AND ');
  }

  /**
   * The parent query and where each column lands in its rows. Every column is selected once (a table may have
   * SQLite's maximum of 2,000 columns, which is also the limit of a result row): key columns first, then the id,
   * field and array-owner columns not yet selected, then per embedded document a match marker (its first join
   * column) and its fields.
   */
  private rowQuery(where?: string): {
    terms: string[];
    nOrder: number;
    rest: string;
    at: Map<string, number>;
    embedAt: number[];
  } {
    const columns = [
      ...this.orderColumns(),
      ...this.idColumns(),
      ...this.plan.fields.map((f) => f.column),
      ...this.plan.arrays.map((a) => a.ownerKeyColumn),
      ...this.computed.columns,
    ];
    const at = new Map<string, number>();
    const refs: string[] = [];
    for (const c of columns) {
      if (at.has(c)) continue;
      at.set(c, refs.length);
      refs.push(this.ref(c));
    }
    let joins = '';
    const embedAt: number[] = [];
    for (const [e, i] of this.documentEmbeds()) {
      const alias = `d${i}`;
      embedAt.push(refs.length);
      refs.push(
        `${alias}.${quoteIdent(e.plan.childColumns[0])}`,
        ...e.plan.fields.map((f) => `${alias}.${quoteIdent(f.column)}`),
      );
      joins += ` LEFT JOIN ${quoteIdent(e.child.name)} AS ${alias} ON ${this.joinOn(alias, e.plan)}`;
    }
    const rest = `FROM ${this.parent()}${joins}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}`;
    return { terms: refs, nOrder: this.orderColumns().length, rest, at, embedAt };
  }

  /** The junction rows in parent order: joining on the parent makes SQLite order both sides the same way. */
  private junctionSql(arrayIndex: number, where?: string): string {
    const a = this.plan.arrays[arrayIndex];
    const parentKey = `p.${quoteIdent(a.ownerKeyColumn)}`;
    return `SELECT ${parentKey}, j.${quoteIdent(a.valueColumn)} FROM ${quoteIdent(a.junctionTable)} AS j JOIN ${this.parent()} ON ${parentKey} = j.${quoteIdent(a.ownerColumn)}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}, j.${quoteIdent(a.valueColumn)}`;
  }

  /** Child rows of an embedded array in parent order: parent key columns, the child's fields, then the child's key. */
  private childArraySql(e: PreparedEmbed, where?: string): string {
    const childKeyRefs = e.childKey.map((c) => (e.child.primaryKey.length === 0 ? `c.${c}` : `c.${quoteIdent(c)}`));
    const cols = [
      ...this.keyColumns.map((c) => this.ref(c)),
      ...e.plan.fields.map((f) => `c.${quoteIdent(f.column)}`),
      ...childKeyRefs,
    ];
    return `SELECT ${cols.join(', ')} FROM ${quoteIdent(e.child.name)} AS c JOIN ${this.parent()} ON ${this.joinOn('c', e.plan)}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}, ${childKeyRefs.join(', ')}`;
  }

  /**
   * Yields the documents; `where` (SQL on alias p) restricts the parent rows, e.g. for incremental sync. A row whose
   * key holds a NULL cannot have an `_id` (several would collide): it is refused through `opts.refuse`, never built.
   */
  *documents(
    warn: (w: RowWarning) => void,
    opts: { where?: string; params?: SqlValue[]; refuse?: (r: RefusedRow) => void } = {},
  ): Generator<BuiltDocument> {
    const params = opts.params ?? [];
    const { terms, nOrder, rest, at, embedAt } = this.rowQuery(opts.where);
    const keyAt = this.keyColumns.map((c) => at.get(c) as number);
    const idAt = this.idColumns().map((c) => at.get(c) as number);
    const fieldAt = this.plan.fields.map((f) => at.get(f.column) as number);
    const ownerAt = this.plan.arrays.map((a) => at.get(a.ownerKeyColumn) as number);
    const junctions = this.plan.arrays.map((_, i) =>
      iterateQuery(this.source, this.junctionSql(i, opts.where), params),
    );
    const pendingJunction: Array<SqlValue[] | undefined> = junctions.map((it) => it.next().value ?? undefined);
    const arrayEmbeds = this.embeds.filter((e) => e.plan.kind === 'array');
    const children = arrayEmbeds.map((e) => iterateQuery(this.source, this.childArraySql(e, opts.where), params));
    const pendingChild: Array<SqlValue[] | undefined> = children.map((it) => it.next().value ?? undefined);
    const documentEmbeds = this.documentEmbeds();
    const fields = this.plan.fields;
    const table = this.table.name;
    const idKind = this.plan.id.kind;
    const counts = this.counts;
    const nameBytes = this.nameBytes();
    // One warning callback for all rows (not a closure per row): it completes the converter's fresh warning object
    // in place, and formats the row's key once per row that warns.
    let key: SqlValue[] = [];
    let keyText: string | undefined;
    const rowWarn = (w: ConversionWarning) => {
      const full = w as RowWarning;
      full.table = table;
      full.key = keyText ??= formatKey(key);
      warn(full);
    };
    try {
      let ordinal = 0n;
      for (const row of iterateWideQuery(this.source, terms, nOrder, rest, params)) {
        ordinal++;
        counts.rows++;
        key = idKind === 'sequence' ? [ordinal] : keyAt.map((i) => row[i]);
        keyText = undefined;
        const idValues = idAt.map((i) => row[i]);
        const refused = (idKind === 'column' || idKind === 'composite') && idValues.some((v) => v === null);
        const doc: Document = {};
        if (!refused)
          doc._id =
            idKind === 'sequence' ? rowidObjectId(table, ordinal) : this.buildId(idValues, row[keyAt[0]], rowWarn);
        if (idKind === 'rowid') setField(doc, this.plan.id.rowidField, autoToBson(row[keyAt[0]]));
        for (let i = 0; i < fields.length; i++) {
          const value = this.converters[i](row[fieldAt[i]], rowWarn);
          if (value !== OMIT) setField(doc, fields[i].field, value);
        }
        documentEmbeds.forEach(([e], d) => {
          let p = embedAt[d];
          const matched = row[p++] !== null;
          const values = row.slice(p, p + e.plan.fields.length);
          if (!matched) {
            if (!e.plan.merge) setField(doc, e.plan.field, null);
            return;
          }
          counts.embedded[e.plan.table] = (counts.embedded[e.plan.table] ?? 0) + 1;
          const target: Document = e.plan.merge ? doc : {};
          this.fill(target, e, values, e.plan.merge ? (e.plan.mergePrefix ?? '') : '', rowWarn);
          if (!e.plan.merge) setField(doc, e.plan.field, target);
        });
        let rough = nameBytes + roughBytes(row);
        for (let a = 0; a < junctions.length; a++) {
          const ownerKey = row[ownerAt[a]];
          const values: unknown[] = [];
          let j = pendingJunction[a];
          while (j && sameKey(j[0], ownerKey)) {
            values.push(autoToBson(j[1]));
            rough += roughValueBytes(j[1]);
            j = junctions[a].next().value ?? undefined;
          }
          pendingJunction[a] = j;
          const junction = this.plan.arrays[a].junctionTable;
          counts.folded[junction] = (counts.folded[junction] ?? 0) + values.length;
          setField(doc, this.plan.arrays[a].field, values);
        }
        const childKeys: unknown[][] = [];
        for (let c = 0; c < children.length; c++) {
          const e = arrayEmbeds[c];
          const items: Document[] = [];
          const keys: unknown[] = [];
          let r = pendingChild[c];
          while (r && sameKeys(r, key, keyAt.length)) {
            const item: Document = {};
            this.fill(item, e, r.slice(keyAt.length, keyAt.length + e.plan.fields.length), '', rowWarn);
            items.push(item);
            keys.push(childKeyValue(e, r.slice(keyAt.length + e.plan.fields.length)));
            r = children[c].next().value ?? undefined;
          }
          pendingChild[c] = r;
          counts.embedded[e.plan.table] = (counts.embedded[e.plan.table] ?? 0) + items.length;
          setField(doc, e.plan.field, items);
          childKeys.push(keys);
        }
        const notComputed =
          refused || this.computed.size === 0
            ? undefined
            : this.computed.apply(doc, (c) => row[at.get(c) as number], setField);
        if (refused || notComputed) {
          counts.refused++;
          opts.refuse?.({
            table,
            key: formatKey(key),
            reason:
              notComputed ?? `the primary key ${this.idColumns().join(', ')} holds NULL, so the row cannot have an _id`,
          });
          continue;
        }
        this.applySizePolicy(doc, arrayEmbeds, childKeys, rowWarn);
        // Over 16 MiB no server stores it: say so now (export and dry run too), not only when the import refuses it.
        if ((children.length > 0 || rough > MAX_DOCUMENT_BYTES) && BSON.calculateObjectSize(doc) > MAX_DOCUMENT_BYTES) {
          rowWarn({
            kind: 'document-too-large',
            column: '',
            value: `${BSON.calculateObjectSize(doc)} bytes, over MongoDB's 16 MiB limit`,
          });
        }
        yield { doc, key };
      }
    } finally {
      for (const it of [...junctions, ...children]) it.return(undefined);
    }
  }

  private fill(
    target: Document,
    e: PreparedEmbed,
    values: SqlValue[],
    prefix: string,
    warn: (w: ConversionWarning) => void,
  ): void {
    for (let i = 0; i < e.plan.fields.length; i++) {
      const value = e.converters[i](values[i], warn);
      if (value !== OMIT) setField(target, prefix + e.plan.fields[i].field, value);
    }
  }

  /** The 16 MiB policy: an embedded array that makes its document too large becomes an array of child keys. */
  private applySizePolicy(
    doc: Document,
    arrayEmbeds: PreparedEmbed[],
    childKeys: unknown[][],
    warn: (w: ConversionWarning) => void,
  ): void {
    if (!arrayEmbeds.some((e) => e.plan.onTooLarge === 'reference')) return;
    if (BSON.calculateObjectSize(doc) <= MAX_DOCUMENT_BYTES) return;
    arrayEmbeds.forEach((e, i) => {
      if (e.plan.onTooLarge !== 'reference') return;
      setField(doc, e.plan.field, childKeys[i]);
      warn({
        kind: 'embed-too-large',
        column: e.plan.field,
        value: `${childKeys[i].length} ${e.child.name} rows kept as references`,
      });
    });
  }

  /** An upper bound of the bytes the document's field names take (for the rough size bound of documents()). */
  private nameBytes(): number {
    const names = [...this.plan.fields, ...this.plan.arrays].map((f) => f.field);
    for (const e of this.embeds)
      names.push(e.plan.field, ...e.plan.fields.map((f) => (e.plan.mergePrefix ?? '') + f.field));
    if (this.plan.id.kind === 'rowid') names.push(this.plan.id.rowidField);
    // 3 bytes a character, a type byte and a terminator each; 64 for `_id`, the document's and sub-documents' framing.
    return names.reduce((n, name) => n + 3 * name.length + 2, 64 + 8 * this.embeds.length);
  }

  private buildId(values: SqlValue[], rowid: SqlValue, warn: (w: ConversionWarning) => void): unknown {
    const id = this.plan.id;
    values.forEach(
      (v, i) =>
        v instanceof InvalidText && warn({ kind: 'invalid-utf8', column: this.idColumns()[i], value: describe(v) }),
    );
    if (id.kind === 'column') return autoToBson(values[0]);
    if (id.kind === 'composite') {
      const sub: Document = {};
      const names = (this.idNames ??= compositeIdNames(id));
      // Key values are carried as their storage class: an `_id` must never be omitted or reinterpreted.
      values.forEach((v, i) => setField(sub, names[i], autoToBson(v)));
      return sub;
    }
    return rowidObjectId(this.table.name, rowid as bigint);
  }
}

/** A child's key as stored in place of the embedded row: the value for a single-column key, else a sub-document. */
function childKeyValue(e: PreparedEmbed, values: SqlValue[]): unknown {
  if (values.length === 1) return autoToBson(values[0]);
  const sub: Document = {};
  const names = assignFieldNames(e.childKey);
  e.childKey.forEach((_, i) => setField(sub, names[i], autoToBson(values[i])));
  return sub;
}

function sameKeys(row: SqlValue[], key: SqlValue[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!sameKey(row[i], key[i])) return false;
  return true;
}

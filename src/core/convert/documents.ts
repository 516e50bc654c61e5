import { createHash } from 'node:crypto';
import { BSON, ObjectId, type Document } from 'mongodb';
import { MigrationError } from '../errors';
import { MAX_DOCUMENT_BYTES } from '../mongo/writer';
import { findRelation, iterateQuery, keyOrderColumns, quoteIdent, type SqliteSource } from '../sqlite';
import type { SchemaInfo, SqlValue, TableInfo } from '../sqlite/types';
import type { CollectionPlan, EmbedPlan, PlanOptions } from '../plan/types';
import { sanitizeFieldName } from '../plan/fieldNames';
import { autoToBson, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';

/** One source row turned into its document, with the source key for reports. */
export interface BuiltDocument {
  doc: Document;
  /** The row's key values (primary key columns, or rowid), for error and mismatch reports. */
  key: SqlValue[];
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
  return key.map((v) => (v instanceof Uint8Array ? `x'${Buffer.from(v).toString('hex')}'` : typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ');
}

function sameKey(a: SqlValue, b: SqlValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  return a === b;
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

  constructor(
    private readonly source: SqliteSource,
    schema: SchemaInfo,
    private readonly plan: CollectionPlan,
    private readonly options: PlanOptions,
  ) {
    const find = (name: string) => {
      const t = findRelation(schema, name);
      if (!t) throw new MigrationError('PLAN_INVALID', `The plan names table ${JSON.stringify(name)}, which the database does not have.`);
      return t;
    };
    this.table = find(plan.table);
    // A view has no key: its rows are numbered in the order of all their columns (IdPlan 'sequence').
    this.keyColumns = plan.id.kind === 'sequence' ? [] : keyOrderColumns(this.table);
    this.converters = plan.fields.map((f) => makeConverter(f, options));
    this.embeds = (plan.embeds ?? []).map((e) => {
      const child = find(e.table);
      return { plan: e, child, converters: e.fields.map((f) => makeConverter(f, options)), childKey: e.kind === 'array' ? keyOrderColumns(child) : [] };
    });
  }

  private idColumns(): string[] {
    const id = this.plan.id;
    return id.kind === 'column' ? [id.column] : id.kind === 'composite' ? id.columns : id.kind === 'rowid' ? [this.keyColumns[0]] : [];
  }

  /** Column reference on alias p. The rowid alias stays bare: SQLite may read a quoted unknown name as a string. */
  private ref(column: string): string {
    return this.plan.id.kind === 'rowid' && column === this.keyColumns[0] ? `p.${column}` : `p.${quoteIdent(column)}`;
  }

  private orderBy(): string {
    const columns = this.plan.id.kind === 'sequence' ? this.table.columns.map((c) => c.name) : this.keyColumns;
    return columns.map((c) => this.ref(c)).join(', ');
  }

  private documentEmbeds(): Array<[PreparedEmbed, number]> {
    return this.embeds.map((e, i) => [e, i] as [PreparedEmbed, number]).filter(([e]) => e.plan.kind === 'document');
  }

  private joinOn(alias: string, e: EmbedPlan): string {
    return e.childColumns.map((c, i) => `${alias}.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[i])}`).join(' AND ');
  }

  /**
   * Rows selected: key columns first (for reports and ordering), then the id columns, then the planned fields,
   * then per embedded document a match marker (its first join column) and its fields.
   */
  private rowSql(where?: string): string {
    const cols = [...this.keyColumns, ...this.idColumns(), ...this.plan.fields.map((f) => f.column)].map((c) => this.ref(c));
    let joins = '';
    for (const [e, i] of this.documentEmbeds()) {
      const alias = `d${i}`;
      cols.push(`${alias}.${quoteIdent(e.plan.childColumns[0])}`, ...e.plan.fields.map((f) => `${alias}.${quoteIdent(f.column)}`));
      joins += ` LEFT JOIN ${quoteIdent(e.child.name)} AS ${alias} ON ${this.joinOn(alias, e.plan)}`;
    }
    return `SELECT ${cols.join(', ')} FROM ${quoteIdent(this.table.name)} AS p${joins}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}`;
  }

  /** The junction rows in parent order: joining on the parent makes SQLite order both sides the same way. */
  private junctionSql(arrayIndex: number, where?: string): string {
    const a = this.plan.arrays[arrayIndex];
    const parentKey = `p.${quoteIdent(a.ownerKeyColumn)}`;
    return `SELECT ${parentKey}, j.${quoteIdent(a.valueColumn)} FROM ${quoteIdent(a.junctionTable)} AS j JOIN ${quoteIdent(this.table.name)} AS p ON ${parentKey} = j.${quoteIdent(a.ownerColumn)}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}, j.${quoteIdent(a.valueColumn)}`;
  }

  /** Child rows of an embedded array in parent order: parent key columns, the child's fields, then the child's key. */
  private childArraySql(e: PreparedEmbed, where?: string): string {
    const childKeyRefs = e.childKey.map((c) => (e.child.primaryKey.length === 0 ? `c.${c}` : `c.${quoteIdent(c)}`));
    const cols = [...this.keyColumns.map((c) => this.ref(c)), ...e.plan.fields.map((f) => `c.${quoteIdent(f.column)}`), ...childKeyRefs];
    return `SELECT ${cols.join(', ')} FROM ${quoteIdent(e.child.name)} AS c JOIN ${quoteIdent(this.table.name)} AS p ON ${this.joinOn('c', e.plan)}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}, ${childKeyRefs.join(', ')}`;
  }

  /** Yields the documents; `where` (SQL on alias p) restricts the parent rows, e.g. for incremental sync. */
  *documents(warn: (w: RowWarning) => void, opts: { where?: string; params?: SqlValue[] } = {}): Generator<BuiltDocument> {
    const params = opts.params ?? [];
    const nKey = this.keyColumns.length;
    const idCols = this.idColumns();
    const nId = idCols.length;
    const nFields = this.plan.fields.length;
    const junctions = this.plan.arrays.map((_, i) => iterateQuery(this.source, this.junctionSql(i, opts.where), params));
    const pendingJunction: Array<SqlValue[] | undefined> = junctions.map((it) => it.next().value ?? undefined);
    const ownerKeyIndex = this.plan.arrays.map((a) => idCols.indexOf(a.ownerKeyColumn));
    const arrayEmbeds = this.embeds.filter((e) => e.plan.kind === 'array');
    const children = arrayEmbeds.map((e) => iterateQuery(this.source, this.childArraySql(e, opts.where), params));
    const pendingChild: Array<SqlValue[] | undefined> = children.map((it) => it.next().value ?? undefined);
    const documentEmbeds = this.documentEmbeds();
    const fields = this.plan.fields;
    const table = this.table.name;
    try {
      let ordinal = 0n;
      for (const row of iterateQuery(this.source, this.rowSql(opts.where), params)) {
        ordinal++;
        const key = this.plan.id.kind === 'sequence' ? [ordinal] : row.slice(0, nKey);
        let keyText: string | undefined;
        const rowWarn = (w: ConversionWarning) => warn({ ...w, table, key: (keyText ??= formatKey(key)) });
        const doc: Document = { _id: this.plan.id.kind === 'sequence' ? rowidObjectId(table, ordinal) : this.buildId(row, nKey, nId) };
        if (this.plan.id.kind === 'rowid') doc[this.plan.id.rowidField] = autoToBson(row[0]);
        for (let i = 0; i < nFields; i++) {
          const value = this.converters[i](row[nKey + nId + i], rowWarn);
          if (value !== OMIT) doc[fields[i].field] = value;
        }
        let at = nKey + nId + nFields;
        for (const [e] of documentEmbeds) {
          const matched = row[at] !== null;
          const values = row.slice(at + 1, at + 1 + e.plan.fields.length);
          at += 1 + e.plan.fields.length;
          if (!matched) {
            if (!e.plan.merge) doc[e.plan.field] = null;
            continue;
          }
          const target: Document = e.plan.merge ? doc : {};
          const prefix = e.plan.merge ? (e.plan.mergePrefix ?? '') : '';
          this.fill(target, e, values, prefix, rowWarn);
          if (!e.plan.merge) doc[e.plan.field] = target;
        }
        for (let a = 0; a < junctions.length; a++) {
          const ownerKey = row[nKey + ownerKeyIndex[a]];
          const values: unknown[] = [];
          let j = pendingJunction[a];
          while (j && sameKey(j[0], ownerKey)) {
            values.push(autoToBson(j[1]));
            j = junctions[a].next().value ?? undefined;
          }
          pendingJunction[a] = j;
          doc[this.plan.arrays[a].field] = values;
        }
        const childKeys: unknown[][] = [];
        for (let c = 0; c < children.length; c++) {
          const e = arrayEmbeds[c];
          const items: Document[] = [];
          const keys: unknown[] = [];
          let r = pendingChild[c];
          while (r && sameKeys(r, key, nKey)) {
            const item: Document = {};
            this.fill(item, e, r.slice(nKey, nKey + e.plan.fields.length), '', rowWarn);
            items.push(item);
            keys.push(childKeyValue(e, r.slice(nKey + e.plan.fields.length)));
            r = children[c].next().value ?? undefined;
          }
          pendingChild[c] = r;
          doc[e.plan.field] = items;
          childKeys.push(keys);
        }
        this.applySizePolicy(doc, arrayEmbeds, childKeys, rowWarn);
        yield { doc, key };
      }
    } finally {
      for (const it of [...junctions, ...children]) it.return(undefined);
    }
  }

  private fill(target: Document, e: PreparedEmbed, values: SqlValue[], prefix: string, warn: (w: ConversionWarning) => void): void {
    for (let i = 0; i < e.plan.fields.length; i++) {
      const value = e.converters[i](values[i], warn);
      if (value !== OMIT) target[prefix + e.plan.fields[i].field] = value;
    }
  }

  /** The 16 MiB policy: an embedded array that makes its document too large becomes an array of child keys. */
  private applySizePolicy(doc: Document, arrayEmbeds: PreparedEmbed[], childKeys: unknown[][], warn: (w: ConversionWarning) => void): void {
    if (!arrayEmbeds.some((e) => e.plan.onTooLarge === 'reference')) return;
    if (BSON.calculateObjectSize(doc) <= MAX_DOCUMENT_BYTES) return;
    arrayEmbeds.forEach((e, i) => {
      if (e.plan.onTooLarge !== 'reference') return;
      doc[e.plan.field] = childKeys[i];
      warn({ kind: 'embed-too-large', column: e.plan.field, value: `${childKeys[i].length} ${e.child.name} rows kept as references` });
    });
  }

  private buildId(row: SqlValue[], nKey: number, nId: number): unknown {
    const id = this.plan.id;
    if (id.kind === 'column') return autoToBson(row[nKey]);
    if (id.kind === 'composite') {
      const sub: Document = {};
      // Key values are carried as their storage class: an `_id` must never be omitted or reinterpreted.
      for (let i = 0; i < nId; i++) sub[sanitizeFieldName(id.columns[i])] = autoToBson(row[nKey + i]);
      return sub;
    }
    return rowidObjectId(this.table.name, row[0] as bigint);
  }
}

/** A child's key as stored in place of the embedded row: the value for a single-column key, else a sub-document. */
function childKeyValue(e: PreparedEmbed, values: SqlValue[]): unknown {
  if (values.length === 1) return autoToBson(values[0]);
  const sub: Document = {};
  e.childKey.forEach((c, i) => (sub[sanitizeFieldName(c)] = autoToBson(values[i])));
  return sub;
}

function sameKeys(row: SqlValue[], key: SqlValue[], n: number): boolean {
  for (let i = 0; i < n; i++) if (!sameKey(row[i], key[i])) return false;
  return true;
}

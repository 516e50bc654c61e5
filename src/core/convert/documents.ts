import { createHash } from 'node:crypto';
import { ObjectId, type Document } from 'mongodb';
import { iterateQuery, keyOrderColumns, quoteIdent, type SqliteSource } from '../sqlite';
import type { SqlValue, TableInfo } from '../sqlite/types';
import type { CollectionPlan, PlanOptions } from '../plan/types';
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

/**
 * Streams the documents of one planned collection in source key order. Junction arrays are filled by one ordered
 * pass per junction table, merged alongside the parent rows — no query per parent row.
 */
export class DocumentBuilder {
  private readonly keyColumns: string[];
  private readonly converters: Converter[];
  private readonly idConverters: Converter[];
  private readonly arrayValueConverters: Converter[];

  constructor(
    private readonly source: SqliteSource,
    private readonly table: TableInfo,
    private readonly plan: CollectionPlan,
    private readonly options: PlanOptions,
  ) {
    this.keyColumns = keyOrderColumns(table);
    this.converters = plan.fields.map((f) => makeConverter(f, options));
    // Key values are carried as their storage class: an `_id` must never be omitted or reinterpreted.
    this.idConverters = this.idColumns().map(() => autoToBson);
    this.arrayValueConverters = plan.arrays.map(() => autoToBson);
  }

  private idColumns(): string[] {
    const id = this.plan.id;
    return id.kind === 'column' ? [id.column] : id.kind === 'composite' ? id.columns : [this.keyColumns[0]];
  }

  /** Column reference on alias p. The rowid alias stays bare: SQLite may read a quoted unknown name as a string. */
  private ref(column: string): string {
    return this.plan.id.kind === 'rowid' && column === this.keyColumns[0] ? `p.${column}` : `p.${quoteIdent(column)}`;
  }

  private orderBy(): string {
    return this.keyColumns.map((c) => this.ref(c)).join(', ');
  }

  /** Rows selected: key columns first (for reports and ordering), then the id columns, then the planned fields. */
  private rowSql(where?: string): string {
    const cols = [...this.keyColumns, ...this.idColumns(), ...this.plan.fields.map((f) => f.column)].map((c) => this.ref(c));
    return `SELECT ${cols.join(', ')} FROM ${quoteIdent(this.table.name)} AS p${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}`;
  }

  /** The junction rows in parent order: joining on the parent makes SQLite order both sides the same way. */
  private junctionSql(arrayIndex: number, where?: string): string {
    const a = this.plan.arrays[arrayIndex];
    const parentKey = `p.${quoteIdent(a.ownerKeyColumn)}`;
    return `SELECT ${parentKey}, j.${quoteIdent(a.valueColumn)} FROM ${quoteIdent(a.junctionTable)} AS j JOIN ${quoteIdent(this.table.name)} AS p ON ${parentKey} = j.${quoteIdent(a.ownerColumn)}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}, j.${quoteIdent(a.valueColumn)}`;
  }

  /** Yields the documents; `where` (SQL on alias p) restricts the parent rows, e.g. for incremental sync. */
  *documents(warn: (w: RowWarning) => void, opts: { where?: string; params?: SqlValue[] } = {}): Generator<BuiltDocument> {
    const params = opts.params ?? [];
    const nKey = this.keyColumns.length;
    const idCols = this.idColumns();
    const nId = idCols.length;
    const junctions = this.plan.arrays.map((_, i) => iterateQuery(this.source, this.junctionSql(i, opts.where), params));
    const pending: Array<SqlValue[] | undefined> = junctions.map((it) => it.next().value ?? undefined);
    const ownerKeyIndex = this.plan.arrays.map((a) => idCols.indexOf(a.ownerKeyColumn));
    const fields = this.plan.fields;
    const table = this.table.name;
    try {
      for (const row of iterateQuery(this.source, this.rowSql(opts.where), params)) {
        const key = row.slice(0, nKey);
        let keyText: string | undefined;
        const rowWarn = (w: ConversionWarning) => warn({ ...w, table, key: (keyText ??= formatKey(key)) });
        const doc: Document = { _id: this.buildId(row, nKey, nId) };
        if (this.plan.id.kind === 'rowid') doc[this.plan.id.rowidField] = autoToBson(row[0]);
        for (let i = 0; i < fields.length; i++) {
          const value = this.converters[i](row[nKey + nId + i], rowWarn);
          if (value !== OMIT) doc[fields[i].field] = value;
        }
        for (let a = 0; a < junctions.length; a++) {
          const ownerKey = row[nKey + ownerKeyIndex[a]];
          const values: unknown[] = [];
          let j = pending[a];
          while (j && sameKey(j[0], ownerKey)) {
            values.push(this.arrayValueConverters[a](j[1], rowWarn));
            j = junctions[a].next().value ?? undefined;
          }
          pending[a] = j;
          doc[this.plan.arrays[a].field] = values;
        }
        yield { doc, key };
      }
    } finally {
      for (const it of junctions) it.return(undefined);
    }
  }

  private buildId(row: SqlValue[], nKey: number, nId: number): unknown {
    const id = this.plan.id;
    if (id.kind === 'column') return this.idConverters[0](row[nKey], noWarn);
    if (id.kind === 'composite') {
      const sub: Document = {};
      for (let i = 0; i < nId; i++) sub[sanitizeFieldName(id.columns[i])] = this.idConverters[i](row[nKey + i], noWarn);
      return sub;
    }
    return rowidObjectId(this.table.name, row[0] as bigint);
  }
}

const noWarn = () => undefined;

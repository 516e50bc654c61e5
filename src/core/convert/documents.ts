import { BSON, type Document } from 'mongodb';
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
import type { CollectionPlan, PlanOptions } from '../plan/types';
import { compositeIdNames } from '../plan/fieldNames';
import { autoToBson, describe, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { ComputedFields } from './computed';
import { filteredFrom } from '../plan/filter';
import {
  formatKey,
  roughBytes,
  rowidObjectId,
  setField,
  type BuildCounts,
  type BuiltDocument,
  type RefusedRow,
  type RowWarning,
} from './documentParts';
import {
  arrayNodes,
  documentJoins,
  EmbedFiller,
  prepareEmbeds,
  Stream,
  streamLayout,
  streamSql,
  type EmbedNode,
  type ReferenceSlot,
  type RootQuery,
} from './embedTree';
import { JunctionArray, junctionSql } from './junctions';

/**
 * Streams the documents of one planned collection in source key order. Junction arrays and embedded child arrays
 * (at any depth, embedTree.ts) are filled by one ordered pass per relationship, merged alongside the parent rows;
 * embedded single documents come from LEFT JOINs. No query per parent row.
 */
export class DocumentBuilder {
  private readonly table: TableInfo;
  private readonly keyColumns: string[];
  private readonly converters: Converter[];
  private readonly embeds: EmbedNode[];
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
    this.embeds = prepareEmbeds(plan.embeds, find, options);
    for (const a of plan.arrays) if (a.valueDocument) find(a.valueDocument.table);
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

  /**
   * The parent query and where each column lands in its rows. Every column is selected once (a table may have
   * SQLite's maximum of 2,000 columns, which is also the limit of a result row): key columns first, then the id,
   * field and array-owner columns not yet selected, then per embedded document (and its own embedded documents) a
   * match marker (its first join column) and its fields.
   */
  private rowQuery(where?: string): {
    terms: string[];
    nOrder: number;
    rest: string;
    at: Map<string, number>;
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
    const joins = documentJoins(this.embeds, 'p', refs);
    const rest = `FROM ${this.parent()}${joins}${where ? ` WHERE ${where}` : ''} ORDER BY ${this.orderBy()}`;
    return { terms: refs, nOrder: this.orderColumns().length, rest, at };
  }

  /** What every stream of the collection repeats: the parent's order, FROM term and the caller's WHERE. */
  private root(where?: string): RootQuery {
    return { order: this.orderColumns().map((c) => this.ref(c)), from: this.parent(), where };
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
    const { terms, nOrder, rest, at } = this.rowQuery(opts.where);
    const keyAt = this.keyColumns.map((c) => at.get(c) as number);
    const idAt = this.idColumns().map((c) => at.get(c) as number);
    const fieldAt = this.plan.fields.map((f) => at.get(f.column) as number);
    const ownerAt = this.plan.arrays.map((a) => at.get(a.ownerKeyColumn) as number);
    const root = this.root(opts.where);
    const streams = new Map<EmbedNode, Stream>();
    const junctions: JunctionArray[] = [];
    const allStreams: Stream[] = [];
    const open = (sql: string) => {
      const s = new Stream(iterateQuery(this.source, sql, params));
      allStreams.push(s);
      return s;
    };
    const fields = this.plan.fields;
    const table = this.table.name;
    const idKind = this.plan.id.kind;
    const counts = this.counts;
    try {
      for (const a of this.plan.arrays) junctions.push(new JunctionArray(a, open(junctionSql(root, a)), this.options));
      const arrays = arrayNodes(this.embeds);
      for (const n of arrays) streams.set(n, open(streamSql(root, n)));
      const filler = new EmbedFiller(streams, new Map(arrays.map((n) => [n, streamLayout(root, n)])), counts);
      // Level one keeps its field order (documents, junction arrays, arrays): reruns compare documents byte for byte.
      const firstDocuments = this.embeds.filter((e) => e.plan.kind === 'document');
      const firstArrays = this.embeds.filter((e) => e.plan.kind === 'array');
      // One warning callback for all rows (not a closure and an object spread per row): it completes the
      // converter's fresh warning object in place, and formats the row's key once per row that warns.
      let key: SqlValue[] = [];
      let keyText: string | undefined;
      const rowWarn = (w: ConversionWarning) => {
        const full = w as RowWarning;
        full.table = table;
        full.key = keyText ??= formatKey(key);
        warn(full);
      };
      let ordinal = 0n;
      for (const row of iterateWideQuery(this.source, terms, nOrder, rest, params)) {
        ordinal++;
        counts.rows++;
        key = idKind === 'sequence' ? [ordinal] : keyAt.map((i) => row[i]);
        keyText = undefined;
        const prefix = row.slice(0, nOrder);
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
        const slots: ReferenceSlot[] = [];
        filler.fill(doc, firstDocuments, row, prefix, rowWarn, slots);
        junctions.forEach((j, a) => {
          const values = j.take(row[ownerAt[a]], rowWarn);
          counts.folded[j.plan.junctionTable] = (counts.folded[j.plan.junctionTable] ?? 0) + values.length;
          setField(doc, j.plan.field, values);
        });
        filler.fill(doc, firstArrays, row, prefix, rowWarn, slots);
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
        referenceIfTooLarge(doc, slots, rowWarn);
        // Over 16 MiB no server stores it: say so now (export and dry run too), not only when the import refuses it.
        if (
          (allStreams.length > 0 || roughBytes(row) > MAX_DOCUMENT_BYTES) &&
          BSON.calculateObjectSize(doc) > MAX_DOCUMENT_BYTES
        ) {
          rowWarn({
            kind: 'document-too-large',
            column: '',
            value: `${BSON.calculateObjectSize(doc)} bytes, over MongoDB's 16 MiB limit`,
          });
        }
        yield { doc, key };
      }
    } finally {
      for (const s of allStreams) s.close();
    }
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

/**
 * The 16 MiB policy, at every depth: when the document is too large, each embedded array under the 'reference'
 * policy becomes the array of its child keys (one warning per relationship, with the rows it covers).
 */
function referenceIfTooLarge(doc: Document, slots: ReferenceSlot[], warn: (w: ConversionWarning) => void): void {
  if (slots.length === 0 || BSON.calculateObjectSize(doc) <= MAX_DOCUMENT_BYTES) return;
  const referenced = new Map<EmbedNode, number>();
  for (const s of slots) {
    setField(s.target, s.name, s.keys);
    referenced.set(s.node, (referenced.get(s.node) ?? 0) + s.keys.length);
  }
  for (const [n, rows] of referenced)
    warn({ kind: 'embed-too-large', column: n.path, value: `${rows} ${n.child.name} rows kept as references` });
}

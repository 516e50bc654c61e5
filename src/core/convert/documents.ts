import type { Document } from 'mongodb';
import { MigrationError } from '../errors';
import { findRelation, iterateQuery, iterateWideQuery, type SqliteSource } from '../sqlite';
import { InvalidText, type SchemaInfo, type SqlValue, type TableInfo } from '../sqlite/types';
import type { CollectionPlan, PlanOptions } from '../plan/types';
import { compositeIdNames } from '../plan/fieldNames';
import { autoToBson, describe, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { ComputedFields } from './computed';
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
  EmbedFiller,
  prepareEmbeds,
  Stream,
  streamLayout,
  streamSql,
  type EmbedNode,
  type ReferenceSlot,
} from './embedTree';
import { JunctionArray, junctionSql, scansAlone } from './junctions';
import { CollectionQuery } from './collectionQuery';
import { DocumentSizeGuard, referenceIfTooLarge } from './documentSize';

// The shared shapes stay importable from here (callers such as preview.ts name them with the builder).
export type { BuildCounts, BuiltDocument, RefusedRow, RowWarning } from './documentParts';

const NO_SLOTS: ReferenceSlot[] = [];

/**
 * Streams the documents of one planned collection in source key order. Junction arrays and embedded child arrays
 * (at any depth, embedTree.ts) are filled by one ordered pass per relationship, merged alongside the parent rows;
 * embedded single documents come from LEFT JOINs. No query per parent row.
 */
export class DocumentBuilder {
  private readonly table: TableInfo;
  private readonly query: CollectionQuery;
  private readonly converters: Converter[];
  private readonly embeds: EmbedNode[];
  private readonly computed: ComputedFields;
  /** A table or view of the schema by name, or a plan error. */
  private readonly find: (name: string) => TableInfo;

  constructor(
    private readonly source: SqliteSource,
    schema: SchemaInfo,
    private readonly plan: CollectionPlan,
    private readonly options: PlanOptions,
  ) {
    const find = (this.find = (name: string) => {
      const t = findRelation(schema, name);
      if (!t)
        throw new MigrationError(
          'PLAN_INVALID',
          `The plan names table ${JSON.stringify(name)}, which the database does not have.`,
        );
      return t;
    });
    this.table = find(plan.table);
    this.converters = plan.fields.map((f) => makeConverter(f, options));
    this.computed = new ComputedFields(plan.computed);
    this.query = new CollectionQuery(source, this.table, plan, this.computed.columns);
    this.embeds = prepareEmbeds(plan.embeds, find, options);
    for (const a of plan.arrays) if (a.valueDocument) find(a.valueDocument.table);
  }

  /** Rows read, rows refused, and related rows folded into arrays or embedded, per table (row accounting). */
  readonly counts: BuildCounts = { rows: 0, refused: 0, folded: Object.create(null), embedded: Object.create(null) };
  private idNames?: string[];

  /**
   * Yields the documents; `where` (SQL on alias p) restricts the parent rows, e.g. for incremental sync. A row whose
   * key holds a NULL cannot have an `_id` (several would collide): it is refused through `opts.refuse`, never built.
   */
  *documents(
    warn: (w: RowWarning) => void,
    opts: { where?: string; params?: SqlValue[]; refuse?: (r: RefusedRow) => void } = {},
  ): Generator<BuiltDocument> {
    const params = opts.params ?? [];
    const { terms, nOrder, rest, at } = this.query.rowQuery(this.embeds, opts.where);
    const keyAt = this.query.keyColumns.map((c) => at.get(c) as number);
    const idAt = this.query.idColumns.map((c) => at.get(c) as number);
    const fieldAt = this.plan.fields.map((f) => at.get(f.column) as number);
    const ownerAt = this.plan.arrays.map((a) => at.get(a.ownerKeyColumn) as number);
    const root = this.query.root(opts.where);
    const streams = new Map<EmbedNode, Stream>();
    const junctions: JunctionArray[] = [];
    const allStreams: Stream[] = [];
    const open = (sql: string) => {
      const s = new Stream(iterateQuery(this.source, sql, params));
      allStreams.push(s);
      return s;
    };
    const fields = this.plan.fields;
    const converters = this.converters;
    const table = this.table.name;
    const idKind = this.plan.id.kind;
    const mayRefuse = idKind === 'column' || idKind === 'composite';
    const counts = this.counts;
    try {
      for (const a of this.plan.arrays) {
        const alone =
          !this.plan.filter &&
          !opts.where &&
          scansAlone(this.table, this.query.keyColumns, a, this.find(a.junctionTable));
        junctions.push(new JunctionArray(a, open(junctionSql(root, a, alone)), this.options, alone));
      }
      const arrays = arrayNodes(this.embeds);
      for (const n of arrays) streams.set(n, open(streamSql(root, n)));
      const filler = new EmbedFiller(streams, new Map(arrays.map((n) => [n, streamLayout(root, n)])), counts);
      const size = new DocumentSizeGuard(this.plan, arrays.length);
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
      let ordinal = 0;
      for (const row of iterateWideQuery(this.source, terms, nOrder, rest, params)) {
        ordinal++;
        counts.rows++;
        key = idKind === 'sequence' ? [BigInt(ordinal)] : keyAt.map((i) => row[i]);
        keyText = undefined;
        let refused = false;
        if (mayRefuse) for (const i of idAt) if (row[i] === null) refused = true;
        const doc: Document = {};
        if (!refused) doc._id = this.buildId(row, idAt, key, rowWarn);
        if (idKind === 'rowid') setField(doc, this.plan.id.rowidField, autoToBson(row[keyAt[0]]));
        for (let i = 0; i < fields.length; i++) {
          const value = converters[i](row[fieldAt[i]], rowWarn);
          if (value !== OMIT) setField(doc, fields[i].field, value);
        }
        const prefix = this.embeds.length > 0 ? row.slice(0, nOrder) : row;
        const slots = this.embeds.length > 0 ? [] : NO_SLOTS;
        if (firstDocuments.length > 0) filler.fill(doc, firstDocuments, row, prefix, rowWarn, slots);
        let boundBytes = roughBytes(row);
        for (let a = 0; a < junctions.length; a++) {
          const j = junctions[a];
          const values = j.take(row[ownerAt[a]], rowWarn);
          boundBytes += j.takenBytes;
          counts.folded[j.plan.junctionTable] = (counts.folded[j.plan.junctionTable] ?? 0) + values.length;
          setField(doc, j.plan.field, values);
        }
        if (firstArrays.length > 0) filler.fill(doc, firstArrays, row, prefix, rowWarn, slots);
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
              notComputed ??
              `the primary key ${this.query.idColumns.join(', ')} holds NULL, so the row cannot have an _id`,
          });
          continue;
        }
        referenceIfTooLarge(doc, slots, rowWarn);
        // Over 16 MiB no server stores it: say so now (export and dry run too), not only when the import refuses it.
        const oversize = size.oversize(doc, boundBytes);
        if (oversize !== undefined)
          rowWarn({ kind: 'document-too-large', column: '', value: `${oversize} bytes, over MongoDB's 16 MiB limit` });
        yield { doc, key };
      }
    } finally {
      for (const s of allStreams) s.close();
    }
  }

  /** The `_id` of a row whose id columns (at `idAt`) hold no NULL; `key` is its key: the rowid, or the row's number. */
  private buildId(row: SqlValue[], idAt: number[], key: SqlValue[], warn: (w: ConversionWarning) => void): unknown {
    const id = this.plan.id;
    for (let i = 0; i < idAt.length; i++) {
      const v = row[idAt[i]];
      if (v instanceof InvalidText) warn({ kind: 'invalid-utf8', column: this.query.idColumns[i], value: describe(v) });
    }
    if (id.kind === 'column') return autoToBson(row[idAt[0]]);
    if (id.kind === 'composite') {
      const sub: Document = {};
      const names = (this.idNames ??= compositeIdNames(id));
      // Key values are carried as their storage class: an `_id` must never be omitted or reinterpreted.
      for (let i = 0; i < idAt.length; i++) setField(sub, names[i], autoToBson(row[idAt[i]]));
      return sub;
    }
    return rowidObjectId(this.table.name, key[0] as bigint);
  }
}

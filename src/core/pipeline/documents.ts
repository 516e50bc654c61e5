import type { Document } from 'mongodb';
import { MigrationError } from '../errors';
import { DocumentBuilder } from '../convert/documents';
import { loadValue, storeValue, type CollectionRecord, type MigrationRecord } from '../history/records';
import { readNdjson, type NdjsonRow } from '../ndjson/reader';
import type { CollectionPlan } from '../plan/types';
import { findRelation, iterateQuery, quoteIdent, rowidAlias, type SqliteSource } from '../sqlite';
import type { SqlValue, TableInfo } from '../sqlite/types';
import type { SourceStage } from './source';
import { copiedWhole } from './writeMode';

export interface RowFilter {
  where?: string;
  params?: SqlValue[];
}

/** SQL for the watermark column on alias p; the rowid alias must stay bare (a quoted unknown name is a string). */
function watermarkRef(table: TableInfo, column: string): string {
  return column === 'rowid' ? `p.${rowidAlias(table) ?? 'rowid'}` : `p.${quoteIdent(column)}`;
}

/** --incremental by watermark: the parent rows at or past the previous run's watermark (re-copying the boundary is harmless). */
export function changedRowsFilter(
  src: SourceStage,
  plan: CollectionPlan,
  base: MigrationRecord | undefined,
): RowFilter {
  const table = findRelation(src.schema, plan.table);
  if (!table || !plan.incremental || copiedWhole(plan)) return {};
  const previous = base?.collections.find((c) => c.collection === plan.collection)?.watermark;
  if (!previous?.value || previous.column !== plan.incremental.column) return {};
  return { where: `${watermarkRef(table, plan.incremental.column)} >= ?`, params: [loadValue(previous.value)] };
}

/** Notes in the run's record the watermark this run copies up to: read before the rows, from the same snapshot. */
export function recordWatermark(
  source: SqliteSource,
  src: SourceStage,
  plan: CollectionPlan,
  entry: CollectionRecord | undefined,
): void {
  const table = findRelation(src.schema, plan.table);
  if (!plan.incremental || !entry || !table) return;
  const [max] = [
    ...iterateQuery(
      source,
      `SELECT max(${watermarkRef(table, plan.incremental.column)}) FROM ${quoteIdent(table.name)} AS p`,
    ),
  ][0];
  entry.watermark = { column: plan.incremental.column, value: storeValue(max) };
}

/** Builds the documents of one collection from SQLite, in source key order (`.documents()`; `.counts` for accounting). */
export function documentBuilder(src: Extract<SourceStage, { kind: 'sqlite' }>, plan: CollectionPlan): DocumentBuilder {
  return new DocumentBuilder(src.source, src.schema, plan, src.plan.options);
}

/**
 * The rows of an intermediate file, one collection after another: `documents(name)` yields that collection's rows
 * (the file keeps each collection's rows together) and stops at the first row of another one.
 */
export class FileCollections {
  private readonly rows: AsyncIterator<{ row: NdjsonRow } | object>;
  private pending: NdjsonRow | undefined;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly planned: Set<string>,
  ) {
    this.rows = readNdjson(file)[Symbol.asyncIterator]();
  }

  private async read(): Promise<NdjsonRow | undefined> {
    if (this.pending) {
      const r = this.pending;
      this.pending = undefined;
      return r;
    }
    while (!this.ended) {
      const next = await this.rows.next();
      if (next.done) this.ended = true;
      else if ('row' in next.value) {
        const { row } = next.value;
        if (!this.planned.has(row.collection))
          throw new MigrationError(
            'INPUT_FILE_INVALID',
            `${this.file}: line ${row.line} is for collection ${row.collection}, which the plan does not have.`,
          );
        return row;
      }
    }
    return undefined;
  }

  async *documents(collection: string): AsyncGenerator<{ doc: Document }> {
    for (let row = await this.read(); row; row = await this.read()) {
      if (row.collection !== collection) {
        this.pending = row;
        return;
      }
      yield { doc: row.doc };
    }
  }

  /** The collection of the next row, or undefined at the end of the file (after its end-marker check). */
  async nextCollection(): Promise<string | undefined> {
    this.pending = await this.read();
    return this.pending?.collection;
  }

  async close(): Promise<void> {
    await this.rows.return?.(undefined);
  }
}

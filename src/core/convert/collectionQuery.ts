/**
 * The SQL side of one planned collection: which columns key, order and identify its rows, the parent query that
 * selects every column once (with the LEFT JOINs of embedded documents), and the facts every stream repeats.
 * DocumentBuilder (documents.ts) turns the rows into documents.
 */
import { MigrationError } from '../errors';
import { iterateQuery, keyOrderColumns, quoteIdent, type SqliteSource } from '../sqlite';
import type { TableInfo } from '../sqlite/types';
import type { CollectionPlan } from '../plan/types';
import { filteredFrom } from '../plan/filter';
import { documentJoins, type EmbedNode, type RootQuery } from './embedTree';

/** The parent query: its select terms, how many lead terms order it, its FROM … ORDER BY tail, and each column's place. */
export interface RowQuery {
  terms: string[];
  nOrder: number;
  rest: string;
  at: Map<string, number>;
}

export class CollectionQuery {
  /** The columns rows are keyed and ordered by (none for a view: its rows are numbered, IdPlan 'sequence'). */
  readonly keyColumns: string[];
  /** The columns the `_id` is made of. */
  readonly idColumns: string[];

  constructor(
    private readonly source: SqliteSource,
    readonly table: TableInfo,
    private readonly plan: CollectionPlan,
    private readonly computedColumns: string[],
  ) {
    // A view has no key: its rows are numbered in the order of all their columns (IdPlan 'sequence'). A rowid
    // `_id` follows the rowid, also when the table has a primary key (one holding NULLs, see defaults.ts).
    const id = plan.id;
    this.keyColumns =
      id.kind === 'sequence'
        ? []
        : id.kind === 'rowid'
          ? keyOrderColumns({ ...table, primaryKey: [] })
          : keyOrderColumns(table);
    this.idColumns =
      id.kind === 'column'
        ? [id.column]
        : id.kind === 'composite'
          ? id.columns
          : id.kind === 'rowid'
            ? [this.keyColumns[0]]
            : [];
    if (plan.filter) this.checkFilter(plan.filter);
  }

  /** Column reference on alias p. The rowid alias stays bare: SQLite may read a quoted unknown name as a string. */
  private ref(column: string): string {
    return this.plan.id.kind === 'rowid' && column === this.keyColumns[0] ? `p.${column}` : `p.${quoteIdent(column)}`;
  }

  private orderColumns(): string[] {
    return this.plan.id.kind === 'sequence' ? this.table.columns.map((c) => c.name) : this.keyColumns;
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
  rowQuery(embeds: EmbedNode[], where?: string): RowQuery {
    const columns = [
      ...this.orderColumns(),
      ...this.idColumns,
      ...this.plan.fields.map((f) => f.column),
      ...this.plan.arrays.map((a) => a.ownerKeyColumn),
      ...this.computedColumns,
    ];
    const at = new Map<string, number>();
    const refs: string[] = [];
    for (const c of columns) {
      if (at.has(c)) continue;
      at.set(c, refs.length);
      refs.push(this.ref(c));
    }
    const joins = documentJoins(embeds, 'p', refs);
    const order = this.root().order.join(', ');
    const rest = `FROM ${this.parent()}${joins}${where ? ` WHERE ${where}` : ''} ORDER BY ${order}`;
    return { terms: refs, nOrder: this.orderColumns().length, rest, at };
  }

  /** What every stream of the collection repeats: the parent's order, FROM term and the caller's WHERE. */
  root(where?: string): RootQuery {
    return { order: this.orderColumns().map((c) => this.ref(c)), from: this.parent(), where };
  }
}

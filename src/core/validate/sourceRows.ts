/**
 * The SQLite side of the proof, read apart from the converter: each parent row of a planned collection with its
 * raw values by column name, plus the raw rows of each junction array and embedded table that belong to it. Every
 * relationship is one ordered query joined to the parent (SQLite orders both sides the same way), merged in step.
 */
import type { CollectionPlan } from '../plan/types';
import { filteredFrom } from '../plan/filter';
import { ComputedExpectations } from './computedCheck';
import { iterateQuery, iterateWideQuery, keyOrderColumns, rowidAlias, quoteIdent, type SqliteSource } from '../sqlite';
import { InvalidText, type SqlValue, type TableInfo } from '../sqlite/types';

export interface SourceRow {
  /** Raw values by column name (null-prototype: any column name is data). */
  values: Record<string, SqlValue>;
  /** The rowid (rowid tables), else undefined. */
  rowid?: bigint;
  /** 1-based position in the order of all columns (views). */
  ordinal: bigint;
  /** Per junction array of the plan: the value column of each junction row, in value order. */
  arrays: SqlValue[][];
  /** Per embed of the plan: each child row's values by column name (child key values under `key`). */
  embeds: Array<Array<{ values: Record<string, SqlValue>; key: SqlValue[] }>>;
}

/** Strict equality of raw values (1 and 1.0 and '1' differ; bytes by content). */
export function sameSql(a: SqlValue, b: SqlValue): boolean {
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof InvalidText && b instanceof InvalidText) return Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  return a === b;
}

/** The columns a plan reads from its parent table, each once. */
function parentColumns(plan: CollectionPlan, table: TableInfo): string[] {
  const cols = new Set<string>();
  if (plan.id.kind === 'column') cols.add(plan.id.column);
  if (plan.id.kind === 'composite') plan.id.columns.forEach((c) => cols.add(c));
  plan.fields.forEach((f) => cols.add(f.column));
  plan.arrays.forEach((a) => cols.add(a.ownerKeyColumn));
  (plan.embeds ?? []).forEach((e) => e.parentColumns.forEach((c) => cols.add(c)));
  if (plan.id.kind === 'sequence') table.columns.forEach((c) => cols.add(c.name));
  new ComputedExpectations(plan.computed).columns.forEach((c) => cols.add(c));
  return [...cols];
}

export class SourceRowReader {
  private readonly alias: string | undefined;
  /** SQL terms (on alias p) the parent rows are ordered by; the same terms order every related query. */
  private readonly order: string[];

  constructor(
    private readonly source: SqliteSource,
    private readonly table: TableInfo,
    private readonly plan: CollectionPlan,
    private readonly children: TableInfo[],
  ) {
    this.alias = table.view ? undefined : rowidAlias(table);
    if (plan.id.kind === 'sequence') this.order = table.columns.map((c) => `p.${quoteIdent(c.name)}`);
    else {
      this.order = table.primaryKey.map((c) => `p.${quoteIdent(c)}`);
      if (this.alias) this.order.push(`p.${this.alias}`);
      if (this.order.length === 0) keyOrderColumns(table); // throws the reader's own explanation
    }
  }

  private related(select: string[], from: string, on: string, where: string | undefined, extraOrder: string[]): string {
    return `SELECT ${[...this.order, ...select].join(', ')} FROM ${from} JOIN ${filteredFrom(this.table, this.plan.filter, 'p')} ON ${on}${where ? ` WHERE ${where}` : ''} ORDER BY ${[...this.order, ...extraOrder].join(', ')}`;
  }

  /** Yields every parent row (restricted by `where` on alias p) with its related rows. */
  *rows(opts: { where?: string; params?: SqlValue[] } = {}): Generator<SourceRow> {
    const { plan, table } = this;
    const params = opts.params ?? [];
    const cols = parentColumns(plan, table);
    const rowidTerm = this.alias ? `p.${this.alias}` : undefined;
    // Each term once: a table may have 2,000 columns (SQLite's limit, also for a result row).
    const terms = [
      ...new Set([...this.order, ...(rowidTerm ? [rowidTerm] : []), ...cols.map((c) => `p.${quoteIdent(c)}`)]),
    ];
    const at = new Map(terms.map((t, i) => [t, i]));
    const parentRows = iterateWideQuery(
      this.source,
      terms,
      this.order.length,
      `FROM ${filteredFrom(table, plan.filter, 'p')}${opts.where ? ` WHERE ${opts.where}` : ''} ORDER BY ${this.order.join(', ')}`,
      params,
    );
    const n = this.order.length;
    const streams = [
      ...plan.arrays.map((a) => {
        const sql = this.related(
          [`j.${quoteIdent(a.valueColumn)}`],
          `${quoteIdent(a.junctionTable)} AS j`,
          `p.${quoteIdent(a.ownerKeyColumn)} = j.${quoteIdent(a.ownerColumn)}`,
          opts.where,
          [`j.${quoteIdent(a.valueColumn)}`],
        );
        return iterateQuery(this.source, sql, params);
      }),
      ...(plan.embeds ?? []).map((e, i) => {
        const child = this.children[i];
        const childKey =
          child.primaryKey.length > 0
            ? child.primaryKey.map((c) => `c.${quoteIdent(c)}`)
            : [`c.${rowidAlias(child) ?? 'rowid'}`];
        const on = e.childColumns
          .map((c, k) => `c.${quoteIdent(c)} = p.${quoteIdent(e.parentColumns[k])}`)
          .join(' AND ');
        const sql = this.related(
          [...child.columns.map((c) => `c.${quoteIdent(c.name)}`), ...childKey],
          `${quoteIdent(child.name)} AS c`,
          on,
          opts.where,
          childKey,
        );
        return iterateQuery(this.source, sql, params);
      }),
    ];
    const heads = streams.map((s) => s.next().value ?? undefined);
    try {
      let ordinal = 0n;
      for (const r of parentRows) {
        ordinal++;
        const values: Record<string, SqlValue> = Object.create(null);
        for (const c of cols) values[c] = r[at.get(`p.${quoteIdent(c)}`) as number];
        const row: SourceRow = {
          values,
          ordinal,
          arrays: [],
          embeds: [],
          ...(rowidTerm ? { rowid: r[at.get(rowidTerm) as number] as bigint } : {}),
        };
        const orderKey = r.slice(0, n);
        streams.forEach((stream, s) => {
          const taken: SqlValue[][] = [];
          let h = heads[s];
          while (h && orderKey.every((v, k) => sameSql(v, (h as SqlValue[])[k]))) {
            taken.push(h.slice(n));
            h = stream.next().value ?? undefined;
          }
          heads[s] = h;
          if (s < plan.arrays.length) row.arrays.push(taken.map((t) => t[0]));
          else {
            const child = this.children[s - plan.arrays.length];
            row.embeds.push(
              taken.map((t) => {
                const v: Record<string, SqlValue> = Object.create(null);
                child.columns.forEach((c, k) => (v[c.name] = t[k]));
                return { values: v, key: t.slice(child.columns.length) };
              }),
            );
          }
        });
        yield row;
      }
    } finally {
      for (const s of streams) s.return(undefined);
    }
  }
}

/**
 * Row accounting: every row of every source table must end somewhere. Per table,
 *   rows read = documents written + rows folded or embedded + rows refused + rows skipped (with a stated reason);
 * whatever is left is unaccounted, and an unaccounted row fails the run (exit code ROWS_UNACCOUNTED). The rows
 * read and the rows a relationship can place (those with a parent row) are counted by SQLite itself; the rows
 * placed are counted by the document builder as it folds them, so a row dropped on the way shows up here.
 */
import type { BuildCounts, RefusedRow } from '../convert/documentParts';
import { filteredFrom } from '../plan/filter';
import type { EmbedPlan, MappingPlan } from '../plan/types';
import { iterateQuery, quoteIdent, type SqliteSource } from '../sqlite';
import type { SchemaInfo } from '../sqlite/types';

export interface TableAccount {
  table: string;
  /** Rows in the table (for an incremental run: the rows it copied again). */
  read: number;
  /** Rows that became documents the server (or the export file, when nothing is imported) took. */
  written: number;
  /** Rows folded into another collection's documents: junction rows as array entries, embedded rows. */
  folded: number;
  /** Rows the server refused, or that could not become documents (e.g. a NULL key); listed under errors. */
  refused: number;
  /** Rows deliberately left out, each group with its reason. */
  skipped: number;
  reasons: string[];
  /** read − (written + folded + refused + skipped): must be 0. */
  unaccounted: number;
}

/** What a collection's run did, as the pipeline counted it. */
export interface CollectionOutcome {
  collection: string;
  table: string;
  /** Documents the server took (or the file received, when nothing is imported). */
  written: number;
  /** Documents the server refused or did not take (duplicate _id in append mode). */
  refused: number;
}

function count(source: SqliteSource, sql: string): number {
  for (const [n] of iterateQuery(source, sql)) return Number(n);
  return 0;
}

/** A table's account before anything is counted: `read` rows, none yet written, folded, refused or skipped. */
export function openAccount(table: string, read = 0): TableAccount {
  return { table, read, written: 0, folded: 0, refused: 0, skipped: 0, reasons: [], unaccounted: 0 };
}

/** Collects what the export built, then settles the accounts. */
export class RowLedger {
  private readonly builds = new Map<string, BuildCounts>();
  readonly refusedRows: RefusedRow[] = [];

  refuse = (r: RefusedRow): void => {
    this.refusedRows.push(r);
  };

  built(collection: string, counts: BuildCounts): void {
    this.builds.set(collection, counts);
  }

  /** True when the export ran over every collection (accounting needs its counts). */
  covers(plan: MappingPlan): boolean {
    return plan.collections.every((c) => this.builds.has(c.collection));
  }

  account(
    source: SqliteSource,
    schema: SchemaInfo,
    plan: MappingPlan,
    outcomes: CollectionOutcome[],
    incremental: boolean,
  ): TableAccount[] {
    const accounts = new Map<string, TableAccount>();
    const of = (table: string): TableAccount => {
      let a = accounts.get(table);
      if (!a) {
        a = openAccount(table, schema.tables.find((x) => x.name === table)?.rowCount ?? 0);
        accounts.set(table, a);
      }
      return a;
    };
    const own = new Set<string>();
    for (const c of plan.collections) {
      const t = schema.tables.find((x) => x.name === c.table);
      if (!t) continue; // a view: it holds no rows of its own
      own.add(t.name);
      const a = of(t.name);
      const built = this.builds.get(c.collection);
      if (incremental && built) a.read = built.rows;
      const o = outcomes.find((x) => x.collection === c.collection);
      a.written += o?.written ?? 0;
      a.refused += (o?.refused ?? 0) + (built?.refused ?? 0);
      if (c.filter && !incremental)
        this.skip(
          a,
          a.read - count(source, `SELECT count(*) FROM ${filteredFrom(t, c.filter, 'p')}`),
          `left out by the plan's filter ${JSON.stringify(c.filter)}`,
        );
    }
    for (const c of plan.collections) {
      const built = this.builds.get(c.collection);
      const parentTable = schema.tables.find((x) => x.name === c.table);
      // Related rows count as placed only when their parent row is migrated (it passes the plan's filter).
      const parent = parentTable ? filteredFrom(parentTable, c.filter, 'p') : `${quoteIdent(c.table)} AS p`;
      for (const j of c.arrays) {
        if (own.has(j.junctionTable)) continue;
        const a = of(j.junctionTable);
        const orphans = count(
          source,
          `SELECT count(*) FROM ${quoteIdent(j.junctionTable)} AS j WHERE NOT EXISTS (SELECT 1 FROM ${parent} WHERE p.${quoteIdent(j.ownerKeyColumn)} = j.${quoteIdent(j.ownerColumn)})`,
        );
        a.folded += built?.folded[j.junctionTable] ?? 0;
        this.skip(
          a,
          orphans,
          `junction rows whose ${c.table} row is missing${c.filter ? ' or filtered out' : ''} or whose ${j.ownerColumn} is NULL (not in any ${c.collection}.${j.field} array)`,
        );
      }
      this.embedded(source, c, c.embeds, [], parent, own, of, built);
    }
    for (const s of plan.skipped) {
      if (own.has(s.table) || !schema.tables.some((t) => t.name === s.table)) continue;
      const a = of(s.table);
      if (a.folded > 0 || a.skipped > 0) continue; // folded or embedded: accounted above
      this.skip(a, a.read, s.reason);
    }
    for (const t of schema.tables) of(t.name);
    for (const a of accounts.values()) a.unaccounted = a.read - a.written - a.folded - a.refused - a.skipped;
    return [...accounts.values()];
  }

  /**
   * Embedded rows, at every depth: a row counts as placed when a chain of enclosing rows leads to a migrated parent
   * row (SQLite counts them); array items are the rows the builder embedded, looked-up documents the rows placed.
   */
  private embedded(
    source: SqliteSource,
    c: MappingPlan['collections'][number],
    embeds: EmbedPlan[] | undefined,
    chain: Array<{ plan: EmbedPlan; alias: string }>,
    parent: string,
    own: Set<string>,
    of: (table: string) => TableAccount,
    built: BuildCounts | undefined,
  ): void {
    for (const [i, e] of (embeds ?? []).entries()) {
      const alias = `${chain.at(-1)?.alias ?? 'a'}_${i}`;
      if (!own.has(e.table)) {
        const a = of(e.table);
        const { from, last } = chainFrom(chain, parent);
        const placed = count(
          source,
          `SELECT count(*) FROM ${quoteIdent(e.table)} AS c WHERE EXISTS (SELECT 1 FROM ${from} WHERE ${joinOn(e, 'c', last)})`,
        );
        // An array item is one child row; a looked-up document may serve many parents, so count child rows.
        a.folded += e.kind === 'array' ? (built?.embedded[e.table] ?? 0) : placed;
        const inside = [c.collection, ...chain.map((x) => x.plan.field), e.field].join('.');
        const by = chain.length > 0 ? chain[chain.length - 1].plan.table : c.table;
        this.skip(
          a,
          a.read - placed,
          `rows no ${c.filter || chain.length > 0 ? 'migrated ' : ''}${by} row refers to (not embedded in ${inside})`,
        );
      }
      this.embedded(source, c, e.embeds, [...chain, { plan: e, alias }], parent, own, of, built);
    }
  }

  private skip(a: TableAccount, rows: number, reason: string): void {
    if (rows <= 0) return;
    a.skipped += rows;
    a.reasons.push(`${rows} ${rows === 1 ? 'row' : 'rows'}: ${reason}`);
  }
}

function joinOn(e: EmbedPlan, child: string, parent: string): string {
  return e.childColumns
    .map((col, i) => `${child}.${quoteIdent(col)} = ${parent}.${quoteIdent(e.parentColumns[i])}`)
    .join(' AND ');
}

/** The FROM of an embed chain (outermost first) joined down to the parent `p`, and the innermost alias. */
function chainFrom(chain: Array<{ plan: EmbedPlan; alias: string }>, parent: string): { from: string; last: string } {
  if (chain.length === 0) return { from: parent, last: 'p' };
  const inner = [...chain].reverse();
  let from = `${quoteIdent(inner[0].plan.table)} AS ${inner[0].alias}`;
  inner.forEach((x, i) => {
    const outer = inner[i + 1];
    from += ` JOIN ${outer ? `${quoteIdent(outer.plan.table)} AS ${outer.alias}` : parent} ON ${joinOn(x.plan, x.alias, outer?.alias ?? 'p')}`;
  });
  return { from, last: inner[0].alias };
}

/** The one-line explanation of unaccounted rows for the run's error. */
export function unaccountedMessage(accounts: TableAccount[]): string | undefined {
  const bad = accounts.filter((a) => a.unaccounted !== 0);
  if (bad.length === 0) return undefined;
  const list = bad
    .map(
      (a) =>
        `${a.table} (${a.unaccounted > 0 ? `${a.unaccounted} of ${a.read} rows` : `${-a.unaccounted} rows counted twice`})`,
    )
    .join(', ');
  return `Rows not accounted for in ${list}: read ≠ written + folded + refused + skipped.`;
}

/**
 * The SQLite side of the proof, read apart from the converter: each parent row of a planned collection with its
 * raw values by column name, plus the raw rows of each junction array and embedded table that belong to it, at any
 * depth (an embed's rows nest under the child row they belong to). Every relationship is one ordered query joined
 * up to the parent (SQLite orders all sides the same way), merged in step: no query per row.
 */
import type { CollectionPlan, EmbedPlan } from '../plan/types';
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
  /** Per junction array with `valueDocument`: each element's referenced row by column name, or null when missing. */
  arrayRows: Array<Array<Record<string, SqlValue> | null>>;
  /** Per embed of the plan: its child rows (one at most for 'document'). */
  embeds: SourceChild[][];
}

/** A child row of an embed: all its columns by name, its key values, and per nested embed its own child rows. */
export interface SourceChild {
  values: Record<string, SqlValue>;
  key: SqlValue[];
  embeds: SourceChild[][];
}

/** An embed of the plan as the reader queries it: the child table under a unique alias, with its nested embeds. */
interface ReadNode {
  plan: EmbedPlan;
  table: TableInfo;
  alias: string;
  /** The child's key terms (primary key, else rowid) and, after them, a rowid that breaks ties of a key with NULLs. */
  key: string[];
  order: string[];
  ancestors: ReadNode[];
  children: ReadNode[];
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
  if (plan.id.kind === 'sequence') table.columns.forEach((c) => cols.add(c.name));
  new ComputedExpectations(plan.computed).columns.forEach((c) => cols.add(c));
  return [...cols];
}

function readNodes(
  embeds: EmbedPlan[] | undefined,
  find: (name: string) => TableInfo,
  ancestors: ReadNode[] = [],
  prefix = 'c',
): ReadNode[] {
  return (embeds ?? []).map((plan, i) => {
    const table = find(plan.table);
    const alias = `${prefix}${i}`;
    const rowid = table.view ? undefined : rowidAlias(table);
    const key =
      table.primaryKey.length > 0 ? table.primaryKey.map((c) => `${alias}.${quoteIdent(c)}`) : [`${alias}.${rowid}`];
    const order = table.primaryKey.length > 0 && rowid ? [...key, `${alias}.${rowid}`] : key;
    const node: ReadNode = { plan, table, alias, key, order, ancestors, children: [] };
    node.children = readNodes(plan.embeds, find, [...ancestors, node], `${alias}_`);
    return node;
  });
}

function allNodes(nodes: ReadNode[]): ReadNode[] {
  return nodes.flatMap((n) => [n, ...allNodes(n.children)]);
}

const on = (e: EmbedPlan, child: string, parent: string) =>
  e.childColumns.map((c, k) => `${child}.${quoteIdent(c)} = ${parent}.${quoteIdent(e.parentColumns[k])}`).join(' AND ');

/** A query being merged: its current row. */
interface Head {
  rows: Generator<SqlValue[]>;
  row: SqlValue[] | undefined;
}

export class SourceRowReader {
  private readonly alias: string | undefined;
  /** SQL terms (on alias p) the parent rows are ordered by; the same terms order every related query. */
  private readonly order: string[];
  private readonly nodes: ReadNode[];

  constructor(
    private readonly source: SqliteSource,
    private readonly table: TableInfo,
    private readonly plan: CollectionPlan,
    private readonly find: (name: string) => TableInfo,
  ) {
    this.alias = table.view ? undefined : rowidAlias(table);
    if (plan.id.kind === 'sequence') this.order = table.columns.map((c) => `p.${quoteIdent(c.name)}`);
    else {
      this.order = table.primaryKey.map((c) => `p.${quoteIdent(c)}`);
      if (this.alias) this.order.push(`p.${this.alias}`);
      if (this.order.length === 0) keyOrderColumns(table); // throws the reader's own explanation
    }
    this.nodes = readNodes(plan.embeds, find);
  }

  private parentFrom(): string {
    return filteredFrom(this.table, this.plan.filter, 'p');
  }

  private junctionSql(a: CollectionPlan['arrays'][number], where: string | undefined): string {
    const value = `j.${quoteIdent(a.valueColumn)}`;
    const ref = a.valueDocument;
    const select = [...this.order, value];
    let join = '';
    if (ref) {
      const refTable = this.find(ref.table);
      select.push(`r.${quoteIdent(ref.keyColumn)}`, ...refTable.columns.map((c) => `r.${quoteIdent(c.name)}`));
      join = ` LEFT JOIN ${quoteIdent(refTable.name)} AS r ON r.${quoteIdent(ref.keyColumn)} = ${value}`;
    }
    return `SELECT ${select.join(', ')} FROM ${quoteIdent(a.junctionTable)} AS j JOIN ${this.parentFrom()} ON p.${quoteIdent(a.ownerKeyColumn)} = j.${quoteIdent(a.ownerColumn)}${join}${where ? ` WHERE ${where}` : ''} ORDER BY ${[...this.order, value].join(', ')}`;
  }

  /** An embed's rows: the parent's order, each enclosing child's order, then all its columns, key and order. */
  private embedSql(n: ReadNode, where: string | undefined): string {
    const prefix = [...this.order, ...n.ancestors.flatMap((a) => a.order)];
    let from = `${quoteIdent(n.table.name)} AS ${n.alias}`;
    let inner = n;
    for (const a of [...n.ancestors].reverse()) {
      from += ` JOIN ${quoteIdent(a.table.name)} AS ${a.alias} ON ${on(inner.plan, inner.alias, a.alias)}`;
      inner = a;
    }
    from += ` JOIN ${this.parentFrom()} ON ${on(inner.plan, inner.alias, 'p')}`;
    const select = [...prefix, ...n.table.columns.map((c) => `${n.alias}.${quoteIdent(c.name)}`), ...n.key, ...n.order];
    return `SELECT ${select.join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''} ORDER BY ${[...prefix, ...n.order].join(', ')}`;
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
      `FROM ${this.parentFrom()}${opts.where ? ` WHERE ${opts.where}` : ''} ORDER BY ${this.order.join(', ')}`,
      params,
    );
    const open = (sql: string): Head => {
      const rows = iterateQuery(this.source, sql, params);
      return { rows, row: rows.next().value ?? undefined };
    };
    const heads: Head[] = [];
    const embedHeads = new Map<ReadNode, Head>();
    try {
      for (const a of plan.arrays) heads.push(open(this.junctionSql(a, opts.where)));
      for (const node of allNodes(this.nodes)) {
        const h = open(this.embedSql(node, opts.where));
        heads.push(h);
        embedHeads.set(node, h);
      }
      let ordinal = 0n;
      for (const r of parentRows) {
        ordinal++;
        const values: Record<string, SqlValue> = Object.create(null);
        for (const c of cols) values[c] = r[at.get(`p.${quoteIdent(c)}`) as number];
        const row: SourceRow = {
          values,
          ordinal,
          arrays: [],
          arrayRows: [],
          embeds: [],
          ...(rowidTerm ? { rowid: r[at.get(rowidTerm) as number] as bigint } : {}),
        };
        const prefix = r.slice(0, this.order.length);
        plan.arrays.forEach((a, i) => {
          const taken = take(heads[i], prefix);
          row.arrays.push(taken.map((t) => t[0]));
          const refTable = a.valueDocument ? this.find(a.valueDocument.table) : undefined;
          row.arrayRows.push(taken.map((t) => (refTable && t[1] !== null ? byName(refTable, t.slice(2)) : null)));
        });
        row.embeds = this.nodes.map((node) => this.children(node, prefix, embedHeads));
        yield row;
      }
    } finally {
      for (const h of heads) h.rows.return(undefined);
    }
  }

  /** The rows of `node` under the enclosing row whose order values are `prefix`, each with its nested rows. */
  private children(node: ReadNode, prefix: SqlValue[], heads: Map<ReadNode, Head>): SourceChild[] {
    const h = heads.get(node) as Head;
    const n = node.table.columns.length;
    return take(h, prefix).map((t) => ({
      values: byName(node.table, t),
      key: t.slice(n, n + node.key.length),
      embeds: node.children.map((c) => this.children(c, [...prefix, ...t.slice(n + node.key.length)], heads)),
    }));
  }
}

/** Takes the stream's rows (without the prefix) that belong to `prefix`. */
function take(h: Head, prefix: SqlValue[]): SqlValue[][] {
  const out: SqlValue[][] = [];
  while (h.row && prefix.every((v, k) => sameSql(v, (h.row as SqlValue[])[k]))) {
    out.push(h.row.slice(prefix.length));
    h.row = h.rows.next().value ?? undefined;
  }
  return out;
}

function byName(table: TableInfo, values: SqlValue[]): Record<string, SqlValue> {
  const v: Record<string, SqlValue> = Object.create(null);
  table.columns.forEach((c, k) => (v[c.name] = values[k]));
  return v;
}

/**
 * Embedded relationships at any depth (customers → orders → lines → product), prepared for the document builder.
 * Every 'array' embed is one ordered stream: a query joining its table to each enclosing table up to the
 * collection's own, ordered by the collection's key, then the key of each enclosing array item, then its own key —
 * the order the builder walks documents and items in, so all streams are merged in step and no query runs per row.
 * A 'document' embed rides in the query of its nearest enclosing stream (the parent query or an array's) as a LEFT
 * JOIN. Memory holds one document at a time, as for one level.
 */
import type { Document } from 'mongodb';
import { keyOrderColumns, quoteIdent, rowidAlias } from '../sqlite';
import type { SqlValue, TableInfo } from '../sqlite/types';
import type { EmbedPlan, PlanOptions } from '../plan/types';
import { assignFieldNames } from '../plan/fieldNames';
import { autoToBson, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { sameKeys, setField, type BuildCounts } from './documentParts';

/** One embedded relationship, prepared: converters, SQL alias, and (arrays) the key columns that order its rows. */
export interface EmbedNode {
  plan: EmbedPlan;
  child: TableInfo;
  /** Its alias in every query that reads it (unique in the tree: e0, e0_1, …). */
  alias: string;
  /** Field path from the document's root, for warnings ("orders.lines"). */
  path: string;
  converters: Converter[];
  /** The enclosing embeds, outermost first. */
  ancestors: EmbedNode[];
  children: EmbedNode[];
  /** 'array': the child's key columns, stored instead of the rows by the 16 MiB 'reference' policy. */
  childKey: string[];
  /** 'array': SQL terms that order its rows totally (the key, then the rowid where a key may hold NULLs). */
  orderTerms: string[];
  /** 'document': where its match marker sits in its stream's row (its fields follow). */
  at: number;
}

/** The enclosing query's facts every stream repeats: the parent's order terms, its FROM term and the caller's WHERE. */
export interface RootQuery {
  order: string[];
  from: string;
  where?: string;
}

const column = (alias: string, table: TableInfo, name: string): string =>
  // A rowid alias (no such column) must stay bare: SQLite may read a quoted unknown name as a string.
  table.columns.some((c) => c.name === name) ? `${alias}.${quoteIdent(name)}` : `${alias}.${name}`;

/** Prepares `embeds` (and their nested embeds) of a table; `find` resolves a table name or throws a plan error. */
export function prepareEmbeds(
  embeds: EmbedPlan[] | undefined,
  find: (name: string) => TableInfo,
  options: PlanOptions,
  ancestors: EmbedNode[] = [],
  aliasPrefix = 'e',
  pathPrefix = '',
): EmbedNode[] {
  return (embeds ?? []).map((plan, i) => {
    const child = find(plan.table);
    const childKey = plan.kind === 'array' ? keyOrderColumns(child) : [];
    const alias = `${aliasPrefix}${i}`;
    const rowid = child.primaryKey.length > 0 && !child.view ? rowidAlias(child) : undefined;
    const node: EmbedNode = {
      plan,
      child,
      alias,
      path: `${pathPrefix}${plan.field}`,
      converters: plan.fields.map((f) => makeConverter(f, options)),
      ancestors,
      children: [],
      childKey,
      orderTerms: [...childKey, ...(plan.kind === 'array' && rowid ? [rowid] : [])].map((c) => column(alias, child, c)),
      at: -1,
    };
    node.children = prepareEmbeds(plan.embeds, find, options, [...ancestors, node], `${alias}_`, `${node.path}.`);
    return node;
  });
}

/** Every 'array' embed of the tree, at any depth (each is one stream). */
export function arrayNodes(nodes: EmbedNode[]): EmbedNode[] {
  return nodes.flatMap((n) => [...(n.plan.kind === 'array' ? [n] : []), ...arrayNodes(n.children)]);
}

function joinOn(plan: EmbedPlan, childAlias: string, parentAlias: string): string {
  return plan.childColumns
    .map((c, i) => `${childAlias}.${quoteIdent(c)} = ${parentAlias}.${quoteIdent(plan.parentColumns[i])}`)
    .join(' AND ');
}

/**
 * Adds to `refs` the match marker (first join column) and fields of each 'document' embed read by the stream whose
 * alias is `owner` (its document embeds, theirs, …), sets their `at`, and returns the LEFT JOINs they need.
 */
export function documentJoins(nodes: EmbedNode[], owner: string, refs: string[]): string {
  let joins = '';
  for (const n of nodes) {
    if (n.plan.kind !== 'document') continue;
    n.at = refs.length;
    refs.push(
      `${n.alias}.${quoteIdent(n.plan.childColumns[0])}`,
      ...n.plan.fields.map((f) => `${n.alias}.${quoteIdent(f.column)}`),
    );
    joins += ` LEFT JOIN ${quoteIdent(n.child.name)} AS ${n.alias} ON ${joinOn(n.plan, n.alias, owner)}`;
    joins += documentJoins(n.children, n.alias, refs);
  }
  return joins;
}

/** Where an array stream's columns sit in its rows. */
export interface StreamLayout {
  prefix: number;
  fields: number;
  key: number;
  order: number;
}

export function streamLayout(root: RootQuery, n: EmbedNode): StreamLayout {
  const enclosing = n.ancestors.filter((a) => a.plan.kind === 'array');
  const prefix = root.order.length + enclosing.reduce((s, a) => s + a.orderTerms.length, 0);
  return { prefix, fields: n.plan.fields.length, key: n.childKey.length, order: n.orderTerms.length };
}

/**
 * The query of an 'array' embed's stream: the prefix (parent order terms, each enclosing array's order terms), its
 * fields, its key, its order terms, then its document embeds; inner joins up to the parent, in the parent's order.
 */
export function streamSql(root: RootQuery, n: EmbedNode): string {
  const enclosing = n.ancestors.filter((a) => a.plan.kind === 'array');
  const prefix = [...root.order, ...enclosing.flatMap((a) => a.orderTerms)];
  const refs = [
    ...prefix,
    ...n.plan.fields.map((f) => `${n.alias}.${quoteIdent(f.column)}`),
    ...n.childKey.map((c) => column(n.alias, n.child, c)),
    ...n.orderTerms,
  ];
  let from = `${quoteIdent(n.child.name)} AS ${n.alias}`;
  const chain = [...n.ancestors].reverse();
  let inner = n;
  for (const a of chain) {
    from += ` JOIN ${quoteIdent(a.child.name)} AS ${a.alias} ON ${joinOn(inner.plan, inner.alias, a.alias)}`;
    inner = a;
  }
  from += ` JOIN ${root.from} ON ${joinOn(inner.plan, inner.alias, 'p')}`;
  from += documentJoins(n.children, n.alias, refs);
  return `SELECT ${refs.join(', ')} FROM ${from}${root.where ? ` WHERE ${root.where}` : ''} ORDER BY ${[...prefix, ...n.orderTerms].join(', ')}`;
}

/** A stream being merged: its current row, advanced as rows are taken. */
export class Stream {
  head: SqlValue[] | undefined;
  constructor(private readonly rows: Generator<SqlValue[]>) {
    this.head = rows.next().value ?? undefined;
  }
  advance(): void {
    this.head = this.rows.next().value ?? undefined;
  }
  close(): void {
    this.rows.return(undefined);
  }
}

/** An embedded array under the 'reference' policy, and its child keys, should the document pass 16 MiB. */
export interface ReferenceSlot {
  node: EmbedNode;
  target: Document;
  name: string;
  keys: unknown[];
}

/** Fills one document's embeds from its row and the streams, at every depth. */
export class EmbedFiller {
  constructor(
    private readonly streams: Map<EmbedNode, Stream>,
    private readonly layouts: Map<EmbedNode, StreamLayout>,
    private readonly counts: BuildCounts,
  ) {}

  /**
   * Fills `nodes` into `target`: document embeds from `row` (the enclosing stream's row), arrays from their streams'
   * rows whose prefix is `prefix`. `names` prefixes field names (a merged document's fields land in its parent).
   */
  fill(
    target: Document,
    nodes: EmbedNode[],
    row: SqlValue[],
    prefix: SqlValue[],
    warn: (w: ConversionWarning) => void,
    slots: ReferenceSlot[],
    names = '',
  ): void {
    for (const n of nodes) {
      const name = names + n.plan.field;
      if (n.plan.kind === 'document') {
        if (row[n.at] === null) {
          if (!n.plan.merge) setField(target, name, null);
          continue;
        }
        this.count(n, 1);
        const merged = n.plan.merge ? names + (n.plan.mergePrefix ?? '') : '';
        const sub: Document = n.plan.merge ? target : {};
        this.convert(sub, n, row, n.at + 1, merged, warn);
        this.fill(sub, n.children, row, prefix, warn, slots, merged);
        if (!n.plan.merge) setField(target, name, sub);
        continue;
      }
      const stream = this.streams.get(n) as Stream;
      const at = this.layouts.get(n) as StreamLayout;
      const items: Document[] = [];
      const keys: unknown[] = [];
      for (let r = stream.head; r && sameKeys(r, prefix); r = stream.head) {
        const item: Document = {};
        this.convert(item, n, r, at.prefix, '', warn);
        const keyAt = at.prefix + at.fields;
        keys.push(childKeyValue(n, r.slice(keyAt, keyAt + at.key)));
        const itemPrefix = [...prefix, ...r.slice(keyAt + at.key, keyAt + at.key + at.order)];
        this.fill(item, n.children, r, itemPrefix, warn, slots);
        items.push(item);
        stream.advance();
      }
      this.count(n, items.length);
      setField(target, name, items);
      if (n.plan.onTooLarge === 'reference') slots.push({ node: n, target, name, keys });
    }
  }

  private count(n: EmbedNode, rows: number): void {
    this.counts.embedded[n.child.name] = (this.counts.embedded[n.child.name] ?? 0) + rows;
  }

  private convert(
    target: Document,
    n: EmbedNode,
    row: SqlValue[],
    from: number,
    names: string,
    warn: (w: ConversionWarning) => void,
  ): void {
    for (let i = 0; i < n.plan.fields.length; i++) {
      const value = n.converters[i](row[from + i], warn);
      if (value !== OMIT) setField(target, names + n.plan.fields[i].field, value);
    }
  }
}

/** A child's key as stored in place of the embedded row: the value for a single-column key, else a sub-document. */
function childKeyValue(n: EmbedNode, values: SqlValue[]): unknown {
  if (values.length === 1) return autoToBson(values[0]);
  const sub: Document = {};
  const names = assignFieldNames(n.childKey);
  n.childKey.forEach((_, i) => setField(sub, names[i], autoToBson(values[i])));
  return sub;
}

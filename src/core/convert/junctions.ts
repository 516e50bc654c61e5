/**
 * Junction tables folded into their owner as arrays: of the referenced ids, or (`valueDocument`) of sub-documents of
 * the referenced rows (`tags: [{ _id: 1, name: 'x' }]`). One ordered query per junction, joined to the parent (and
 * LEFT JOINed to the referenced table), merged alongside the parent rows.
 */
import type { Document } from 'mongodb';
import { quoteIdent } from '../sqlite';
import type { SqlValue, TableInfo } from '../sqlite/types';
import type { ArrayFieldPlan, PlanOptions } from '../plan/types';
import { autoToBson, describe, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { roughBytes, sameKey, setField } from './documentParts';
import { nameBytes } from './documentSize';
import type { RootQuery, Stream } from './embedTree';

/**
 * The junction rows in parent order. Joined to the parent, SQLite orders both sides the same way; `alone` (see
 * scansAlone) reads the junction table by itself, in owner order — about a third of the cost, as it seeks no
 * parent row per junction row; the rows of owners the parent does not have are then skipped by the merge.
 */
export function junctionSql(root: RootQuery, a: ArrayFieldPlan, alone: boolean): string {
  const owner = `j.${quoteIdent(a.ownerColumn)}`;
  const parentKey = alone ? owner : `p.${quoteIdent(a.ownerKeyColumn)}`;
  const value = `j.${quoteIdent(a.valueColumn)}`;
  const ref = a.valueDocument;
  const select = [parentKey, value];
  let join = '';
  if (ref) {
    select.push(`r.${quoteIdent(ref.keyColumn)}`, ...ref.fields.map((f) => `r.${quoteIdent(f.column)}`));
    join = ` LEFT JOIN ${quoteIdent(ref.table)} AS r ON r.${quoteIdent(ref.keyColumn)} = ${value}`;
  }
  const from = `${quoteIdent(a.junctionTable)} AS j`;
  if (alone) return `SELECT ${select.join(', ')} FROM ${from}${join} ORDER BY ${owner}, ${value}`;
  return `SELECT ${select.join(', ')} FROM ${from} JOIN ${root.from} ON ${parentKey} = ${owner}${join}${root.where ? ` WHERE ${root.where}` : ''} ORDER BY ${[...root.order, value].join(', ')}`;
}

/**
 * Whether the junction table can be read alone, merged with the parent rows by comparing integers: the parent is
 * read whole (no filter or WHERE), ordered by the owner key alone, which is its rowid (INTEGER PRIMARY KEY: every
 * value an integer, no pk index), and the junction's owner column has INTEGER affinity — so the values the join
 * would match are exactly the integers equal to a parent key, and they sort as integers do.
 */
export function scansAlone(parent: TableInfo, order: string[], a: ArrayFieldPlan, junction: TableInfo): boolean {
  const key = parent.primaryKey;
  const rowidKey =
    !parent.withoutRowid &&
    !parent.view &&
    key.length === 1 &&
    !parent.indexes.some((i) => i.origin === 'pk') &&
    /^integer$/i.test(parent.columns.find((c) => c.name === key[0])?.declaredType ?? '');
  const owner = junction.view ? undefined : junction.columns.find((c) => c.name === a.ownerColumn);
  return (
    rowidKey &&
    order.length === 1 &&
    order[0] === key[0] &&
    a.ownerKeyColumn === key[0] &&
    owner !== undefined &&
    /INT/i.test(owner.declaredType)
  );
}

/** In SQLite's order, a junction owner value that sorts before the integer parent key `key` (NULL, a lower number). */
function before(owner: SqlValue, key: SqlValue): boolean {
  return owner === null || ((typeof owner === 'bigint' || typeof owner === 'number') && owner < (key as bigint));
}

/** Collects one junction array's elements for the parent row whose owner key is `ownerKey`. */
export class JunctionArray {
  private readonly converters: Converter[];
  /** An upper bound of one element's names: its index (at most 9 digits) and a value document's field names. */
  private readonly elementNameBytes: number;
  /** An upper bound of the BSON bytes of the last array taken (see DocumentSizeGuard). */
  takenBytes = 0;

  constructor(
    readonly plan: ArrayFieldPlan,
    private readonly stream: Stream,
    options: PlanOptions,
    /** The stream reads the junction table alone (junctionSql): rows of owners the parent lacks are skipped. */
    private readonly alone = false,
  ) {
    this.converters = (plan.valueDocument?.fields ?? []).map((f) => makeConverter(f, options));
    this.elementNameBytes = 16 + nameBytes((plan.valueDocument?.fields ?? []).map((f) => f.field));
  }

  /** The elements (and the stream moved past them); a value whose referenced row is missing stays a bare id, warned. */
  take(ownerKey: SqlValue, warn: (w: ConversionWarning) => void): unknown[] {
    const values: unknown[] = [];
    const ref = this.plan.valueDocument;
    let bytes = 0;
    if (this.alone) while (this.stream.head && before(this.stream.head[0], ownerKey)) this.stream.advance();
    for (let j = this.stream.head; j && sameKey(j[0], ownerKey); j = this.stream.head) {
      bytes += roughBytes(j) + this.elementNameBytes;
      if (!ref) values.push(autoToBson(j[1]));
      else if (j[2] === null) {
        values.push(autoToBson(j[1]));
        warn({ kind: 'dangling-reference', column: this.plan.field, value: `${describe(j[1])} not in ${ref.table}` });
      } else {
        const sub: Document = {};
        ref.fields.forEach((f, i) => {
          const v = this.converters[i](j[3 + i], warn);
          if (v !== OMIT) setField(sub, f.field, v);
        });
        values.push(sub);
      }
      this.stream.advance();
    }
    this.takenBytes = bytes;
    return values;
  }
}

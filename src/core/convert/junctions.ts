/**
 * Junction tables folded into their owner as arrays: of the referenced ids, or (`valueDocument`) of sub-documents of
 * the referenced rows (`tags: [{ _id: 1, name: 'x' }]`). One ordered query per junction, joined to the parent (and
 * LEFT JOINed to the referenced table), merged alongside the parent rows.
 */
import type { Document } from 'mongodb';
import { quoteIdent } from '../sqlite';
import type { SqlValue } from '../sqlite/types';
import type { ArrayFieldPlan, PlanOptions } from '../plan/types';
import { autoToBson, describe, makeConverter, OMIT, type ConversionWarning, type Converter } from './values';
import { roughBytes, sameKey, setField } from './documentParts';
import { nameBytes } from './documentSize';
import type { RootQuery, Stream } from './embedTree';

/** The junction rows in parent order: joining on the parent makes SQLite order both sides the same way. */
export function junctionSql(root: RootQuery, a: ArrayFieldPlan): string {
  const parentKey = `p.${quoteIdent(a.ownerKeyColumn)}`;
  const value = `j.${quoteIdent(a.valueColumn)}`;
  const ref = a.valueDocument;
  const select = [parentKey, value];
  let join = '';
  if (ref) {
    select.push(`r.${quoteIdent(ref.keyColumn)}`, ...ref.fields.map((f) => `r.${quoteIdent(f.column)}`));
    join = ` LEFT JOIN ${quoteIdent(ref.table)} AS r ON r.${quoteIdent(ref.keyColumn)} = ${value}`;
  }
  return `SELECT ${select.join(', ')} FROM ${quoteIdent(a.junctionTable)} AS j JOIN ${root.from} ON ${parentKey} = j.${quoteIdent(a.ownerColumn)}${join}${root.where ? ` WHERE ${root.where}` : ''} ORDER BY ${[...root.order, value].join(', ')}`;
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
  ) {
    this.converters = (plan.valueDocument?.fields ?? []).map((f) => makeConverter(f, options));
    this.elementNameBytes = 16 + nameBytes((plan.valueDocument?.fields ?? []).map((f) => f.field));
  }

  /** The elements (and the stream moved past them); a value whose referenced row is missing stays a bare id, warned. */
  take(ownerKey: SqlValue, warn: (w: ConversionWarning) => void): unknown[] {
    const values: unknown[] = [];
    const ref = this.plan.valueDocument;
    let bytes = 0;
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

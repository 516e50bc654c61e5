/**
 * The proof's judgement of one document (proof.ts): every planned field, array entry and embedded row against the
 * raw SQLite row it must come from, with the `carries` relation (faithful.ts), and no field more.
 */
import type { Document } from 'mongodb';
import { parseZoneOffset } from '../convert/dates';
import type { CollectionPlan, FieldPlan, PlanOptions } from '../plan/types';
import type { SqlValue } from '../sqlite/types';
import { showValue, type Mismatch } from './compare';
import { carriesComputed, ComputedExpectations, describeComputed } from './computedCheck';
import { carries, carriesAsStored, describeSql, type CarryRule } from './faithful';
import type { SourceRow } from './sourceRows';

function ruleOf(f: FieldPlan, options: PlanOptions): CarryRule {
  const fixed = parseZoneOffset(options.timezone);
  return {
    type: f.type,
    omitNull: (f.nulls ?? options.nulls) === 'omit',
    epoch: f.epoch,
    offsetMinutes: fixed ?? 0,
    ...(fixed === null ? { zone: options.timezone } : {}),
  };
}

/** Checks one document against its source row: every planned field, every array entry, no field more. */
export class DocumentCheck {
  private readonly rules: CarryRule[];
  private readonly embedRules: CarryRule[][];
  private readonly computed: ComputedExpectations;

  constructor(
    private readonly plan: CollectionPlan,
    options: PlanOptions,
  ) {
    this.rules = plan.fields.map((f) => ruleOf(f, options));
    this.embedRules = (plan.embeds ?? []).map((e) => e.fields.map((f) => ruleOf(f, options)));
    this.computed = new ComputedExpectations(plan.computed);
  }

  /** True when a computed field cannot be evaluated for the row: the builder refuses such a row. */
  uncomputable(row: SourceRow): boolean {
    return this.computed.fields.length > 0 && this.computed.expected(row.values).some((c) => c.error !== undefined);
  }

  document(doc: Document, row: SourceRow, collection: string, id: string): Mismatch[] {
    const out: Mismatch[] = [];
    const expectedKeys = new Set<string>(['_id']);
    const differ = (path: string, v: string, a: unknown, present: boolean) =>
      out.push({
        collection,
        id,
        kind: present ? 'value-differs' : 'missing-field',
        path,
        expected: v,
        ...(present ? { actual: showValue(a) } : {}),
      });
    const field = (target: Document, path: string, name: string, v: SqlValue, rule: CarryRule) => {
      const present = Object.hasOwn(target, name);
      if (carries(present, target[name], v, rule)) differ(path, expectation(v, rule), target[name], present);
    };
    const plan = this.plan;
    if (plan.id.kind === 'rowid') {
      expectedKeys.add(plan.id.rowidField);
      const v = row.rowid as bigint;
      if (!carriesAsStored(doc[plan.id.rowidField], v))
        differ(plan.id.rowidField, `rowid ${v}`, doc[plan.id.rowidField], Object.hasOwn(doc, plan.id.rowidField));
    }
    plan.fields.forEach((f, i) => {
      expectedKeys.add(f.field);
      field(doc, f.field, f.field, row.values[f.column], this.rules[i]);
    });
    plan.arrays.forEach((a, i) => {
      expectedKeys.add(a.field);
      this.list(doc[a.field], row.arrays[i], a.field, collection, id, out, (item, v) => carriesAsStored(item, v));
    });
    (plan.embeds ?? []).forEach((e, i) => {
      const children = row.embeds[i];
      if (e.kind === 'document') {
        const child = children[0];
        if (e.merge) {
          e.fields.forEach((f, k) => {
            const name = `${e.mergePrefix ?? ''}${f.field}`;
            expectedKeys.add(name);
            if (child) field(doc, name, name, child.values[f.column], this.embedRules[i][k]);
            else if (Object.hasOwn(doc, name))
              out.push({ collection, id, kind: 'extra-field', path: name, actual: showValue(doc[name]) });
          });
          return;
        }
        expectedKeys.add(e.field);
        if (!child) {
          if (doc[e.field] !== null)
            differ(e.field, `null (no ${e.table} row matches)`, doc[e.field], Object.hasOwn(doc, e.field));
          return;
        }
        this.subDocument(doc[e.field], e.field, child.values, i, collection, id, out);
        return;
      }
      expectedKeys.add(e.field);
      const items = doc[e.field];
      const referenced =
        e.onTooLarge === 'reference' && Array.isArray(items) && items.length > 0 && !isPlainObject(items[0]);
      if (referenced)
        this.list(
          items,
          children.map((c) => c.key),
          e.field,
          collection,
          id,
          out,
          (item, key) => carriesAsStored(item, (key as unknown as SqlValue[])[0]),
        );
      else
        this.list(items, children, e.field, collection, id, out, (item, child, path) =>
          this.subDocument(item, path, child.values, i, collection, id, out),
        );
    });
    for (const c of this.computed.expected(row.values)) {
      expectedKeys.add(c.field);
      const present = Object.hasOwn(doc, c.field);
      if (!present || !carriesComputed(doc[c.field], c.value ?? null))
        differ(c.field, `computed ${describeComputed(c.value ?? null)}`, doc[c.field], present);
    }
    for (const k of Object.keys(doc))
      if (!expectedKeys.has(k)) out.push({ collection, id, kind: 'extra-field', path: k, actual: showValue(doc[k]) });
    return out;
  }

  /** An array whose entries must match `expected` one by one, in order. */
  private list<T>(
    actual: unknown,
    expected: T[],
    path: string,
    collection: string,
    id: string,
    out: Mismatch[],
    matches: (item: unknown, e: T, path: string) => boolean | void,
  ): void {
    if (!Array.isArray(actual)) {
      out.push({
        collection,
        id,
        kind: 'type-differs',
        path,
        expected: `array of ${expected.length}`,
        actual: showValue(actual),
      });
      return;
    }
    if (actual.length !== expected.length)
      out.push({
        collection,
        id,
        kind: 'value-differs',
        path,
        expected: `${expected.length} entries`,
        actual: `${actual.length} entries`,
      });
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++) {
      if (matches(actual[i], expected[i], `${path}.${i}`) === false) {
        const e = expected[i];
        out.push({
          collection,
          id,
          kind: 'value-differs',
          path: `${path}.${i}`,
          expected: Array.isArray(e) ? e.map((x) => describeSql(x as SqlValue)).join(', ') : describeSql(e as SqlValue),
          actual: showValue(actual[i]),
        });
      }
    }
  }

  private subDocument(
    actual: unknown,
    path: string,
    values: Record<string, SqlValue>,
    embed: number,
    collection: string,
    id: string,
    out: Mismatch[],
  ): void {
    const e = (this.plan.embeds ?? [])[embed];
    if (!isPlainObject(actual)) {
      out.push({
        collection,
        id,
        kind: 'type-differs',
        path,
        expected: `sub-document of ${e.table}`,
        actual: showValue(actual),
      });
      return;
    }
    const sub = actual as Document;
    e.fields.forEach((f, k) => {
      const present = Object.hasOwn(sub, f.field);
      const rule = this.embedRules[embed][k];
      if (carries(present, sub[f.field], values[f.column], rule))
        out.push({
          collection,
          id,
          kind: present ? 'value-differs' : 'missing-field',
          path: `${path}.${f.field}`,
          expected: expectation(values[f.column], rule),
          ...(present ? { actual: showValue(sub[f.field]) } : {}),
        });
    });
    const names = new Set(e.fields.map((f) => f.field));
    for (const k of Object.keys(sub))
      if (!names.has(k))
        out.push({ collection, id, kind: 'extra-field', path: `${path}.${k}`, actual: showValue(sub[k]) });
  }
}

/** What a mismatch expected: the SQLite value, and the planned type when one applies. */
function expectation(v: SqlValue, rule: CarryRule): string {
  if (v === null) return rule.omitNull ? 'NULL (field left out)' : 'NULL';
  return rule.type === 'auto' ? describeSql(v) : `${describeSql(v)} as ${rule.type}`;
}

function isPlainObject(v: unknown): boolean {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    (v as { _bsontype?: string })._bsontype === undefined &&
    !(v instanceof Date)
  );
}

/**
 * One document against the SQLite rows it must come from (sourceRows.ts): every planned field, every junction array
 * entry, every embedded row at any depth, and no field more. Values are judged with the `carries` relation
 * (faithful.ts), never by the converter; a mismatch names its path (`orders.2.lines.0.product.title`).
 */
import type { Document } from 'mongodb';
import type { ArrayFieldPlan, CollectionPlan, EmbedPlan, FieldPlan, PlanOptions } from '../plan/types';
import { parseZoneOffset } from '../convert/dates';
import type { SqlValue } from '../sqlite/types';
import { showValue, type Mismatch } from './compare';
import { carries, carriesAsStored, describeSql, type CarryRule } from './faithful';
import type { SourceChild, SourceRow } from './sourceRows';
import { carriesComputed, ComputedExpectations, describeComputed } from './computedCheck';

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

/** Checks one document against its source row. */
export class DocumentCheck {
  private readonly rules = new Map<FieldPlan, CarryRule>();
  private readonly computed: ComputedExpectations;
  private out: Mismatch[] = [];
  private collection = '';
  private id = '';

  constructor(
    private readonly plan: CollectionPlan,
    private readonly options: PlanOptions,
  ) {
    this.computed = new ComputedExpectations(plan.computed);
  }

  /** True when a computed field cannot be evaluated for the row: the builder refuses such a row. */
  uncomputable(row: SourceRow): boolean {
    return this.computed.fields.length > 0 && this.computed.expected(row.values).some((c) => c.error !== undefined);
  }

  document(doc: Document, row: SourceRow, collection: string, id: string): Mismatch[] {
    this.out = [];
    this.collection = collection;
    this.id = id;
    const expectedKeys = new Set<string>(['_id']);
    const plan = this.plan;
    if (plan.id.kind === 'rowid') {
      expectedKeys.add(plan.id.rowidField);
      const v = row.rowid as bigint;
      if (!carriesAsStored(doc[plan.id.rowidField], v))
        this.differ(plan.id.rowidField, `rowid ${v}`, doc[plan.id.rowidField], Object.hasOwn(doc, plan.id.rowidField));
    }
    this.fields(doc, '', plan.fields, row.values, expectedKeys);
    plan.arrays.forEach((a, i) => {
      expectedKeys.add(a.field);
      this.junction(doc[a.field], a, row.arrays[i], row.arrayRows[i]);
    });
    this.embeds(doc, '', '', plan.embeds ?? [], row.embeds, expectedKeys);
    for (const c of this.computed.expected(row.values)) {
      expectedKeys.add(c.field);
      const present = Object.hasOwn(doc, c.field);
      if (!present || !carriesComputed(doc[c.field], c.value ?? null))
        this.differ(c.field, `computed ${describeComputed(c.value ?? null)}`, doc[c.field], present);
    }
    this.extraFields(doc, '', expectedKeys);
    return this.out;
  }

  private push(m: Omit<Mismatch, 'collection' | 'id'>): void {
    this.out.push({ collection: this.collection, id: this.id, ...m });
  }

  private differ(path: string, expected: string, actual: unknown, present: boolean): void {
    this.push({
      kind: present ? 'value-differs' : 'missing-field',
      path,
      expected,
      ...(present ? { actual: showValue(actual) } : {}),
    });
  }

  private rule(f: FieldPlan): CarryRule {
    let r = this.rules.get(f);
    if (!r) this.rules.set(f, (r = ruleOf(f, this.options)));
    return r;
  }

  /** Planned fields of `target` (names after `names`, a merged document's prefix), reported under `path`. */
  private fields(
    target: Document,
    path: string,
    fields: FieldPlan[],
    values: Record<string, SqlValue>,
    expectedKeys: Set<string>,
    names = '',
  ): void {
    for (const f of fields) {
      const name = names + f.field;
      expectedKeys.add(name);
      const present = Object.hasOwn(target, name);
      const rule = this.rule(f);
      const v = values[f.column];
      if (carries(present, target[name], v, rule))
        this.differ(path + name, expectation(v, rule), target[name], present);
    }
  }

  private extraFields(target: Document, path: string, expectedKeys: Set<string>): void {
    for (const k of Object.keys(target))
      if (!expectedKeys.has(k)) this.push({ kind: 'extra-field', path: path + k, actual: showValue(target[k]) });
  }

  /** A junction array: the ids in value order, or (valueDocument) sub-documents of the referenced rows. */
  private junction(
    actual: unknown,
    a: ArrayFieldPlan,
    values: SqlValue[],
    rows: Array<Record<string, SqlValue> | null>,
  ) {
    const ref = a.valueDocument;
    this.list(actual, values, a.field, (item, v, i, path) => {
      const row = rows[i];
      if (!ref || row === null) return carriesAsStored(item, v);
      this.subDocument(item, path, `${ref.table} row ${describeSql(v)}`, ref.fields, row, [], []);
      return true;
    });
  }

  /** Embeds of `target` (at `path`; a merged document's fields after `names`) against their rows. */
  private embeds(
    target: Document,
    path: string,
    names: string,
    embeds: EmbedPlan[],
    rows: SourceChild[][],
    expectedKeys: Set<string>,
  ): void {
    embeds.forEach((e, i) => {
      const children = rows[i] ?? [];
      const name = names + e.field;
      if (e.kind === 'document') {
        const child = children[0];
        if (e.merge) {
          const merged = names + (e.mergePrefix ?? '');
          // No matching row: none of its names is expected, so any present is reported as an extra field.
          if (child) {
            this.fields(target, path, e.fields, child.values, expectedKeys, merged);
            this.embeds(target, path, merged, e.embeds ?? [], child.embeds, expectedKeys);
          }
          return;
        }
        expectedKeys.add(name);
        if (!child) {
          if (target[name] !== null)
            this.differ(path + name, `null (no ${e.table} row matches)`, target[name], Object.hasOwn(target, name));
          return;
        }
        this.subDocument(target[name], path + name, e.table, e.fields, child.values, e.embeds ?? [], child.embeds);
        return;
      }
      expectedKeys.add(name);
      const items = target[name];
      const referenced =
        e.onTooLarge === 'reference' && Array.isArray(items) && items.length > 0 && !isPlainObject(items[0]);
      if (referenced) this.list(items, children, path + name, (item, c) => sameKey(item, c.key), describeKey);
      else
        this.list(items, children, path + name, (item, c, _, itemPath) => {
          this.subDocument(item, itemPath, e.table, e.fields, c.values, e.embeds ?? [], c.embeds);
          return true;
        });
    });
  }

  /** An array whose entries must match `expected` one by one, in order. */
  private list<T>(
    actual: unknown,
    expected: T[],
    path: string,
    matches: (item: unknown, e: T, i: number, path: string) => boolean,
    describe: (e: T) => string = (e) => describeSql(e as SqlValue),
  ): void {
    if (!Array.isArray(actual)) {
      this.push({ kind: 'type-differs', path, expected: `array of ${expected.length}`, actual: showValue(actual) });
      return;
    }
    if (actual.length !== expected.length)
      this.push({
        kind: 'value-differs',
        path,
        expected: `${expected.length} entries`,
        actual: `${actual.length} entries`,
      });
    const n = Math.min(actual.length, expected.length);
    for (let i = 0; i < n; i++)
      if (!matches(actual[i], expected[i], i, `${path}.${i}`))
        this.push({
          kind: 'value-differs',
          path: `${path}.${i}`,
          expected: describe(expected[i]),
          actual: showValue(actual[i]),
        });
  }

  private subDocument(
    actual: unknown,
    path: string,
    what: string,
    fields: FieldPlan[],
    values: Record<string, SqlValue>,
    embeds: EmbedPlan[],
    rows: SourceChild[][],
  ): void {
    if (!isPlainObject(actual)) {
      this.push({ kind: 'type-differs', path, expected: `sub-document of ${what}`, actual: showValue(actual) });
      return;
    }
    const sub = actual as Document;
    const expectedKeys = new Set<string>();
    this.fields(sub, `${path}.`, fields, values, expectedKeys);
    this.embeds(sub, `${path}.`, '', embeds, rows, expectedKeys);
    this.extraFields(sub, `${path}.`, expectedKeys);
  }
}

/** A stored child key: the value of a one-column key, else a sub-document of the key values in key order. */
function sameKey(item: unknown, key: SqlValue[]): boolean {
  if (key.length === 1) return carriesAsStored(item, key[0]);
  if (!isPlainObject(item)) return false;
  const values = Object.values(item as Document);
  return values.length === key.length && key.every((v, i) => carriesAsStored(values[i], v));
}

function describeKey(c: SourceChild): string {
  return c.key.map((v) => describeSql(v)).join(', ');
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

/**
 * Computed fields of a planned collection: each expression is compiled once, then evaluated per row on the columns
 * it names. An evaluation error refuses that row (reported with the field and the reason), never a silent null.
 */
import type { Document } from 'mongodb';
import { compileFields, type CompiledField } from '../expr/evaluate';
import { exprValueToBson } from '../expr/bson';
import type { ComputedFieldPlan } from '../plan/types';
import type { SqlValue } from '../sqlite/types';

export class ComputedFields {
  private readonly compiled: CompiledField[];
  /** Every column some expression reads, each once. */
  readonly columns: string[];

  constructor(plans: ComputedFieldPlan[] = []) {
    ({ fields: this.compiled, columns: this.columns } = compileFields(plans));
  }

  get size(): number {
    return this.compiled.length;
  }

  /** Sets each computed field on `doc`; returns why the row cannot be built, or undefined. */
  apply(
    doc: Document,
    valueOf: (column: string) => SqlValue,
    setField: (doc: Document, name: string, value: unknown) => void,
  ): string | undefined {
    for (const c of this.compiled) {
      const row = new Map(c.columns.map((col) => [col, valueOf(col)] as const));
      try {
        setField(doc, c.field, exprValueToBson(c.expr.evaluate(row)));
      } catch (e) {
        return `computed field ${c.field}: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    return undefined;
  }
}

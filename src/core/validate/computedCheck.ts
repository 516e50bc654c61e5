/**
 * Computed fields in the proof: the expression is evaluated again on the raw SQLite row and the stored value must
 * carry the result. The evaluator is the meaning of the expression; what this checks independently is how its
 * value was turned into BSON (exprValueToBson) and that it reached the server intact.
 */
import { compileFields, ExprEvalError, type CompiledField, type ExprValue } from '../expr/evaluate';
import type { ComputedFieldPlan } from '../plan/types';
import type { SqlValue } from '../sqlite/types';
import { carriesAsStored, describeSql } from './faithful';

export function carriesComputed(a: unknown, v: ExprValue): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return a === v;
  if (v instanceof Date) return a instanceof Date && Object.is(a.getTime(), v.getTime());
  if (Array.isArray(v)) return Array.isArray(a) && a.length === v.length && v.every((x, i) => carriesComputed(a[i], x));
  return carriesAsStored(a, v);
}

/** The expected values of a collection's computed fields for one row; an error where the builder must have refused. */
export class ComputedExpectations {
  private readonly compiled: CompiledField[];
  readonly columns: string[];

  constructor(plans: ComputedFieldPlan[] = []) {
    ({ fields: this.compiled, columns: this.columns } = compileFields(plans));
  }

  get fields(): string[] {
    return this.compiled.map((c) => c.field);
  }

  /** Per field: the value, or the evaluation error (such a row has no document). */
  expected(values: Record<string, SqlValue>): Array<{ field: string; value?: ExprValue; error?: string }> {
    return this.compiled.map((c) => {
      try {
        return { field: c.field, value: c.expr.evaluate(new Map(c.columns.map((col) => [col, values[col]] as const))) };
      } catch (e) {
        if (!(e instanceof ExprEvalError)) throw e;
        return { field: c.field, error: e.message };
      }
    });
  }
}

/** A computed value in a mismatch report. */
export function describeComputed(v: ExprValue): string {
  if (typeof v === 'boolean') return `boolean ${v}`;
  if (v instanceof Date) return `date ${Number.isNaN(v.getTime()) ? 'invalid' : v.toISOString()}`;
  if (Array.isArray(v))
    return `[${v.slice(0, 5).map(describeComputed).join(', ')}${v.length > 5 ? `, … (${v.length})` : ''}]`;
  return describeSql(v);
}

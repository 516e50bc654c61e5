/**
 * Evaluates a parsed computed-field expression over one SQLite row. Values are SQLite's (INTEGER as bigint, REAL as
 * number, TEXT, BLOB bytes, NULL) plus booleans, Dates and arrays of text (from split). NULL propagates like in
 * SQL; a type error or an over-budget evaluation throws ExprEvalError, which the pipeline reports for that row
 * like a refused row. Functions are looked up in a fixed table (own properties only), never on JavaScript objects.
 */
import { parseDateText } from '../convert/dates';
import { InvalidText, type SqlValue } from '../sqlite/types';
import { parseExpression, referencedColumns, type ExprNode } from './parse';

export type ExprValue = SqlValue | boolean | Date | ExprValue[];

export class ExprEvalError extends Error {}

/**
 * Evaluation steps per row. The parser's length and depth limits already bound the steps; this and the clock check
 * below keep the bound if the language ever grows (e.g. functions over lists).
 */
export const MAX_STEPS_PER_ROW = 10_000;
/** Wall-clock budget per row, checked every few steps (the step budget alone bounds the work; this bounds its cost). */
export const MAX_MILLISECONDS_PER_ROW = 100;
/** No computed text grows past this (1 MiB of characters). */
export const MAX_TEXT_LENGTH = 1 << 20;

type Fn = (args: ExprValue[]) => ExprValue;

const isNum = (v: ExprValue): v is bigint | number => typeof v === 'bigint' || typeof v === 'number';

function text(v: ExprValue, fn: string): string {
  if (typeof v === 'string') return v;
  if (isNum(v) || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  throw new ExprEvalError(`${fn}() expects text, got ${describe(v)}`);
}

function num(v: ExprValue, fn: string): bigint | number {
  if (isNum(v)) return v;
  if (typeof v === 'string' && v.trim() !== '') {
    if (/^\s*[+-]?\d+\s*$/.test(v)) return BigInt(v.trim());
    const n = Number(v);
    if (Number.isFinite(n)) return n;
  }
  throw new ExprEvalError(`${fn} expects a number, got ${describe(v)}`);
}

function describe(v: ExprValue): string {
  if (v === null) return 'NULL';
  if (v instanceof Uint8Array) return `a BLOB of ${v.length} bytes`;
  if (v instanceof InvalidText) return `text of ${v.bytes.length} bytes that are not valid UTF-8`;
  if (Array.isArray(v)) return 'a list';
  if (v instanceof Date) return 'a date';
  const s = typeof v === 'string' ? `'${v.length > 40 ? `${v.slice(0, 37)}…` : v}'` : String(v);
  return `${typeof v === 'string' ? 'text' : typeof v === 'boolean' ? 'a boolean' : 'the number'} ${s}`;
}

function capped(s: string): string {
  if (s.length > MAX_TEXT_LENGTH)
    throw new ExprEvalError(`computed text would be ${s.length} characters long (at most ${MAX_TEXT_LENGTH})`);
  return s;
}

function arity(name: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max)
    throw new ExprEvalError(
      `${name}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${args.length}`,
    );
}

/** The function library. Each one returns NULL for a NULL first argument unless it exists to handle NULLs. */
const FUNCTIONS: Record<string, { fn: Fn; min: number; max?: number; nullSafe?: boolean }> = {
  lower: { min: 1, fn: ([s]) => text(s, 'lower').toLowerCase() },
  upper: { min: 1, fn: ([s]) => text(s, 'upper').toUpperCase() },
  trim: { min: 1, fn: ([s]) => text(s, 'trim').trim() },
  length: { min: 1, fn: ([s]) => BigInt(Array.isArray(s) ? s.length : [...text(s, 'length')].length) },
  substr: {
    min: 2,
    max: 3,
    fn: ([s, start, len]) => {
      const chars = [...text(s, 'substr')];
      const from = Math.max(Number(num(start, 'substr()')) - 1, 0);
      return chars
        .slice(from, len === undefined || len === null ? undefined : from + Math.max(Number(num(len, 'substr()')), 0))
        .join('');
    },
  },
  replace: { min: 3, fn: ([s, a, b]) => capped(text(s, 'replace').split(text(a, 'replace')).join(text(b, 'replace'))) },
  concat: {
    min: 1,
    max: 64,
    nullSafe: true,
    fn: (args) => capped(args.map((a) => (a === null ? '' : text(a, 'concat'))).join('')),
  },
  split: { min: 2, fn: ([s, sep]) => text(s, 'split').split(text(sep, 'split')) },
  join: {
    min: 2,
    fn: ([list, sep]) => {
      if (!Array.isArray(list)) throw new ExprEvalError(`join() expects a list, got ${describe(list)}`);
      return capped(list.map((x) => (x === null ? '' : text(x, 'join'))).join(text(sep, 'join')));
    },
  },
  item: {
    min: 2,
    fn: ([list, index]) => {
      if (!Array.isArray(list)) throw new ExprEvalError(`item() expects a list, got ${describe(list)}`);
      const i = Number(num(index, 'item()'));
      return list[i >= 1 ? i - 1 : list.length + i] ?? null;
    },
  },
  number: { min: 1, fn: ([s]) => Number(num(s, 'number()')) },
  integer: {
    min: 1,
    fn: ([s]) => {
      const n = num(s, 'integer()');
      if (typeof n === 'bigint') return n;
      if (!Number.isFinite(n)) throw new ExprEvalError(`integer() cannot convert ${n}`);
      return BigInt(Math.trunc(n));
    },
  },
  round: {
    min: 1,
    max: 2,
    fn: ([x, digits]) => {
      const d = digits === undefined || digits === null ? 0 : Number(num(digits, 'round()'));
      const f = 10 ** Math.min(Math.max(d, 0), 15);
      return Math.round(Number(num(x, 'round()')) * f) / f;
    },
  },
  text: { min: 1, fn: ([v]) => text(v, 'text') },
  date: {
    min: 1,
    fn: ([v]) => {
      const ms = isNum(v) ? Number(v) * 1000 : parseDateText(text(v, 'date'));
      if (ms === null || !Number.isFinite(ms) || Math.abs(ms) > 8.64e15)
        throw new ExprEvalError(`date() cannot read ${describe(v)} as a date`);
      return new Date(ms);
    },
  },
  coalesce: { min: 1, max: 64, nullSafe: true, fn: (args) => args.find((a) => a !== null) ?? null },
  isnull: { min: 1, nullSafe: true, fn: ([v]) => v === null },
};

function compare(a: ExprValue, b: ExprValue): number {
  if (isNum(a) && isNum(b))
    return typeof a === 'bigint' && typeof b === 'bigint'
      ? a < b
        ? -1
        : a > b
          ? 1
          : 0
      : Math.sign(Number(a) - Number(b));
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if (a instanceof Date && b instanceof Date) return Math.sign(a.getTime() - b.getTime());
  throw new ExprEvalError(`cannot compare ${describe(a)} with ${describe(b)}`);
}

/** SQL arithmetic: integer ops stay exact (and refuse to overflow int64), division by zero is NULL. */
function arithmetic(op: string, a: bigint | number, b: bigint | number): ExprValue {
  if ((op === '/' || op === '%') && Number(b) === 0) return null;
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    const r = op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
    if (BigInt.asIntN(64, r) !== r) throw new ExprEvalError(`integer overflow in ${a} ${op} ${b}`);
    return r;
  }
  const x = Number(a),
    y = Number(b);
  return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : x % y;
}

const truthy = (v: ExprValue, where: string): boolean => {
  if (typeof v === 'boolean') return v;
  if (isNum(v)) return Number(v) !== 0;
  throw new ExprEvalError(`${where} needs a condition, got ${describe(v)}`);
};

/** A compiled expression: parse once per plan, evaluate once per row. */
export class CompiledExpression {
  readonly tree: ExprNode;
  private steps = 0;
  private started = 0;

  constructor(readonly source: string) {
    this.tree = parseExpression(source);
    this.check(this.tree);
  }

  /** Unknown functions and wrong argument counts are plan errors, found before any row is read. */
  private check(node: ExprNode): void {
    if (node.kind === 'call') {
      const f = Object.prototype.hasOwnProperty.call(FUNCTIONS, node.name) ? FUNCTIONS[node.name] : undefined;
      if (!f)
        throw new ExprEvalError(`unknown function ${node.name}() (available: ${Object.keys(FUNCTIONS).join(', ')})`);
      arity(node.name, node.args, f.min, f.max ?? f.min);
    }
    for (const child of node.kind === 'call'
      ? node.args
      : node.kind === 'binary'
        ? [node.left, node.right]
        : node.kind === 'unary'
          ? [node.operand]
          : node.kind === 'conditional'
            ? [node.test, node.then, node.otherwise]
            : [])
      this.check(child);
  }

  /** `row` maps column names to values (a Map: a column called __proto__ is data like any other). */
  evaluate(row: ReadonlyMap<string, SqlValue>): ExprValue {
    this.steps = 0;
    this.started = performance.now();
    return this.eval(this.tree, row);
  }

  private eval(node: ExprNode, row: ReadonlyMap<string, SqlValue>): ExprValue {
    if (++this.steps > MAX_STEPS_PER_ROW)
      throw new ExprEvalError(`evaluation took more than ${MAX_STEPS_PER_ROW} steps`);
    if ((this.steps & 63) === 0 && performance.now() - this.started > MAX_MILLISECONDS_PER_ROW)
      throw new ExprEvalError(`evaluation took more than ${MAX_MILLISECONDS_PER_ROW} ms`);
    switch (node.kind) {
      case 'literal':
        return node.value;
      case 'column':
        if (!row.has(node.name)) throw new ExprEvalError(`no column ${JSON.stringify(node.name)}`);
        return row.get(node.name) as SqlValue;
      case 'unary': {
        const v = this.eval(node.operand, row);
        if (v === null) return null;
        if (node.op === 'not') return !truthy(v, 'not');
        const n = num(v, 'minus');
        return typeof n === 'bigint' ? arithmetic('-', 0n, n) : -n;
      }
      case 'conditional': {
        const test = this.eval(node.test, row);
        return test !== null && truthy(test, '? :') ? this.eval(node.then, row) : this.eval(node.otherwise, row);
      }
      case 'call': {
        const f = FUNCTIONS[node.name];
        const args = node.args.map((a) => this.eval(a, row));
        if (!f.nullSafe && args[0] === null) return null;
        return f.fn(args);
      }
      case 'binary':
        return this.binary(node.op, node.left, node.right, row);
    }
  }

  private binary(op: string, l: ExprNode, r: ExprNode, row: ReadonlyMap<string, SqlValue>): ExprValue {
    const a = this.eval(l, row);
    if (op === 'and' && a !== null && !truthy(a, 'and')) return false;
    if (op === 'or' && a !== null && truthy(a, 'or')) return true;
    const b = this.eval(r, row);
    if (op === 'and' || op === 'or') return a === null || b === null ? null : truthy(b, op);
    if (a === null || b === null) return null;
    if (op === '||') return capped(text(a, '||') + text(b, '||'));
    if (op === '=' || op === '!=') return (compare(a, b) === 0) === (op === '=');
    if (op === '<' || op === '<=' || op === '>' || op === '>=') {
      const c = compare(a, b);
      return op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
    }
    return arithmetic(op, num(a, op), num(b, op));
  }
}

/** A plan's computed field, compiled: its expression and the columns the expression reads. */
export interface CompiledField {
  field: string;
  expr: CompiledExpression;
  columns: string[];
}

/** Compiles a collection's computed fields once; `columns` is every column some expression reads, each once. */
export function compileFields(plans: Array<{ field: string; expression: string }> = []): {
  fields: CompiledField[];
  columns: string[];
} {
  const fields = plans.map((c) => {
    const expr = new CompiledExpression(c.expression);
    return { field: c.field, expr, columns: [...referencedColumns(expr.tree)] };
  });
  return { fields, columns: [...new Set(fields.flatMap((c) => c.columns))] };
}

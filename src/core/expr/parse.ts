/**
 * The parser of computed-field expressions (docs/mapping-plan.md, "Computed fields"). The language is small and
 * SQL-flavoured on purpose: 'text' literals, "Column Name" or bare column references, || to concatenate,
 * arithmetic, comparisons, and/or/not, `cond ? a : b`, and calls of a fixed list of functions. There is no
 * property access, no assignment, no loops and no way to name anything outside the row and that list, so a
 * hostile plan file can compute values but cannot reach JavaScript, the file system, the network or a process.
 */

export type ExprNode =
  | { kind: 'literal'; value: string | number | bigint | boolean | null }
  | { kind: 'column'; name: string }
  | { kind: 'unary'; op: '-' | 'not'; operand: ExprNode }
  | { kind: 'binary'; op: BinaryOp; left: ExprNode; right: ExprNode }
  | { kind: 'conditional'; test: ExprNode; then: ExprNode; otherwise: ExprNode }
  | { kind: 'call'; name: string; args: ExprNode[] };

export type BinaryOp = '||' | '+' | '-' | '*' | '/' | '%' | '=' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or';

export class ExprSyntaxError extends Error {}

/** Plan files are hand-edited: long enough for real formulas, short enough that parsing and evaluation stay cheap. */
export const MAX_EXPRESSION_LENGTH = 2000;
const MAX_DEPTH = 64;

type Token = { type: 'num' | 'str' | 'ident' | 'quoted' | 'op' | 'end'; text: string; at: number };

const OPERATORS = ['||', '!=', '<>', '<=', '>=', '==', '(', ')', ',', '+', '-', '*', '/', '%', '=', '<', '>', '?', ':'];

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new ExprSyntaxError(`${msg} at position ${i + 1}`);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'num', text: m[0], at: i });
      i += m[0].length;
    } else if (c === "'" || c === '"' || c === '[' || c === '`') {
      const close = c === '[' ? ']' : c;
      let text = '';
      let j = i + 1;
      for (;;) {
        if (j >= src.length) fail(`unterminated ${c === "'" ? 'text' : 'column name'}`);
        if (src[j] === close) {
          if (close !== ']' && src[j + 1] === close) {
            text += close;
            j += 2;
            continue;
          }
          break;
        }
        text += src[j++];
      }
      tokens.push({ type: c === "'" ? 'str' : 'quoted', text, at: i });
      i = j + 1;
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*/.exec(src.slice(i)) as RegExpExecArray;
      tokens.push({ type: 'ident', text: m[0], at: i });
      i += m[0].length;
    } else {
      const op = OPERATORS.find((o) => src.startsWith(o, i)) ?? fail(`unexpected ${JSON.stringify(c)}`);
      tokens.push({ type: 'op', text: op === '<>' ? '!=' : op === '==' ? '=' : op, at: i });
      i += op.length;
    }
  }
  tokens.push({ type: 'end', text: '', at: src.length });
  return tokens;
}

const BINARY_LEVELS: BinaryOp[][] = [
  ['or'],
  ['and'],
  ['=', '!=', '<', '<=', '>', '>='],
  ['||'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** Parses an expression into a tree; throws ExprSyntaxError with the position of the first problem. */
export function parseExpression(src: string): ExprNode {
  if (src.length > MAX_EXPRESSION_LENGTH)
    throw new ExprSyntaxError(`expression is ${src.length} characters long (at most ${MAX_EXPRESSION_LENGTH})`);
  const tokens = tokenize(src);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const isOp = (text: string) => {
    const t = tokens[pos];
    return (t.type === 'op' && t.text === text) || (t.type === 'ident' && t.text.toLowerCase() === text);
  };
  const expect = (text: string) => {
    if (!isOp(text))
      throw new ExprSyntaxError(
        `expected ${JSON.stringify(text)} at position ${peek().at + 1}${peek().type === 'end' ? ' (end of expression)' : ''}`,
      );
    pos++;
  };
  const nested = <T>(fn: () => T): T => {
    if (++depth > MAX_DEPTH) throw new ExprSyntaxError(`expression nests deeper than ${MAX_DEPTH} levels`);
    try {
      return fn();
    } finally {
      depth--;
    }
  };

  const conditional = (): ExprNode =>
    nested(() => {
      const test = binary(0);
      if (!isOp('?')) return test;
      pos++;
      const then = conditional();
      expect(':');
      return { kind: 'conditional', test, then, otherwise: conditional() };
    });

  const binary = (level: number): ExprNode => {
    if (level === BINARY_LEVELS.length) return unary();
    let left = binary(level + 1);
    for (;;) {
      const op = BINARY_LEVELS[level].find((o) => isOp(o));
      if (!op) return left;
      pos++;
      left = { kind: 'binary', op, left, right: binary(level + 1) };
    }
  };

  const unary = (): ExprNode =>
    nested(() => {
      if (isOp('-')) return (pos++, { kind: 'unary', op: '-', operand: unary() } as ExprNode);
      if (isOp('not')) return (pos++, { kind: 'unary', op: 'not', operand: unary() } as ExprNode);
      return primary();
    });

  const primary = (): ExprNode => {
    const t = tokens[pos++];
    if (t.type === 'num') return { kind: 'literal', value: /^\d+$/.test(t.text) ? BigInt(t.text) : Number(t.text) };
    if (t.type === 'str') return { kind: 'literal', value: t.text };
    if (t.type === 'quoted') return { kind: 'column', name: t.text };
    if (t.type === 'op' && t.text === '(') {
      const inner = conditional();
      expect(')');
      return inner;
    }
    if (t.type === 'ident') {
      const word = t.text.toLowerCase();
      if (word === 'null') return { kind: 'literal', value: null };
      if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
      if (isOp('(')) {
        pos++;
        const args: ExprNode[] = [];
        if (!isOp(')')) {
          do args.push(conditional());
          while (isOp(',') && ++pos);
        }
        expect(')');
        return { kind: 'call', name: word, args };
      }
      return { kind: 'column', name: t.text };
    }
    throw new ExprSyntaxError(
      t.type === 'end' ? 'expression ends too early' : `unexpected ${JSON.stringify(t.text)} at position ${t.at + 1}`,
    );
  };

  const tree = conditional();
  if (peek().type !== 'end')
    throw new ExprSyntaxError(`unexpected ${JSON.stringify(peek().text)} at position ${peek().at + 1}`);
  return tree;
}

/** The column names an expression reads (for the plan check and the SELECT). */
export function referencedColumns(node: ExprNode, out = new Set<string>()): Set<string> {
  switch (node.kind) {
    case 'column':
      out.add(node.name);
      break;
    case 'unary':
      referencedColumns(node.operand, out);
      break;
    case 'binary':
      referencedColumns(node.left, out);
      referencedColumns(node.right, out);
      break;
    case 'conditional':
      [node.test, node.then, node.otherwise].forEach((n) => referencedColumns(n, out));
      break;
    case 'call':
      node.args.forEach((n) => referencedColumns(n, out));
      break;
  }
  return out;
}

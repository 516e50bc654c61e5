/**
 * Seeded random SQLite schemas and values for the generative test: names from a hostile alphabet, every affinity,
 * STRICT and WITHOUT ROWID tables, single and composite keys (with NULLs where SQLite allows them), foreign keys
 * and junction tables (with missing owners), and values of every storage class — int64 extremes, -0.0, text that
 * is not UTF-8, large text and BLOBs, date-like text. The spec is plain JSON: Python's sqlite3 builds the file.
 */

/** A value to insert: SQL literal kinds Python turns into parameters. */
export type GenValue = null | { i: string } | { r: string } | { s: string } | { b: string } | { x: string };

export interface GenTable {
  name: string;
  sql: string;
  columns: string[];
  rows: GenValue[][];
}

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

export class Generator {
  private readonly r: () => number;
  constructor(
    seed: number,
    private readonly opts: {
      negativeZero: boolean;
      infinity: boolean;
      doubleQuotes: boolean; /** and control characters */
    },
  ) {
    this.r = rng(seed);
  }

  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  /** A name from a hostile alphabet (quotes, dots, $, spaces, object internals, other scripts). */
  name(used: Set<string>): string {
    const specials = [
      '__proto__',
      'constructor',
      'toString',
      'hasOwnProperty',
      '_id',
      '$x',
      'a.b',
      'a_b',
      'system.x',
      'select',
      'order',
      'rowid_',
    ];
    const alphabet = [
      'a',
      'b',
      'Z',
      '9',
      ' ',
      "'",
      '.',
      '$',
      '-',
      '_',
      'é',
      '東',
      '🚀',
      'ß',
      '[',
      ']',
      '%',
      '?',
      '#',
      ...(this.opts.doubleQuotes ? ['"', '\t'] : []),
    ];
    for (;;) {
      let s = this.chance(0.3) ? this.pick(specials) : '';
      const len = 1 + this.int(6);
      for (let i = 0; i < len; i++) s += this.pick(alphabet);
      // SQLite compares names ASCII-case-insensitively; sqlite_ names are reserved; rowid aliases stay free.
      const key = s.replace(/[A-Z]/g, (c) => c.toLowerCase());
      if (used.has(key) || /^sqlite_/.test(key) || ['rowid', '_rowid_', 'oid'].includes(key)) continue;
      used.add(key);
      return s;
    }
  }

  /** A random value of a storage class fitting `decl` (STRICT tables only take their own type or NULL). */
  value(decl: string, strict: boolean): GenValue {
    if (this.chance(0.12)) return null;
    const kind = strict
      ? (({ INTEGER: 'int', INT: 'int', REAL: 'real', TEXT: 'text', BLOB: 'blob' } as Record<string, string>)[decl] ??
        this.pick(['int', 'real', 'text', 'blob', 'bad', 'date']))
      : this.pick(['int', 'int', 'real', 'text', 'text', 'blob', 'bad', 'date']);
    switch (kind) {
      case 'int':
        return {
          i: this.pick([
            '0',
            '1',
            '-1',
            '2147483647',
            '2147483648',
            '-2147483648',
            '-2147483649',
            '9223372036854775807',
            '-9223372036854775808',
            '9007199254740993',
            String(this.int(1e6) - 5e5),
          ]),
        };
      case 'real': {
        const reals = [
          '0.5',
          '0.1',
          '2.0',
          '1e+308',
          '5e-324',
          '-3.25',
          String(this.r() * 1e6 - 5e5),
          '1.7976931348623157e+308',
        ];
        if (this.opts.negativeZero) reals.push('-0.0');
        if (this.opts.infinity) reals.push('inf', '-inf');
        return { r: this.pick(reals) };
      }
      case 'text':
        return { s: this.text() };
      case 'blob': {
        const n = this.chance(0.03) ? 300_000 : this.int(40);
        return { b: Buffer.from(Array.from({ length: n }, () => this.int(256))).toString('hex') };
      }
      case 'bad':
        // Bytes that are not UTF-8: a Latin-1 é, a lone continuation byte, a truncated sequence.
        return { x: this.pick(['e9', '80', 'e282', '4142e9', 'c328', 'ff', 'ed a0 80'.replace(/ /g, '')]) };
      default:
        return { s: this.dateText() };
    }
  }

  text(): string {
    if (this.chance(0.03)) return 'long ✓ '.repeat(40_000);
    // No exponent notation: digits glued after it (2.5e1 + 12) make text that INTEGER/REAL affinity turns into Infinity.
    const parts = [
      '',
      'x',
      'héllo',
      '東京',
      '🚀',
      'a\u0000b',
      ' ',
      '\n',
      'true',
      '12',
      ' 7 ',
      '2.5',
      '{"a":1}',
      '\uFFFD',
      'NULL',
    ];
    let s = '';
    for (let i = this.int(4); i >= 0; i--) s += this.pick(parts);
    return s;
  }

  /** Date-like text in the forms both this tool and Python's datetime.fromisoformat read — and a few impossible ones. */
  dateText(): string {
    const y = String(1 + this.int(9998)).padStart(4, '0');
    const mo = String(1 + this.int(12)).padStart(2, '0');
    const d = String(1 + this.int(28)).padStart(2, '0');
    const hh = String(this.int(24)).padStart(2, '0');
    const mm = String(this.int(60)).padStart(2, '0');
    const ss = String(this.int(60)).padStart(2, '0');
    const frac = this.pick([
      '',
      `.${String(this.int(1000)).padStart(3, '0')}`,
      `.${String(this.int(1e6)).padStart(6, '0')}`,
    ]);
    const zone = this.pick(['', '', 'Z', '+02:00', '-05:30', '+00:00', '+25:99']);
    return this.pick([
      `${y}-${mo}-${d}`,
      `${y}-${mo}-${d} ${hh}:${mm}:${ss}${frac}`,
      `${y}-${mo}-${d}T${hh}:${mm}:${ss}${frac}${zone}`,
      `${y}-${mo}-${d}T${hh}:${mm}`,
      `${y}-02-30`,
      `${y}-${mo}-${d} 24:00:00`,
    ]);
  }

  /** One group of related tables (a parent, maybe a child with a foreign key, maybe a junction). */
  group(tag: string, used: Set<string>): GenTable[] {
    const tables: GenTable[] = [];
    const parent = this.table(`${this.name(used)}~${tag}`, used, 'parent');
    tables.push(parent);
    if (this.chance(0.5)) tables.push(this.table(`${this.name(used)}~${tag}`, used, 'plain'));
    if (this.chance(0.4)) {
      // A junction between the parent (INTEGER key) and a tag table; some rows name a missing owner or NULL.
      const other = this.table(`${this.name(used)}~${tag}`, used, 'parent');
      tables.push(other);
      const j = `${this.name(used)}~${tag}`;
      const [a, b] = [this.name(new Set()), this.name(new Set())].map((n, i) => `${n}${i}`);
      const sql = `CREATE TABLE ${q(j)} (${q(a)} INTEGER REFERENCES ${q(parent.name)}(id), ${q(b)} INTEGER REFERENCES ${q(other.name)}(id), PRIMARY KEY (${q(a)}, ${q(b)}))`;
      const rows: GenValue[][] = [];
      for (let i = this.int(12); i > 0; i--) {
        const owner = this.chance(0.1)
          ? this.chance(0.5)
            ? null
            : { i: '999999' }
          : { i: String(1 + this.int(parent.rows.length + 1)) };
        rows.push([owner, { i: String(1 + this.int(other.rows.length + 1)) }]);
      }
      tables.push({ name: j, sql, columns: [a, b], rows });
    }
    return tables;
  }

  private table(name: string, used: Set<string>, role: 'parent' | 'plain'): GenTable {
    const strict = this.chance(0.25);
    const decls = strict
      ? ['INTEGER', 'REAL', 'TEXT', 'BLOB', 'ANY', 'INT']
      : [
          'INTEGER',
          'REAL',
          'TEXT',
          'BLOB',
          '',
          'NUMERIC',
          'DECIMAL(10,2)',
          'VARCHAR(20)',
          'DATETIME',
          'DOUBLE',
          'CLOB',
        ];
    const names = new Set<string>(['id']);
    const cols = Array.from({ length: 1 + this.int(5) }, () => ({ name: this.name(names), decl: this.pick(decls) }));
    const keyKind = role === 'parent' ? 'int' : this.pick(['none', 'single', 'composite', 'int']);
    const withoutRowid = (keyKind === 'single' || keyKind === 'composite') && this.chance(0.4);
    const defs = cols.map((c) => `${q(c.name)} ${c.decl}`);
    let key = '';
    let columns = cols.map((c) => c.name);
    if (keyKind === 'int') {
      defs.unshift('"id" INTEGER PRIMARY KEY');
      columns = ['id', ...columns];
    } else if (keyKind === 'single') key = `, PRIMARY KEY (${q(cols[0].name)})`;
    else if (keyKind === 'composite' && cols.length > 1) key = `, PRIMARY KEY (${q(cols[0].name)}, ${q(cols[1].name)})`;
    const options = [withoutRowid && key ? 'WITHOUT ROWID' : '', strict ? 'STRICT' : ''].filter(Boolean).join(', ');
    const sql = `CREATE TABLE ${q(name)} (${defs.join(', ')}${key})${options ? ` ${options}` : ''}`;
    const rows: GenValue[][] = [];
    for (let i = 1, n = this.int(25); i <= n; i++)
      rows.push([...(keyKind === 'int' ? [{ i: String(i) }] : []), ...cols.map((c) => this.value(c.decl, strict))]);
    used.add(name);
    return { name, sql, columns, rows };
  }
}

/** PRAGMA quick_check at open: a database that fails it is refused, with its problems named by table or index. */
import { MigrationError } from '../errors';
import type { Database } from './database';

export /** quick_check verifies every b-tree page and record format (not index contents); much faster than integrity_check. */
function quickCheck(db: Database, file: string, q: string): void {
  const MAX_PROBLEMS = 10;
  // A CHECK constraint the data breaks (rows written with ignore_check_constraints, or a CHECK added later) is a
  // data fact, not corruption: the rows are migrated as stored. quick_check skips CHECKs when this pragma is on.
  db.exec('PRAGMA ignore_check_constraints = ON');
  const res = db.exec(`PRAGMA quick_check(${MAX_PROBLEMS})`);
  // Problems come as rows, and a row may hold several newline-separated lines.
  const lines = (res[0]?.values ?? [])
    .flatMap((r) => String(r[0]).split('\n'))
    .map((l) => l.trim())
    .filter((l) => l !== '' && !/^\*\*\* in database \w+ \*\*\*$/.test(l));
  if (lines.length === 1 && lines[0] === 'ok') return;
  const trees = rootPageNames(db);
  const shown = lines
    .slice(0, 3)
    .map((l) =>
      l.replace(/^Tree (\d+)/, (m, n: string) => (trees.has(Number(n)) ? `${m} (${trees.get(Number(n))})` : m)),
    );
  const more =
    lines.length > shown.length
      ? ` (+${lines.length - shown.length} more${lines.length >= MAX_PROBLEMS ? ', list capped' : ''})`
      : '';
  throw new MigrationError(
    'SOURCE_CORRUPT',
    `${file} failed SQLite's quick_check: ${shown.join('; ') || 'no result'}${more}.`,
    `Salvage the readable data first: sqlite3 ${q} .recover | sqlite3 recovered.db — then migrate recovered.db.`,
  );
}

/** b-tree root page → "table x" / "index y", to make quick_check's "Tree N" readable. */
function rootPageNames(db: Database): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const r of db.exec('SELECT rootpage, type, name FROM sqlite_master WHERE rootpage > 0')[0]?.values ?? [])
      m.set(Number(r[0]), `${r[1]} ${r[2]}`);
  } catch {
    // Best effort only.
  }
  return m;
}

/**
 * SQL text helpers. Every identifier that reaches SQL goes through quoteIdent: table and column names in real
 * databases contain spaces, double quotes, unicode and keywords ("order", "group"), and a string literal in
 * identifier position would silently be read as a value instead.
 */
export function quoteIdent(name: string): string {
  return '"' + name.replace(/"/g, '""') + '"';
}

/** True when a SQLite error message says the file content itself is damaged. */
export function isCorruptionMessage(message: string): boolean {
  return /malformed|not a database|SQLITE_CORRUPT|SQLITE_NOTADB|corrupt/i.test(message);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** SQLite folds only ASCII letters when comparing identifiers. */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** Quotes a path for the shell commands we put in hints (POSIX shells). */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** A hint for errors SQLite raises about features our SQLite build lacks, or undefined. */
export function missingFeatureHint(message: string): string | undefined {
  const coll = /no such collation sequence: (\S+)/i.exec(message);
  if (coll) {
    return `The database uses the collation ${coll[1]}, defined by the application that created it; SQLite alone (as built into sqlite2mongo) does not have it. Migrate a copy whose columns and indexes use a built-in collation (BINARY, NOCASE, RTRIM).`;
  }
  const mod = /no such module: (\S+)/i.exec(message);
  if (mod)
    return `The database uses the virtual table module ${mod[1]}, which the SQLite built into sqlite2mongo does not include.`;
  return undefined;
}

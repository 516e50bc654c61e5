import path from 'node:path';
import { MigrationError } from './errors';

/**
 * Resolves `--sqlite-url` to a file path with SQLAlchemy's rules, so the same string a FastAPI app keeps in its
 * settings works here: `sqlite:///app.db` and `sqlite+aiosqlite:///./app.db` are relative to the working directory,
 * `sqlite:////abs/app.db` is absolute, a plain path is taken as it is. Query strings (`?mode=ro`) are ignored.
 */
export function resolveSqliteUrl(url: string, cwd: string = process.cwd()): string {
  const trimmed = url.trim();
  if (!trimmed) throw new MigrationError('USAGE', 'The SQLite URL is empty.', 'Pass a path or a URL such as sqlite:///./app.db.');
  const match = /^sqlite(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(trimmed);
  if (!match) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) && !/^file:\/\//i.test(trimmed)) {
      throw new MigrationError('USAGE', `Not a SQLite URL: ${trimmed}`, 'Use sqlite:///relative/path.db, sqlite:////absolute/path.db or a plain file path.');
    }
    const plain = trimmed.replace(/^file:\/\//i, '');
    return path.resolve(cwd, plain);
  }
  // After "sqlite://" comes "/<path>": an empty host, then the path. SQLAlchemy strips exactly one slash.
  const rest = match[1].split('?')[0];
  if (!rest.startsWith('/')) {
    throw new MigrationError('USAGE', `SQLite URL has a host part, which SQLite does not use: ${trimmed}`, 'Write three slashes for a relative path (sqlite:///app.db) or four for an absolute one (sqlite:////data/app.db).');
  }
  const filePart = decodeURIComponent(rest.slice(1));
  if (!filePart || filePart === ':memory:') {
    throw new MigrationError('USAGE', `SQLite URL names no file: ${trimmed}`, 'An in-memory database has nothing to migrate; name the database file.');
  }
  return path.resolve(cwd, filePart);
}

/** File extensions taken for SQLite databases (Explorer menu, file pickers, derived names). */
export const SQLITE_EXTENSIONS = ['db', 'sqlite', 'sqlite3', 'db3'] as const;
/** package.json's Explorer menu `when` clause repeats this list (a test keeps the two in step). */
const SQLITE_EXTENSION = new RegExp(`\\.(${SQLITE_EXTENSIONS.join('|')})$`, 'i');

/** The file name or path without its SQLite extension: `app.sqlite3` → `app`. */
export function withoutSqliteExtension(name: string): string {
  return name.replace(SQLITE_EXTENSION, '');
}

/** The default MongoDB database name for a source file: its base name without extension, made safe for MongoDB. */
export function defaultDatabaseName(sqlitePath: string): string {
  const base = withoutSqliteExtension(path.basename(sqlitePath));
  const safe = base.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63);
  return safe || 'sqlite2mongo';
}

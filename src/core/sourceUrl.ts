import path from 'node:path';
import { MigrationError } from './errors';

/**
 * Resolves `--sqlite-url` to a file path with SQLAlchemy's rules, so the same string a FastAPI app keeps in its
 * settings works here: `sqlite:///app.db` and `sqlite+aiosqlite:///./app.db` are relative to the working directory,
 * `sqlite:////abs/app.db` is absolute, a plain path is taken as it is. Query strings (`?mode=ro`) are ignored.
 * SQLite's own `file:` URIs follow SQLite's rules (fileUriPath). Percent-escapes are decoded in both.
 */
export function resolveSqliteUrl(url: string, cwd: string = process.cwd()): string {
  const trimmed = url.trim();
  if (!trimmed)
    throw new MigrationError('USAGE', 'The SQLite URL is empty.', 'Pass a path or a URL such as sqlite:///./app.db.');
  const match = /^sqlite(?:\+[a-z0-9_]+)?:\/\/(.*)$/i.exec(trimmed);
  if (!match) {
    if (/^file:/i.test(trimmed)) return path.resolve(cwd, fileUriPath(trimmed));
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
      throw new MigrationError(
        'USAGE',
        `Not a SQLite URL: ${trimmed}`,
        'Use sqlite:///relative/path.db, sqlite:////absolute/path.db or a plain file path.',
      );
    }
    return path.resolve(cwd, trimmed);
  }
  // After "sqlite://" comes "/<path>": an empty host, then the path. SQLAlchemy strips exactly one slash.
  const rest = match[1].split('?')[0];
  if (!rest.startsWith('/')) {
    throw new MigrationError(
      'USAGE',
      `SQLite URL has a host part, which SQLite does not use: ${trimmed}`,
      'Write three slashes for a relative path (sqlite:///app.db) or four for an absolute one (sqlite:////data/app.db).',
    );
  }
  const filePart = decodePath(rest.slice(1), trimmed);
  if (!filePart || filePart === ':memory:') {
    throw new MigrationError(
      'USAGE',
      `SQLite URL names no file: ${trimmed}`,
      'An in-memory database has nothing to migrate; name the database file.',
    );
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

function decodePath(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new MigrationError('USAGE', `The URL has a broken percent-escape: ${url}`, 'Write a literal % as %25.');
  }
}

/**
 * The file a SQLite URI names (https://www.sqlite.org/uri.html): `file:` then an optional `//` authority, which must
 * be empty or `localhost`, then the path up to `?` (parameters) or `#`, with percent-escapes decoded.
 */
export function fileUriPath(uri: string): string {
  let rest = uri.slice('file:'.length).split(/[?#]/)[0];
  if (rest.startsWith('//')) {
    const end = rest.indexOf('/', 2);
    const authority = rest.slice(2, end === -1 ? rest.length : end);
    if (authority !== '' && authority.toLowerCase() !== 'localhost') {
      throw new MigrationError(
        'USAGE',
        `A file: URI names a host, which SQLite does not use: ${uri}`,
        'Write file:///absolute/path.db or file:relative.db.',
      );
    }
    rest = end === -1 ? '' : rest.slice(end);
  }
  const file = decodePath(rest, uri);
  if (!file || file === ':memory:')
    throw new MigrationError(
      'USAGE',
      `The URI names no file: ${uri}`,
      'An in-memory database has nothing to migrate; name the database file.',
    );
  return file;
}

/** The default MongoDB database name for a source file: its base name without extension, made safe for MongoDB. */
export function defaultDatabaseName(sqlitePath: string): string {
  const base = withoutSqliteExtension(path.basename(sqlitePath));
  const safe = base.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 63);
  return safe || 'sqlite2mongo';
}

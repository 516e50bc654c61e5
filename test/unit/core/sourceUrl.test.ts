import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { defaultDatabaseName, resolveSqliteUrl } from '../../../src/core/sourceUrl';
import { makeDb, tempDir } from '../../helpers/sqliteBuilders';

describe('resolveSqliteUrl (SQLAlchemy rules)', () => {
  const cwd = '/home/me/project';
  const cases: Array<[string, string]> = [
    ['sqlite+aiosqlite:///./app.db', '/home/me/project/app.db'],
    ['sqlite:///app.db', '/home/me/project/app.db'],
    ['sqlite:///data/app.db', '/home/me/project/data/app.db'],
    ['sqlite:////var/lib/app.db', '/var/lib/app.db'],
    ['sqlite+pysqlite:////tmp/x.sqlite?mode=ro', '/tmp/x.sqlite'],
    ['sqlite:///my%20app.db', '/home/me/project/my app.db'],
    ['./app.db', '/home/me/project/app.db'],
    ['/abs/app.db', '/abs/app.db'],
    ['file:///abs/app.db', '/abs/app.db'],
  ];
  for (const [url, expected] of cases)
    it(`${url} → ${expected}`, () => assert.equal(resolveSqliteUrl(url, cwd), expected));

  for (const bad of ['', 'sqlite://', 'sqlite:///:memory:', 'postgresql://localhost/db', 'sqlite://host/app.db']) {
    it(`refuses ${JSON.stringify(bad)} with a usage error`, () =>
      assert.throws(
        () => resolveSqliteUrl(bad, cwd),
        (e: { code?: string }) => e.code === 'USAGE',
      ));
  }
});

describe('defaultDatabaseName', () => {
  it('takes the file name without extension, made safe', () => {
    assert.equal(defaultDatabaseName('/x/app.db'), 'app');
    assert.equal(defaultDatabaseName('/x/My Shop.sqlite3'), 'My_Shop');
    assert.equal(defaultDatabaseName('/x/chinook.sqlite'), 'chinook');
  });
});

describe('resolveSqliteUrl: file: URIs read as SQLite reads them (Python sqlite3 as the oracle)', () => {
  it('decodes percent-escapes and leaves out the query and fragment, for the file SQLite itself opens', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'my app%.db');
      makeDb(file, "CREATE TABLE marker (v TEXT); INSERT INTO marker VALUES ('here');");
      const encoded = file.split('/').map(encodeURIComponent).join('/');
      const uris = [
        `file://${encoded}?mode=ro`,
        `file://localhost${encoded}?mode=ro&cache=private#x`,
        'file:my%20app%25.db?mode=ro',
      ];
      for (const uri of uris) {
        // SQLite opens the URI relative to the working directory; mode=ro makes it fail instead of creating a file.
        const seen = execFileSync(
          'python3',
          [
            '-c',
            "import sqlite3, sys; print(sqlite3.connect(sys.argv[1], uri=True).execute('SELECT v FROM marker').fetchone()[0])",
            uri,
          ],
          { cwd: dir, encoding: 'utf8' },
        ).trim();
        assert.equal(seen, 'here', uri);
        assert.equal(resolveSqliteUrl(uri, dir), file, uri);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a host, a broken escape and an in-memory URI with a usage error', () => {
    for (const bad of ['file://server/app.db', 'file:app%zz.db', 'file::memory:', 'sqlite:///app%zz.db']) {
      assert.throws(
        () => resolveSqliteUrl(bad, '/x'),
        (e: { code?: string }) => e.code === 'USAGE',
        bad,
      );
    }
  });
});

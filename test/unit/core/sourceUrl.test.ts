import assert from 'node:assert/strict';
import { defaultDatabaseName, resolveSqliteUrl } from '../../../src/core/sourceUrl';

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
  for (const [url, expected] of cases) it(`${url} → ${expected}`, () => assert.equal(resolveSqliteUrl(url, cwd), expected));

  for (const bad of ['', 'sqlite://', 'sqlite:///:memory:', 'postgresql://localhost/db', 'sqlite://host/app.db']) {
    it(`refuses ${JSON.stringify(bad)} with a usage error`, () => assert.throws(() => resolveSqliteUrl(bad, cwd), (e: { code?: string }) => e.code === 'USAGE'));
  }
});

describe('defaultDatabaseName', () => {
  it('takes the file name without extension, made safe', () => {
    assert.equal(defaultDatabaseName('/x/app.db'), 'app');
    assert.equal(defaultDatabaseName('/x/My Shop.sqlite3'), 'My_Shop');
    assert.equal(defaultDatabaseName('/x/chinook.sqlite'), 'chinook');
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SQLITE_EXTENSIONS, withoutSqliteExtension } from '../../../src/core';

const manifest = JSON.parse(readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')) as {
  contributes: { menus: { 'explorer/context': Array<{ command: string; when: string }> } };
};

describe('package.json and the SQLite file rule', () => {
  it('offers the Explorer menu items on exactly the SQLite extensions the shell uses', () => {
    const items = manifest.contributes.menus['explorer/context'];
    assert.equal(items.length, 2);
    for (const item of items) {
      const match = /^resourceExtname =~ \/\^\\\.\((.+)\)\$\/i$/.exec(item.when);
      assert.ok(match, `${item.command}: unexpected when clause ${item.when}`);
      assert.deepEqual(match[1].split('|'), [...SQLITE_EXTENSIONS]);
    }
  });

  it('derives names without the extension, case-insensitively, and leaves other names alone', () => {
    assert.equal(withoutSqliteExtension('/data/app.SQLite3'), '/data/app');
    assert.equal(withoutSqliteExtension('shop.db3'), 'shop');
    assert.equal(withoutSqliteExtension('notes.txt'), 'notes.txt');
    assert.equal(withoutSqliteExtension('app.db.bak'), 'app.db.bak');
  });
});

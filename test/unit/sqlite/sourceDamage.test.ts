/**
 * Opening a damaged SQLite source: truncated or garbled pages, a broken overflow chain, a garbled schema page, an
 * unknown collation, a hot rollback journal and bad -wal files, each refused with its own error code.
 */
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { introspect, iterateRows, openSqliteSource } from '../../../src/core/sqlite';
import {
  cleanupTempDirs,
  encodeWal,
  expectMigrationError,
  fileDigest,
  makeDb,
  makeMultiPageDb,
  py,
  tempDir,
} from '../../helpers/sqliteBuilders';

describe('sqlite/source: openSqliteSource on damaged files', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  it('interior pages overwritten with garbage → SOURCE_CORRUPT from quick_check, listing problems', async () => {
    const file = makeMultiPageDb(path.join(dir, 'garbage.db'));
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    const pages = bytes.length / pageSize;
    // Pages in the middle third hold table/index b-tree pages; garble them (page 1, the schema, stays intact).
    for (let p = Math.floor(pages / 3); p < Math.floor((2 * pages) / 3); p++)
      randomBytes(pageSize).copy(bytes, p * pageSize);
    fs.writeFileSync(file, bytes);
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_CORRUPT', file);
    assert.match(e.message, /quick_check|malformed/);

    // Without the integrity check, reading still refuses: either counting rows or streaming them fails.
    const e2 = await expectMigrationError(
      async () => {
        const src = await openSqliteSource(file, { verifyIntegrity: false });
        try {
          for (const t of introspect(src).tables) for (const _row of iterateRows(src, t));
        } finally {
          src.close();
        }
      },
      'SOURCE_CORRUPT',
      file,
    );
    assert.match(e2.message, /malformed|corrupt/);
  });

  it('a broken overflow chain: open refuses via quick_check; unchecked, iterateRows names the table', async () => {
    const file = makeDb(
      path.join(dir, 'overflow.db'),
      `PRAGMA page_size = 4096; CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO docs VALUES (1, printf('%.*c', 40000, 'y'));`,
    );
    const bytes = fs.readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // Pages 3.. are the overflow chain of the single big row: point every "next page" link far past the end.
    for (let p = 2; p < bytes.length / pageSize; p++) bytes.writeUInt32BE(0x7ffffff0, p * pageSize);
    fs.writeFileSync(file, bytes);
    await expectMigrationError(() => openSqliteSource(file), 'SOURCE_CORRUPT', file);

    const src = await openSqliteSource(file, { verifyIntegrity: false });
    try {
      const [table] = introspect(src).tables; // counting rows does not follow overflow chains
      assert.equal(table.rowCount, 1);
      const e = await expectMigrationError(() => [...iterateRows(src, table)], 'SOURCE_CORRUPT', file);
      assert.match(e.message, /table docs/);
    } finally {
      src.close();
    }
  });

  it('a garbled schema page (page 1 after the header) → SOURCE_CORRUPT while reading the schema', async () => {
    const file = makeMultiPageDb(path.join(dir, 'schema-garbage.db'));
    const bytes = fs.readFileSync(file);
    randomBytes(bytes.readUInt16BE(16) - 100).copy(bytes, 100);
    fs.writeFileSync(file, bytes);
    const e = await expectMigrationError(
      () => openSqliteSource(file, { verifyIntegrity: false }),
      'SOURCE_CORRUPT',
      file,
    );
    assert.match(e.message, /malformed|not a database/);
  });

  it('a collation the engine does not have → SOURCE_UNREADABLE naming the collation', async () => {
    const file = path.join(dir, 'collation.db');
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.create_collation('appcase', lambda a, b: (a > b) - (a < b))
con.execute('CREATE TABLE t (k TEXT COLLATE appcase PRIMARY KEY, v)')
con.execute("INSERT INTO t VALUES ('b', 1), ('a', 2)")
con.commit()`,
      file,
    );
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_UNREADABLE', file);
    assert.match(e.hint ?? '', /collation appcase/);
  });

  it('a real hot rollback journal → SOURCE_UNCHECKPOINTED, files untouched', async () => {
    const file = path.join(dir, 'hot.db');
    py(
      `import sqlite3, os, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
con.execute('BEGIN'); con.executemany('INSERT INTO t (v) VALUES (?)', [('x' * 200,)] * 2000); con.execute('COMMIT')
con.execute('PRAGMA cache_size = 2')  # force the uncommitted update to spill into the database file
con.execute('BEGIN'); con.execute("UPDATE t SET v = 'changed' || v")
os._exit(0)  # die mid-transaction, as a crash would`,
      file,
    );
    const journal = `${file}-journal`;
    assert.ok(fs.statSync(journal).size > 0);
    const before = [fileDigest(file), fileDigest(journal)];
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_UNCHECKPOINTED', file);
    assert.match(e.hint ?? '', /sqlite3/);
    assert.deepEqual([fileDigest(file), fileDigest(journal)], before);
  });

  it('a zeroed (committed, persist-mode) journal is not hot', async () => {
    const file = makeDb(path.join(dir, 'persist.db'), 'CREATE TABLE t (a); INSERT INTO t VALUES (1);');
    fs.writeFileSync(`${file}-journal`, Buffer.alloc(512));
    const src = await openSqliteSource(file);
    src.close();
  });

  it('a -wal file with a garbage header → SOURCE_UNCHECKPOINTED with the checkpoint hint', async () => {
    const file = makeDb(path.join(dir, 'badwal.db'), 'CREATE TABLE t (a); INSERT INTO t VALUES (1);');
    fs.writeFileSync(`${file}-wal`, Buffer.from('this is not a write-ahead log at all, just text padding it out'));
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_UNCHECKPOINTED', file);
    assert.ok(e.hint?.includes(`sqlite3 ${file} "PRAGMA wal_checkpoint(TRUNCATE);"`), e.hint);
  });

  it('a -wal file whose page size differs from the database → SOURCE_UNCHECKPOINTED', async () => {
    const file = makeDb(
      path.join(dir, 'pagesize.db'),
      'PRAGMA page_size = 4096; CREATE TABLE t (a); INSERT INTO t VALUES (1);',
    );
    fs.writeFileSync(`${file}-wal`, encodeWal(1024, [{ pgno: 1, commit: 1, page: new Uint8Array(1024) }]));
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_UNCHECKPOINTED', file);
    assert.match(e.message, /page size 1024 does not match the database page size 4096/);
  });

  it('an empty -wal file is ignored', async () => {
    const file = makeDb(path.join(dir, 'emptywal.db'), 'CREATE TABLE t (a); INSERT INTO t VALUES (1);');
    fs.writeFileSync(`${file}-wal`, '');
    const src = await openSqliteSource(file);
    try {
      assert.equal(src.walFramesApplied, 0);
    } finally {
      src.close();
    }
  });
});

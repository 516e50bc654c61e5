import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { introspect, iterateRows, locateEngineWasm, openSqliteSource } from '../../../src/core/sqlite';
import {
  cleanupTempDirs,
  encodeWal,
  expectMigrationError,
  fileDigest,
  makeDb,
  py,
  tempDir,
} from '../../helpers/sqliteBuilders';

/** A rollback-mode database with enough rows to span many pages (and overflow pages for the big rows). */
function makeMultiPageDb(file: string): string {
  return makeDb(
    file,
    `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, body TEXT);
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
     INSERT INTO items SELECT i, 'item ' || i, printf('%.*c', 300, 'x') FROM n;
     CREATE INDEX ix_items_name ON items(name);`,
  );
}

describe('sqlite/source: openSqliteSource', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  it('opens a valid database and reports size, fingerprint and no WAL frames', async () => {
    const file = makeMultiPageDb(path.join(dir, 'ok.db'));
    const src = await openSqliteSource(file);
    try {
      assert.equal(src.path, file);
      assert.equal(src.sizeBytes, fs.statSync(file).size);
      assert.equal(src.walFramesApplied, 0);
      assert.equal(src.fingerprint, createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
      assert.deepEqual(src.db.exec('SELECT count(*) FROM items')[0].values, [[3000]]);
    } finally {
      src.close();
    }
    src.close(); // idempotent
  });

  it('resolves relative paths to an absolute path', async () => {
    const file = makeDb(path.join(dir, 'rel.db'), 'CREATE TABLE t (a);');
    const rel = path.relative(process.cwd(), file);
    const src = await openSqliteSource(rel);
    try {
      assert.equal(src.path, file);
    } finally {
      src.close();
    }
  });

  it('missing file → SOURCE_NOT_FOUND', async () => {
    const file = path.join(dir, 'does-not-exist.db');
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_NOT_FOUND', file);
    assert.equal(e.exitCode, 10);
    assert.ok(e.hint);
  });

  it('a directory → SOURCE_IS_DIRECTORY', async () => {
    const d = path.join(dir, 'a-folder.db');
    fs.mkdirSync(d);
    await expectMigrationError(() => openSqliteSource(d), 'SOURCE_IS_DIRECTORY', d);
  });

  it('a 0-byte file → SOURCE_EMPTY', async () => {
    const file = path.join(dir, 'empty.db');
    fs.writeFileSync(file, '');
    await expectMigrationError(() => openSqliteSource(file), 'SOURCE_EMPTY', file);
  });

  it('a text file → SOURCE_NOT_SQLITE', async () => {
    const file = path.join(dir, 'notes.db');
    fs.writeFileSync(file, 'id,name\n1,alpha\n2,beta\n'.repeat(200));
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_NOT_SQLITE', file);
    assert.match(e.message, /starts with the text "id,name/);
  });

  it('PNG bytes (high-entropy payload after a known signature) → SOURCE_NOT_SQLITE, not ENCRYPTED', async () => {
    const file = path.join(dir, 'picture.db');
    const png = Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from('0000000d49484452', 'hex'),
      randomBytes(8192),
    ]);
    fs.writeFileSync(file, png);
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_NOT_SQLITE', file);
    assert.match(e.message, /PNG image/);
  });

  it('random bytes (like a SQLCipher file) → SOURCE_ENCRYPTED with a sqlcipher hint', async () => {
    const file = path.join(dir, 'secret.db');
    fs.writeFileSync(file, randomBytes(16384));
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_ENCRYPTED', file);
    assert.match(e.hint ?? '', /sqlcipher/);
  });

  it('a few random bytes are too little evidence of encryption → SOURCE_NOT_SQLITE', async () => {
    const file = path.join(dir, 'tiny-random.db');
    fs.writeFileSync(file, Buffer.from('00ff13', 'hex'));
    await expectMigrationError(() => openSqliteSource(file), 'SOURCE_NOT_SQLITE', file);
  });

  it('a real database cut in half → SOURCE_CORRUPT (truncated)', async () => {
    const good = makeMultiPageDb(path.join(dir, 'whole.db'));
    const file = path.join(dir, 'half.db');
    const bytes = fs.readFileSync(good);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const e = await expectMigrationError(() => openSqliteSource(file), 'SOURCE_CORRUPT', file);
    assert.match(e.message, /truncated/);
  });

  it('only the first 60 bytes of the header → SOURCE_CORRUPT', async () => {
    const good = makeMultiPageDb(path.join(dir, 'whole2.db'));
    const file = path.join(dir, 'stub.db');
    fs.writeFileSync(file, fs.readFileSync(good).subarray(0, 60));
    await expectMigrationError(() => openSqliteSource(file), 'SOURCE_CORRUPT', file);
  });

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

  it('larger than an explicit maxBytes → SOURCE_TOO_LARGE with size and limit (there is no default limit)', async () => {
    const file = makeMultiPageDb(path.join(dir, 'big.db'));
    const size = fs.statSync(file).size;
    const e = await expectMigrationError(() => openSqliteSource(file, { maxBytes: 100_000 }), 'SOURCE_TOO_LARGE', file);
    assert.ok(e.message.includes(String(size)), e.message);
    assert.ok(e.message.includes('97.7 KiB'), e.message);
  });

  it('an unreadable file → SOURCE_UNREADABLE', async function () {
    if (process.getuid?.() === 0) this.skip(); // root reads everything
    const file = makeDb(path.join(dir, 'locked.db'), 'CREATE TABLE t (a);');
    fs.chmodSync(file, 0o000);
    await expectMigrationError(() => openSqliteSource(file), 'SOURCE_UNREADABLE', file);
  });

  it('a named pipe (not a regular file) → SOURCE_UNREADABLE without blocking', async function () {
    if (process.platform === 'win32') this.skip();
    const fifo = path.join(dir, 'pipe.db');
    execFileSync('mkfifo', [fifo]);
    await expectMigrationError(() => openSqliteSource(fifo), 'SOURCE_UNREADABLE', fifo);
  });

  it('a file changed by another program after opening → reading stops with SOURCE_UNREADABLE naming the change', async () => {
    const file = makeMultiPageDb(path.join(dir, 'changing.db'));
    const src = await openSqliteSource(file);
    try {
      const items = introspect(src).tables.find((t) => t.name === 'items');
      assert.ok(items);
      assert.equal([...iterateRows(src, items)].length, 3000);
      // Another program commits a change: our reads must not mix the two versions.
      py(
        `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute("UPDATE items SET name = 'changed' WHERE id = 1")
con.commit()
con.close()`,
        file,
      );
      const e = await expectMigrationError(() => [...iterateRows(src, items)], 'SOURCE_UNREADABLE', file);
      assert.match(e.message, /changed while table items was being read/);
    } finally {
      src.close();
    }
  });

  it('an explicit wasmPath is honoured; a wrong one is an INTERNAL error, not a source error', async () => {
    const file = makeDb(path.join(dir, 'wasm.db'), 'CREATE TABLE t (a);');
    const wasm = locateEngineWasm();
    const src = await openSqliteSource(file, { wasmPath: wasm });
    src.close();
    await expectMigrationError(() => openSqliteSource(file, { wasmPath: path.join(dir, 'nope.wasm') }), 'INTERNAL');
  });
});

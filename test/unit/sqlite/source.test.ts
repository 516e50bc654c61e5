/**
 * Opening a SQLite source: a valid database, and every kind of file that is not one (missing, a directory, empty,
 * text, PNG, encrypted-looking, too large, unreadable, a pipe, changed while read) with its own error code.
 * sourceDamage.test.ts: damaged databases, journals and WAL files.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { introspect, iterateRows, locateEngineWasm, openSqliteSource } from '../../../src/core/sqlite';
import {
  cleanupTempDirs,
  expectMigrationError,
  makeDb,
  makeMultiPageDb,
  py,
  tempDir,
} from '../../helpers/sqliteBuilders';

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

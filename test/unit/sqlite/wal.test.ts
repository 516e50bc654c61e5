import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyWal, introspect, iterateRows, openSqliteSource, WalError } from '../../../src/core/sqlite';
import {
  cleanupTempDirs,
  encodeWal,
  fileDigest,
  parseWalFrames,
  py,
  pyJson,
  tempDir,
} from '../../helpers/sqliteBuilders';

/**
 * Builds a WAL-mode database whose newest committed changes exist ONLY in the -wal file: 10 rows are checkpointed
 * into the main file, then 5 inserts, an update and a delete are committed to the WAL, then a large transaction
 * spills uncommitted frames into the WAL and the process dies without committing (or checkpointing on close).
 */
function makeWalDb(file: string, extraPy = ''): void {
  py(
    `import sqlite3, os, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
assert con.execute('PRAGMA journal_mode=WAL').fetchone()[0] == 'wal'
con.execute('PRAGMA wal_autocheckpoint=0')
con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
for i in range(1, 11):
    con.execute('INSERT INTO t VALUES (?, ?)', (i, 'base %d' % i))
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
for i in range(11, 16):
    con.execute('INSERT INTO t VALUES (?, ?)', (i, 'wal %d' % i))
con.execute("UPDATE t SET v = 'updated in wal' WHERE id = 1")
con.execute('DELETE FROM t WHERE id = 2')
${extraPy}
con.execute('PRAGMA cache_size=2')
con.execute('BEGIN')
con.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'x' * 500) for i in range(100, 400)])
os._exit(0)`,
    file,
  );
}

/** What Python's SQLite sees for a main file + -wal pair (read from a copy, because opening recovers the WAL). */
function pythonView(file: string, copyDir: string): Array<[number, string]> {
  fs.mkdirSync(copyDir, { recursive: true });
  const copy = path.join(copyDir, path.basename(file));
  fs.copyFileSync(file, copy);
  if (fs.existsSync(`${file}-wal`)) fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect(sys.argv[1])
print(json.dumps(con.execute('SELECT id, v FROM t ORDER BY id').fetchall()))`,
    copy,
  );
}

/** Checkpoints a copy of main + -wal with real SQLite and returns the resulting main file bytes. */
function pythonCheckpoint(file: string, copyDir: string): Buffer {
  fs.mkdirSync(copyDir, { recursive: true });
  const copy = path.join(copyDir, path.basename(file));
  fs.copyFileSync(file, copy);
  fs.copyFileSync(`${file}-wal`, `${copy}-wal`);
  py(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
con.close()`,
    copy,
  );
  return fs.readFileSync(copy);
}

async function readAllRows(file: string): Promise<{ rows: Array<[number, string]>; frames: number }> {
  const src = await openSqliteSource(file);
  try {
    const t = introspect(src).tables.find((x) => x.name === 't');
    assert.ok(t);
    return { rows: [...iterateRows(src, t)].map((r) => [Number(r[0]), String(r[1])]), frames: src.walFramesApplied };
  } finally {
    src.close();
  }
}

/** Index+1 of the last frame carrying the header salts and a non-zero commit size (ignores checksums). */
function lastCommitFrame(wal: Uint8Array): number {
  const { pageSize, salt } = parseWalFrames(wal);
  let last = 0;
  for (let i = 0, off = 32; off + 24 + pageSize <= wal.length; i++, off += 24 + pageSize) {
    if (!Buffer.from(wal.subarray(off + 8, off + 16)).equals(Buffer.from(salt))) break;
    if (new DataView(wal.buffer, wal.byteOffset).getUint32(off + 4) !== 0) last = i + 1;
  }
  return last;
}

describe('sqlite/wal: committed data that lives only in the -wal file', () => {
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  it('sees exactly the committed rows (not the uncommitted spill nor a garbage tail), files untouched', async () => {
    const file = path.join(dir, 'live.db');
    makeWalDb(file);
    const wal = `${file}-wal`;
    // An uncommitted spill must be present for this test to mean anything.
    const frames = parseWalFrames(fs.readFileSync(wal)).frames;
    assert.ok(
      frames.length > lastCommitFrame(fs.readFileSync(wal)),
      'expected uncommitted frames after the last commit',
    );
    // And a torn write: a partial frame of garbage at the end.
    fs.appendFileSync(wal, randomBytes(3000));

    // The main file alone lacks the WAL-only changes.
    const mainOnlyDir = path.join(dir, 'main-only');
    fs.mkdirSync(mainOnlyDir);
    fs.copyFileSync(file, path.join(mainOnlyDir, 'live.db'));
    const mainOnly = await readAllRows(path.join(mainOnlyDir, 'live.db'));
    assert.equal(mainOnly.frames, 0);
    assert.equal(mainOnly.rows.length, 10);
    assert.equal(mainOnly.rows[0][1], 'base 1');

    const before = [fileDigest(file), fileDigest(wal)];
    const expected = pythonView(file, path.join(dir, 'py-view'));
    assert.equal(expected.length, 14); // 10 + 5 inserted - 1 deleted; none of the 300 uncommitted rows
    const got = await readAllRows(file);
    assert.deepEqual(got.rows, expected);
    assert.deepEqual(got.rows[0], [1, 'updated in wal']);
    assert.equal(got.frames, lastCommitFrame(fs.readFileSync(wal)));
    assert.ok(got.frames > 0);
    assert.deepEqual([fileDigest(file), fileDigest(wal)], before, 'the user files must be byte-identical');
    assert.equal(fs.existsSync(`${file}-shm`), true); // Python's; we neither create nor delete it
  });

  it('produces the same image as a real SQLite checkpoint (except the journal-mode bytes)', () => {
    const file = path.join(dir, 'ckpt.db');
    makeWalDb(file);
    const main = fs.readFileSync(file);
    const wal = fs.readFileSync(`${file}-wal`);
    const { image, framesApplied, walPresent } = applyWal(main, wal);
    assert.equal(walPresent, true);
    assert.ok(framesApplied > 0);
    const reference = pythonCheckpoint(file, path.join(dir, 'ckpt-ref'));
    assert.equal(reference[18], 2);
    assert.equal(image[18], 1);
    assert.equal(image[19], 1);
    const fixed = Buffer.from(reference);
    fixed[18] = 1;
    fixed[19] = 1;
    assert.equal(image.length, reference.length);
    assert.ok(Buffer.from(image).equals(fixed), 'image differs from SQLite checkpoint result');
    assert.ok(main.equals(fs.readFileSync(file)), 'input buffer must not be modified');
  });

  it('honours a shrinking commit (VACUUM in WAL mode truncates the image)', () => {
    const file = path.join(dir, 'vacuum.db');
    makeWalDb(
      file,
      `con.executemany('INSERT INTO t VALUES (?, ?)', [(i, 'y' * 1000) for i in range(1000, 1400)])
con.execute('DELETE FROM t WHERE id >= 1000')
con.execute('VACUUM')`,
    );
    const main = fs.readFileSync(file);
    const wal = fs.readFileSync(`${file}-wal`);
    const { image } = applyWal(main, wal);
    const reference = pythonCheckpoint(file, path.join(dir, 'vacuum-ref'));
    assert.equal(image.length, reference.length);
    assert.ok(image.length < main.length + 400 * 1000, 'VACUUM should have shrunk the database');
    const fixed = Buffer.from(reference);
    fixed[18] = 1;
    fixed[19] = 1;
    assert.ok(Buffer.from(image).equals(fixed));
  });

  it('verifies big-endian checksums (magic 0x377f0683) as well as little-endian', () => {
    const file = path.join(dir, 'be.db');
    makeWalDb(file);
    const main = fs.readFileSync(file);
    const wal = fs.readFileSync(`${file}-wal`);
    const le = applyWal(main, wal);
    const { pageSize, frames } = parseWalFrames(wal);
    const committed = frames.slice(0, le.framesApplied);
    const be = applyWal(main, encodeWal(pageSize, committed, { bigEndian: true }));
    assert.equal(be.framesApplied, le.framesApplied);
    assert.ok(Buffer.from(be.image).equals(Buffer.from(le.image)));
    const le2 = applyWal(main, encodeWal(pageSize, committed, { bigEndian: false }));
    assert.ok(Buffer.from(le2.image).equals(Buffer.from(le.image)));
  });

  it('stops at the first frame with a broken checksum or foreign salt, keeping only earlier commits', () => {
    const pageSize = 512;
    const main = new Uint8Array(pageSize * 2).fill(0xaa);
    const page = (b: number) => new Uint8Array(pageSize).fill(b);
    const frames = [
      { pgno: 1, commit: 2, page: page(1) }, // commit #1
      { pgno: 2, commit: 0, page: page(2) },
      { pgno: 2, commit: 3, page: page(3) }, // commit #2 (grows to 3 pages? page 3 missing → zero-filled)
      { pgno: 1, commit: 3, page: page(4) }, // commit #3
    ];
    const wal = encodeWal(pageSize, frames);
    const all = applyWal(main, wal);
    assert.equal(all.framesApplied, 4);
    assert.equal(all.image.length, 3 * pageSize);
    assert.equal(all.image[0], 4);
    assert.equal(all.image[pageSize], 3);
    assert.equal(all.image[2 * pageSize], 0);

    // Corrupt one byte of frame 3's page: the chain breaks there, so only commit #1 survives.
    const broken = wal.slice();
    broken[32 + 2 * (24 + pageSize) + 24 + 100] ^= 0xff;
    const r = applyWal(main, broken);
    assert.equal(r.framesApplied, 1);
    assert.equal(r.image.length, 2 * pageSize);
    assert.equal(r.image[0], 1);
    assert.equal(r.image[pageSize], 0xaa);

    // A frame with another salt (left over from before a WAL restart) ends the log too.
    const foreign = wal.slice();
    foreign[32 + 3 * (24 + pageSize) + 8] ^= 0x01;
    assert.equal(applyWal(main, foreign).framesApplied, 3);

    // Frames after the last commit frame are an unfinished transaction.
    const open = encodeWal(pageSize, [...frames, { pgno: 2, commit: 0, page: page(9) }]);
    const o = applyWal(main, open);
    assert.equal(o.framesApplied, 4);
    assert.equal(o.image[pageSize], 3);
  });

  it('a WAL with a valid header but no frames, or no commit, changes nothing', () => {
    const main = new Uint8Array(1024).fill(7);
    assert.equal(applyWal(main, encodeWal(512, [])).framesApplied, 0);
    const r = applyWal(main, encodeWal(512, [{ pgno: 1, commit: 0, page: new Uint8Array(512) }]));
    assert.equal(r.framesApplied, 0);
    assert.deepEqual(r.image, main);
    assert.notEqual(r.image, main, 'a copy unless inPlace');
  });

  it('rejects unusable WAL headers with WalError', () => {
    const main = new Uint8Array(1024);
    const good = encodeWal(512, [{ pgno: 1, commit: 2, page: new Uint8Array(512) }]);
    assert.throws(() => applyWal(main, good.subarray(0, 20)), WalError);
    const badMagic = good.slice();
    badMagic[3] = 0x80;
    assert.throws(() => applyWal(main, badMagic), /bad magic/);
    const badCksum = good.slice();
    badCksum[12] ^= 1; // checkpoint sequence is covered by the header checksum
    assert.throws(() => applyWal(main, badCksum), /header checksum/);
    assert.throws(() => applyWal(main, encodeWal(1000, [])), /invalid page size/);
  });

  it('switches a WAL-mode header to rollback mode even without a -wal file', async () => {
    const file = path.join(dir, 'walmode.db');
    py(
      `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.execute('PRAGMA journal_mode=WAL')
con.execute('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)')
con.execute("INSERT INTO t VALUES (1, 'one')")
con.commit()
con.close()  # last close checkpoints and deletes the -wal`,
      file,
    );
    assert.equal(fs.existsSync(`${file}-wal`), false);
    const main = fs.readFileSync(file);
    assert.equal(main[18], 2);
    const r = applyWal(main, new Uint8Array(0));
    assert.equal(r.walPresent, false);
    assert.equal(r.image[18], 1);
    assert.equal(main[18], 2);
    const got = await readAllRows(file);
    assert.deepEqual(got.rows, [[1, 'one']]);
    assert.equal(fs.readFileSync(file)[18], 2);
  });
});

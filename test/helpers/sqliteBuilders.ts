/**
 * Helpers for the SQLite reader tests: temp directories and databases built by Python's sqlite3 module (a real,
 * independent SQLite), so the reader is checked against what SQLite itself wrote and reads back.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MigrationError, type ErrorCode } from '../../src/core/errors';

const created: string[] = [];

/** A fresh temp directory, removed by cleanupTempDirs(). */
export function tempDir(prefix = 's2m-sqlite-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of created.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** Runs a Python script (argv[1..] = args) and returns its stdout. */
export function py(script: string, ...args: string[]): string {
  return execFileSync('python3', ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** Runs a Python script and parses its stdout as JSON. */
export function pyJson<T = unknown>(script: string, ...args: string[]): T {
  return JSON.parse(py(script, ...args)) as T;
}

/** Creates `file` (rollback-journal mode) from an SQL script using Python's sqlite3. */
export function makeDb(file: string, sqlScript: string): string {
  py(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
con.executescript(sys.argv[2])
con.commit()
con.close()`,
    file,
    sqlScript,
  );
  return file;
}

/** Row count of every table, as Python's sqlite3 sees it. */
export function pyCounts(file: string): Record<string, number> {
  return pyJson(
    `import sqlite3, sys, json
con = sqlite3.connect('file:' + sys.argv[1] + '?mode=ro', uri=True)
names = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
print(json.dumps({n: con.execute('SELECT count(*) FROM "%s"' % n.replace('"', '""')).fetchone()[0] for n in names}))`,
    file,
  );
}

/** Asserts that `fn` throws/rejects a MigrationError with `code` whose message names `file`; returns it. */
export async function expectMigrationError(fn: () => unknown, code: ErrorCode, file?: string): Promise<MigrationError> {
  let caught: unknown;
  try {
    await fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof MigrationError)) {
    throw new Error(
      `expected MigrationError ${code}, got ${caught === undefined ? 'no error' : String((caught as Error)?.stack ?? caught)}`,
    );
  }
  if (caught.code !== code) throw new Error(`expected ${code}, got ${caught.code}: ${caught.message}`);
  if (file !== undefined && !caught.message.includes(file))
    throw new Error(`message does not name ${file}: ${caught.message}`);
  if (caught.message.includes('\n')) throw new Error(`message is not one line: ${caught.message}`);
  return caught;
}

/** sha256 of a file's bytes, to prove the reader never wrote to the user's files. */
export function fileDigest(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

// ---- WAL encoding (an independent writer used to test the applier's checksum handling) ----

function walChecksum(buf: Uint8Array, off: number, len: number, le: boolean, s: [number, number]): void {
  const v = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  for (let i = off; i < off + len; i += 8) {
    s[0] = (s[0] + v.getUint32(i, le) + s[1]) >>> 0;
    s[1] = (s[1] + v.getUint32(i + 4, le) + s[0]) >>> 0;
  }
}

export interface WalFrameSpec {
  pgno: number;
  /** Database size in pages for a commit frame, 0 otherwise. */
  commit: number;
  page: Uint8Array;
}

/** Parses the frames of a WAL (no validation) so tests can re-encode them. */
export function parseWalFrames(wal: Uint8Array): { pageSize: number; salt: Uint8Array; frames: WalFrameSpec[] } {
  const dv = new DataView(wal.buffer, wal.byteOffset, wal.byteLength);
  const pageSize = dv.getUint32(8);
  const frames: WalFrameSpec[] = [];
  for (let off = 32; off + 24 + pageSize <= wal.length; off += 24 + pageSize) {
    frames.push({
      pgno: dv.getUint32(off),
      commit: dv.getUint32(off + 4),
      page: wal.slice(off + 24, off + 24 + pageSize),
    });
  }
  return { pageSize, salt: wal.slice(16, 24), frames };
}

/** Builds a valid WAL with the given frames; bigEndian selects magic 0x377f0683 (big-endian checksum words). */
export function encodeWal(
  pageSize: number,
  frames: WalFrameSpec[],
  opts: { bigEndian?: boolean; salt?: Uint8Array } = {},
): Uint8Array {
  const le = !opts.bigEndian;
  const out = new Uint8Array(32 + frames.length * (24 + pageSize));
  const dv = new DataView(out.buffer);
  dv.setUint32(0, opts.bigEndian ? 0x377f0683 : 0x377f0682);
  dv.setUint32(4, 3007000);
  dv.setUint32(8, pageSize);
  dv.setUint32(12, 0);
  out.set(opts.salt ?? Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 16);
  const s: [number, number] = [0, 0];
  walChecksum(out, 0, 24, le, s);
  dv.setUint32(24, s[0]);
  dv.setUint32(28, s[1]);
  let off = 32;
  for (const f of frames) {
    dv.setUint32(off, f.pgno);
    dv.setUint32(off + 4, f.commit);
    out.copyWithin(off + 8, 16, 24);
    out.set(f.page, off + 24);
    walChecksum(out, off, 8, le, s);
    walChecksum(out, off + 24, pageSize, le, s);
    dv.setUint32(off + 16, s[0]);
    dv.setUint32(off + 20, s[1]);
    off += 24 + pageSize;
  }
  return out;
}

/** A rollback-mode database with enough rows to span many pages (and overflow pages for the big rows). */
export function makeMultiPageDb(file: string): string {
  return makeDb(
    file,
    `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, body TEXT);
     WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
     INSERT INTO items SELECT i, 'item ' || i, printf('%.*c', 300, 'x') FROM n;
     CREATE INDEX ix_items_name ON items(name);`,
  );
}

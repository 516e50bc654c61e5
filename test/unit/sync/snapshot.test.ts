import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import nodeFs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadEngine } from '../../../src/core/sqlite';
import { Database } from '../../../src/core/sqlite/database';
import { copySnapshot } from '../../../src/core/sync/copySnapshot';
import { readSnapshot, TornReadError, type SyncSnapshot } from '../../../src/core/sync/snapshot';
import { cleanupTempDirs, py, tempDir } from '../../helpers/sqliteBuilders';

const ACCOUNTS = 200;
const TOTAL = ACCOUNTS * 1000;

/**
 * A writer moving money between accounts (the total never changes in a committed state), in WAL mode, with
 * checkpoints that restart or truncate the WAL every few transactions — the moments a reader that does not take
 * SQLite's locks could mix two states.
 */
const WRITER = `import sqlite3, sys, random, time
random.seed(3)
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA busy_timeout=5000')
end = time.time() + float(sys.argv[2])
i = 0
while time.time() < end:
    a, b = random.randint(1, ${ACCOUNTS}), random.randint(1, ${ACCOUNTS})
    amount = random.randint(1, 50)
    con.execute('BEGIN IMMEDIATE')
    con.execute('UPDATE accounts SET balance = balance - ?, note = ? WHERE id = ?', (amount, 'x' * random.randint(0, 300), a))
    con.execute('UPDATE accounts SET balance = balance + ? WHERE id = ?', (amount, b))
    con.execute('COMMIT')
    i += 1
    if i % 7 == 0:
        con.execute('PRAGMA wal_checkpoint(%s)' % ('TRUNCATE' if i % 14 == 0 else 'RESTART'))
print(i)`;

/** The accounts table in WAL mode, small pages (many of them for 200 rows). */
function makeBank(): string {
  const file = path.join(tempDir('s2m-snap-'), 'bank.db');
  py(
    `import sqlite3, sys
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA page_size=1024')
con.execute('PRAGMA journal_mode=WAL')
con.execute('CREATE TABLE accounts (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL, note TEXT)')
con.executemany('INSERT INTO accounts VALUES (?, 1000, ?)', [(i, '') for i in range(1, ${ACCOUNTS + 1})])`,
    file,
  );
  return file;
}

/**
 * `count` transfers, one transaction each, then a checkpoint in `mode` (none when undefined). The process exits
 * without closing, as a running application would, so the WAL is neither checkpointed nor removed on exit.
 */
function transfers(file: string, count: number, mode?: 'PASSIVE' | 'TRUNCATE'): void {
  py(
    `import sqlite3, sys, os, random
random.seed(int(sys.argv[2]))
con = sqlite3.connect(sys.argv[1], isolation_level=None)
for _ in range(int(sys.argv[2])):
    a, b = random.randint(1, ${ACCOUNTS}), random.randint(1, ${ACCOUNTS})
    con.execute('BEGIN IMMEDIATE')
    con.execute('UPDATE accounts SET balance = balance - 7, note = ? WHERE id = ?', ('x' * random.randint(0, 300), a))
    con.execute('UPDATE accounts SET balance = balance + 7 WHERE id = ?', (b,))
    con.execute('COMMIT')
if sys.argv[3]:
    con.execute('PRAGMA wal_checkpoint(%s)' % sys.argv[3]).fetchall()
os._exit(0)`,
    file,
    String(count),
    mode ?? '',
  );
}

/** A transaction too big for a one-page cache spills uncommitted frames into the WAL; the process then dies. */
function uncommittedSpill(file: string): void {
  py(
    `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA cache_size=1')
con.execute('BEGIN IMMEDIATE')
con.execute("UPDATE accounts SET note = printf('%0300d', id)")
os._exit(0)`,
    file,
  );
}

/** Opens a snapshot, reads the bank through SQLite and verifies: the totals, or the TornReadError that refused them. */
async function readBank(file: string): Promise<{ refused: boolean; count?: number; total?: number }> {
  const engine = await loadEngine();
  let snap: SyncSnapshot;
  try {
    snap = await readSnapshot(file, { attempts: 1 });
  } catch (e) {
    if (e instanceof TornReadError) return { refused: true };
    throw e;
  }
  let db: Database | undefined;
  try {
    db = Database.open(engine, snap.image);
    const [count, total] = db.exec('SELECT count(*), sum(balance) FROM accounts')[0].values[0];
    snap.verify();
    return { refused: false, count: Number(count), total: Number(total) };
  } catch (e) {
    if (e instanceof TornReadError) return { refused: true };
    // SQLite stumbled over a torn image: verify() must refuse it.
    assert.throws(() => snap.verify(), TornReadError, `verify() let through an image SQLite could not read: ${e}`);
    return { refused: true };
  } finally {
    db?.close();
    snap.close();
  }
}

describe('sync/snapshot: consistent reads while an application writes', function () {
  this.timeout(120_000);
  after(cleanupTempDirs);
  // A temporary folder of this file's own: private copies left behind by other processes cannot be mistaken for ours.
  const tmpBefore = process.env.TMPDIR;
  beforeEach(() => (process.env.TMPDIR = tempDir('s2m-snap-tmp-')));
  afterEach(() => (tmpBefore === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = tmpBefore)));

  const kinds: Array<[string, (file: string, opts: { attempts: number; pauseMs: number }) => Promise<SyncSnapshot>]> = [
    ['read on demand', readSnapshot],
    ['a private copy (whole compares)', copySnapshot],
  ];
  for (const [kind, openSnapshot] of kinds)
    it(`${kind}: every snapshot it returns is one committed state (a torn read is refused, never returned)`, async () => {
      const file = makeBank();
      const engine = await loadEngine();
      const writer = spawn('python3', ['-c', WRITER, file, '4'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let writerDone = false;
      const exited = new Promise<void>((resolve) =>
        writer.on('exit', () => {
          writerDone = true;
          resolve();
        }),
      );
      let snapshots = 0;
      let refused = 0;
      const tokens = new Set<string>();
      while (!writerDone) {
        await new Promise((r) => setImmediate(r)); // let the writer's exit event through
        try {
          // Pages are read on demand while the writer goes on; verify() after the reads decides whether they count.
          const snap = await openSnapshot(file, { attempts: 1, pauseMs: 1 });
          let db: Database | undefined;
          try {
            db = Database.open(engine, snap.image);
            const check = String(db.exec('PRAGMA quick_check')[0].values[0][0]);
            const [count, total] = db.exec('SELECT count(*), sum(balance) FROM accounts')[0].values[0];
            snap.verify();
            assert.equal(check, 'ok');
            assert.deepEqual(
              [Number(count), Number(total)],
              [ACCOUNTS, TOTAL],
              `snapshot ${snapshots} mixes two states`,
            );
          } catch (e) {
            // SQLite may also stumble over a torn page before verify() runs; verify() must then refuse the read too.
            if (!(e instanceof TornReadError)) snap.verify();
            throw e;
          } finally {
            db?.close();
            snap.close();
          }
          tokens.add(snap.token);
          snapshots++;
        } catch (e) {
          if (!(e instanceof TornReadError)) throw e;
          refused++;
        }
      }
      await exited;
      assert.ok(snapshots >= 10, `enough snapshots were taken while the writer ran (${snapshots}, ${refused} refused)`);
      assert.ok(tokens.size > 1, 'the writer changed the state between snapshots');
      const copies = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('sqlite2mongo-sync-'));
      assert.deepEqual(copies, [], 'closing a snapshot removes its private copy');
    });

  it('read on demand: a checkpoint under the reads is refused even when the WAL is truncated while verify() looks', async () => {
    // A snapshot of the first commits; then the application commits more and a checkpoint copies them into the main
    // file, under pages the snapshot reads from there. verify() must find those newer frames in the WAL — here the
    // WAL is truncated (a TRUNCATE checkpoint) just as verify() reaches them, which once made it see none.
    const file = makeBank();
    transfers(file, 3);
    const engine = await loadEngine();
    const snap = await readSnapshot(file, { attempts: 1 });
    const frameBytes = 24 + snap.pages.pageSize;
    const firstNewerFrame = 32 + snap.walFramesApplied * frameBytes;
    transfers(file, 40, 'PASSIVE');
    let db: Database | undefined;
    try {
      db = Database.open(engine, snap.image);
      db.exec('SELECT count(*), sum(balance) FROM accounts');
    } catch {
      // A torn image may not even open; verify() decides either way.
    } finally {
      db?.close();
    }
    // The module object itself (the namespace import is read-only): what src/ calls through at run time.
    const realReadSync = nodeFs.readSync;
    let truncated = false;
    nodeFs.readSync = ((...args: unknown[]) => {
      if (!truncated && args[4] === firstNewerFrame) {
        truncated = true;
        transfers(file, 0, 'TRUNCATE');
      }
      return (realReadSync as (...a: unknown[]) => number)(...args);
    }) as typeof fs.readSync;
    try {
      assert.throws(() => snap.verify(), TornReadError);
    } finally {
      nodeFs.readSync = realReadSync;
      snap.close();
    }
    assert.ok(truncated, 'verify() read the frames after the snapshot, and the WAL was truncated at that moment');
    assert.equal(fs.statSync(`${file}-wal`).size, 0);
  });

  it('read on demand: a WAL restarted between stamping the main file and indexing the WAL is never read as one state', async () => {
    // The checkpoint before the restart grows the main file after it was stamped, and the new WAL holds no commit
    // yet, so the image's size would come from the stale stamp (SQLite then finds the file malformed).
    const file = makeBank();
    transfers(file, 3);
    const realOpenSync = nodeFs.openSync;
    let walOpens = 0;
    nodeFs.openSync = ((...args: Parameters<typeof fs.openSync>) => {
      // The first open of the WAL reads its header; the second, after the main file is stamped, indexes it.
      if (args[0] === `${file}-wal` && ++walOpens === 2) {
        transfers(file, 60, 'TRUNCATE');
        uncommittedSpill(file);
      }
      return realOpenSync(...args);
    }) as typeof fs.openSync;
    let result: Awaited<ReturnType<typeof readBank>>;
    try {
      result = await readBank(file);
    } finally {
      nodeFs.openSync = realOpenSync;
    }
    assert.ok(walOpens >= 2, 'the application restarted the WAL while the snapshot was being opened');
    if (!result.refused) assert.deepEqual([result.count, result.total], [ACCOUNTS, TOTAL]);
    // Once the application is quiet, the next snapshot reads the state after its last commit.
    assert.deepEqual(await readBank(file), { refused: false, count: ACCOUNTS, total: TOTAL });
  });

  it('a private copy left by a killed sync is removed by the next one; copies of running syncs stay', async () => {
    const file = path.join(tempDir('s2m-snap-'), 'small.db');
    py(`import sqlite3, sys\nsqlite3.connect(sys.argv[1]).execute('CREATE TABLE t (x)')`, file);
    const dead = spawnSync('true').pid as number; // a process that has exited: its pid names no process now
    const leftover = path.join(os.tmpdir(), `sqlite2mongo-sync-${dead}-abc`);
    const running = path.join(os.tmpdir(), `sqlite2mongo-sync-${process.ppid}-abc`);
    for (const d of [leftover, running]) fs.mkdirSync(d);
    const snap = await copySnapshot(file);
    snap.close();
    assert.deepEqual([fs.existsSync(leftover), fs.existsSync(running)], [false, true]);
  });
});

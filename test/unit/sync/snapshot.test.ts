import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
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

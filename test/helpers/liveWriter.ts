/**
 * An application writing to the live database (tests/helpers/liveDb.ts schema) while sync runs: a Python process
 * committing small transactions about 50 times a second — inserting, updating and deleting resources, their junction
 * rows and their notes — with a checkpoint that restarts the WAL every 100 transactions.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const WRITER = `import sqlite3, sys, os, random, time
random.seed(int(sys.argv[3]))
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA busy_timeout=5000')
ids = [r[0] for r in con.execute('SELECT id FROM resources')]
next_id = max(ids) + 1
next_note = con.execute('SELECT max(id) FROM notes').fetchone()[0] + 1
for tx in range(int(sys.argv[2])):
    con.execute('BEGIN IMMEDIATE')
    for _ in range(random.randint(1, 3)):
        op = random.random()
        rid = random.choice(ids)
        if op < 0.2:
            con.execute('INSERT INTO resources VALUES (?, ?, ?, ?)', (next_id, 'new %d' % next_id, tx, 'b' * random.randint(0, 60)))
            con.execute('INSERT INTO resource_tags VALUES (?, ?)', (next_id, random.randint(1, 5)))
            ids.append(next_id)
            next_id += 1
        elif op < 0.45:
            con.execute('UPDATE resources SET name = ?, size = size + 1 WHERE id = ?', ('renamed %d' % tx, rid))
        elif op < 0.55:
            con.execute('DELETE FROM resource_tags WHERE resource_id = ?', (rid,))
            con.execute('DELETE FROM notes WHERE resource_id = ?', (rid,))
            con.execute('DELETE FROM resources WHERE id = ?', (rid,))
            ids.remove(rid)
        elif op < 0.7:
            con.execute('INSERT OR IGNORE INTO resource_tags VALUES (?, ?)', (rid, random.randint(1, 5)))
        elif op < 0.8:
            con.execute('DELETE FROM resource_tags WHERE resource_id = ? AND tag_id = ?', (rid, random.randint(1, 5)))
        elif op < 0.9:
            con.execute('INSERT INTO notes VALUES (?, ?, ?)', (next_note, rid, 'note %d' % tx))
            next_note += 1
        else:
            con.execute('UPDATE notes SET text = ? WHERE resource_id = ?', ('edited %d' % tx, rid))
    con.execute('COMMIT')
    if tx % 100 == 99:
        con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    time.sleep(0.02)
print('done', flush=True)
os._exit(0)`;

/** Starts the writer: `transactions` commits, reproducible from `seed`. */
export function startWriter(file: string, transactions: number, seed = 15): ChildProcess {
  return spawn('python3', ['-c', WRITER, file, String(transactions), String(seed)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Resolves with the exit code once the process has ended. */
export function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { readSchemaEntries } from '../../../src/core/sync/digest';
import { coarsen, dirtyRanges, type KeyRange } from '../../../src/core/sync/ranges';
import { readSnapshot } from '../../../src/core/sync/snapshot';
import { cleanupTempDirs, py, pyJson, tempDir } from '../../helpers/sqliteBuilders';

/** Rows as Python's sqlite3 sees them: parents by id, child rows by rowid with their owner (no checkpoint on exit). */
const DUMP = `import sqlite3, sys, json, os
con = sqlite3.connect(sys.argv[1])
print(json.dumps({'p': {str(i): [n, s] for (i, n, s) in con.execute('SELECT id, name, size FROM p')},
                  'c': {str(r): [o, t] for (r, o, t) in con.execute('SELECT rowid, owner, text FROM c')}}), flush=True)
os._exit(0)`;

/** Random inserts, updates and deletes of parents and children, in one or several commits (no checkpoint). */
const CHANGE = `import sqlite3, sys, random, os
random.seed(int(sys.argv[2]))
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA wal_autocheckpoint=0')  # one WAL generation: the frames since the mark name every change
ids = [r[0] for r in con.execute('SELECT id FROM p')]
for tx in range(random.randint(1, 6)):
    con.execute('BEGIN')
    for _ in range(random.randint(1, 40)):
        op, rid = random.random(), random.choice(ids)
        if op < 0.15:
            n = max(ids) + random.randint(1, 3)
            con.execute('INSERT INTO p VALUES (?, ?, ?)', (n, 'new', 1)); ids.append(n)
        elif op < 0.35: con.execute('UPDATE p SET name = ? WHERE id = ?', ('x' * random.randint(0, 90), rid))
        elif op < 0.5:
            con.execute('DELETE FROM c WHERE owner = ?', (rid,)); con.execute('DELETE FROM p WHERE id = ?', (rid,)); ids.remove(rid)
        elif op < 0.65: con.execute('INSERT INTO c (owner, text) VALUES (?, ?)', (rid, 'n' * random.randint(0, 40)))
        elif op < 0.8: con.execute('DELETE FROM c WHERE rowid IN (SELECT rowid FROM c WHERE owner = ? LIMIT 1)', (rid,))
        elif op < 0.9: con.execute('UPDATE c SET text = ? WHERE owner = ?', ('edited', rid))
        else: con.execute('UPDATE c SET owner = ? WHERE rowid IN (SELECT rowid FROM c WHERE owner = ? LIMIT 1)', (random.choice(ids), rid))
    con.execute('COMMIT')
os._exit(0)`;

const inRanges = (ranges: KeyRange[], k: number) => ranges.some((r) => r.lo <= k && k <= r.hi);

describe('sync/ranges: changed rows from changed pages', function () {
  this.timeout(120_000);
  after(cleanupTempDirs);

  for (const seed of [1, 2, 3, 4, 5, 6]) {
    it(`every changed parent and every owner of a changed child is in the dirty ranges (seed ${seed})`, async () => {
      const file = path.join(tempDir('s2m-ranges-'), 'r.db');
      py(
        `import sqlite3, sys, os
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA page_size=1024'); con.execute('PRAGMA journal_mode=WAL'); con.execute('PRAGMA wal_autocheckpoint=0')
con.execute('CREATE TABLE p (id INTEGER PRIMARY KEY, name TEXT, size INTEGER)')
con.execute('CREATE TABLE c (owner INTEGER, text TEXT)')
con.execute('CREATE INDEX c_owner ON c (owner)')
con.execute('BEGIN')
con.executemany('INSERT INTO p VALUES (?, ?, ?)', [(i, 'name %d' % i, i) for i in range(1, 3001)])
con.executemany('INSERT INTO c (owner, text) VALUES (?, ?)', [(1 + (i * 7) % 3000, 't %d' % i) for i in range(4000)])
con.execute('COMMIT')
os._exit(0)`,
        file,
      );
      const before = pyJson<{ p: Record<string, unknown>; c: Record<string, [number, string]> }>(DUMP, file);
      const mark = await readSnapshot(file);
      const frames = mark.wal.framesApplied;
      const salts = mark.wal.salts;
      mark.close();
      py(CHANGE, file, String(seed));
      const after = pyJson<{ p: Record<string, unknown>; c: Record<string, [number, string]> }>(DUMP, file);
      const snap = await readSnapshot(file);
      try {
        assert.equal(snap.wal.salts, salts, 'the WAL was not restarted');
        const changed = new Set(snap.wal.framePages.slice(frames, snap.wal.framesApplied));
        const entries = readSchemaEntries(snap.pages);
        const root = (name: string) => entries.find((e) => e.name === name)!.rootPage;
        const parents = dirtyRanges(snap.pages, root('p'), changed, 'table');
        const owners = dirtyRanges(snap.pages, root('c_owner'), changed, 'index');
        const childRows = dirtyRanges(snap.pages, root('c'), changed, 'table');
        snap.verify();
        const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
        let changedParents = 0;
        for (const id of new Set([...Object.keys(before.p), ...Object.keys(after.p)]))
          if (!same(before.p[id], after.p[id])) {
            changedParents++;
            assert.ok(inRanges(parents, Number(id)), `parent ${id} changed outside ${JSON.stringify(parents)}`);
          }
        assert.ok(changedParents > 0, 'the writer changed parents');
        for (const rowid of new Set([...Object.keys(before.c), ...Object.keys(after.c)])) {
          const [was, is] = [before.c[rowid], after.c[rowid]];
          if (same(was, is)) continue;
          const found = (owner: number) => inRanges(owners, owner) || inRanges(childRows, Number(rowid));
          // A row updated in place keeps its index entry: its owner is read from the row (childRows). An owner it
          // left (row deleted, or moved to another owner) is found through the index alone: the row is gone.
          if (was && is && was[0] === is[0]) assert.ok(found(is[0]), `child ${rowid} (owner ${is[0]}) not found`);
          else {
            if (was) assert.ok(inRanges(owners, was[0]), `old owner ${was[0]} of child ${rowid} not found`);
            if (is) assert.ok(found(is[0]), `new owner ${is[0]} of child ${rowid} not found`);
          }
        }
        // Narrowed: fewer than all parents (a leaf of 1 KiB pages holds a few dozen rows).
        const ids = Object.keys({ ...before.p, ...after.p }).map(Number);
        const covered = ids.filter((id) => inRanges(parents, id)).length;
        assert.ok(covered < ids.length, `the ranges cover ${covered} of ${ids.length} parents`);
      } finally {
        snap.close();
      }
    });
  }

  it('coarsens to the wanted number of ranges by joining the closest ones', () => {
    const r = (lo: number, hi: number) => ({ lo, hi });
    assert.deepEqual(coarsen([r(1, 2), r(10, 12), r(14, 15), r(100, 101)], 2), [r(1, 15), r(100, 101)]);
    assert.deepEqual(coarsen([r(5, 6), r(1, 2), r(3, 3)], 8), [r(1, 3), r(5, 6)]);
  });
});

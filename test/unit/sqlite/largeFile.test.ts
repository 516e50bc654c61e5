import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { introspect, iterateRows, openSqliteSource, type SqlValue } from '../../../src/core/sqlite';
import { cleanupTempDirs, fileDigest, pyJson, tempDir } from '../../helpers/sqliteBuilders';

const BUILDER = path.join(__dirname, '..', '..', 'helpers', 'make_sparse_db.py');
const TWO_GIB = 2 ** 31;

/** What a row holds, in a form Python and we can both produce: ints as decimal text, bytes as their sha256. */
function show(v: SqlValue): string {
  if (v instanceof Uint8Array) return `blob:${v.length}:${createHash('sha256').update(v).digest('hex')}`;
  if (typeof v === 'bigint') return `int:${v}`;
  return `${typeof v}:${String(v)}`;
}

const PY_ROWS = `
import hashlib, json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
def d(v):
    if isinstance(v, bytes): return f'blob:{len(v)}:{hashlib.sha256(v).hexdigest()}'
    if isinstance(v, int): return f'int:{v}'
    if isinstance(v, str): return f'string:{v}'
    return 'object:null' if v is None else f'number:{v!r}'
out = {t: [[d(v) for v in r] for r in con.execute(f'SELECT * FROM {t} ORDER BY id')] for t in ('big', 'small')}
print(json.dumps(out))
`;

describe('sqlite/source: files larger than the old in-memory limit', function () {
  // Building the file takes about a second; hashing 2 GiB of (sparse) bytes for the fingerprint takes a few.
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = tempDir();
  });
  after(cleanupTempDirs);

  it('reads a 2 GiB+ file (rows past 2 GiB, committed WAL frames over them) exactly as Python does, in bounded memory', async () => {
    const file = path.join(dir, 'big.db');
    const built = JSON.parse(execFileSync('python3', [BUILDER, file, '--size-gib', '2.02', '--wal'], { encoding: 'utf8' })) as { size: number; lowestDataPage: number; walBytes: number };
    assert.ok(built.size > TWO_GIB, `expected a file over 2 GiB, got ${built.size}`);
    assert.ok((built.lowestDataPage - 1) * 65536 > TWO_GIB, 'the rows must live past the 2 GiB offset');
    assert.ok(built.walBytes > 0);
    const walBefore = fileDigest(`${file}-wal`);
    const mainStatBefore = fs.statSync(file);

    const src = await openSqliteSource(file);
    const got: Record<string, string[][]> = {};
    try {
      assert.equal(src.sizeBytes, built.size);
      assert.ok(src.walFramesApplied > 0);
      for (const table of introspect(src).tables) got[table.name] = [...iterateRows(src, table)].map((r) => r.map(show));
    } finally {
      src.close();
    }
    // Peak memory of this whole test process stays far below the file size.
    const peakRss = process.resourceUsage().maxRSS * 1024;
    assert.ok(peakRss < 600 * 2 ** 20, `peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`);

    // Our files were only read (Python's oracle below may create a -shm; it runs after).
    assert.equal(fileDigest(`${file}-wal`), walBefore);
    const mainStatAfter = fs.statSync(file);
    assert.deepEqual([mainStatAfter.size, mainStatAfter.mtimeMs], [mainStatBefore.size, mainStatBefore.mtimeMs]);

    const expected = pyJson<Record<string, string[][]>>(PY_ROWS, file);
    assert.deepEqual(got, expected);
    // The committed WAL changes are visible; the open transaction is not.
    assert.equal(got.big[1][1], 'string:row 2 ✓ (wal)');
    assert.equal(got.big[0][1], 'string:row 1 ✓');
    assert.equal(got.big[2][2].split(':')[1], '1000');
    assert.equal(got.small.length, 500);
  });
});

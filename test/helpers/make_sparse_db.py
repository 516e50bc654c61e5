"""Builds a valid SQLite database larger than SIZE bytes that costs little disk and little time to make.

    python3 make_sparse_db.py OUT.db --size-gib 2.2 [--rows 24] [--row-bytes 262144] [--wal]

Most of the file is a freelist of 64 KiB pages that are never written (holes in a sparse file); the real rows are
written by SQLite itself into free pages at the END of the file, so reading them needs offsets past 2 GiB (and past
4 GiB with --size-gib > 4). How: SQLite creates the tables in a 3-page file; we extend the file and chain every page
after them into the freelist, the highest pages first in the first trunk; SQLite then allocates the new rows' pages
from that first trunk. With --wal, two later transactions stay in the -wal file (not checkpointed) and a third is left open.
Prints JSON: the file size, page count, the lowest page holding table data, and how many frames the WAL holds.
"""
import argparse
import json
import os
import sqlite3
import struct

PAGE = 65536
LEAVES_PER_TRUNK = PAGE // 4 - 2


def build_freelist(path, total_pages, first_free, top_pages):
    """Turns pages first_free..total_pages into freelist pages. The first trunk lists only the `top_pages` highest
    pages, so SQLite allocates new pages there; the other trunks list the rest."""
    # The page holding the lock byte (offset 2^30) is never used by SQLite, so it must not be listed either.
    lock_page = 2**30 // PAGE + 1
    free = [p for p in range(first_free, total_pages + 1) if p != lock_page]
    top = free[-top_pages:]
    rest = free[:-top_pages]
    # Trunk pages come from the low end (they must be written); leaves are everything else.
    n_rest_trunks = (len(rest) + LEAVES_PER_TRUNK) // (LEAVES_PER_TRUNK + 1)
    trunks = [rest[0]] + rest[1:1 + n_rest_trunks]
    leaves = rest[1 + n_rest_trunks:]
    chunks = [top] + [leaves[i * LEAVES_PER_TRUNK:(i + 1) * LEAVES_PER_TRUNK] for i in range(n_rest_trunks)]
    with open(path, 'r+b') as f:
        f.truncate(total_pages * PAGE)  # sparse: the leaves are never written
        for i, trunk in enumerate(trunks):
            chunk = chunks[i]
            nxt = trunks[i + 1] if i + 1 < len(trunks) else 0
            f.seek((trunk - 1) * PAGE)
            f.write(struct.pack('>II', nxt, len(chunk)) + struct.pack(f'>{len(chunk)}I', *chunk))
        f.seek(28)
        f.write(struct.pack('>III', total_pages, trunks[0], len(free)))  # size, first trunk, free count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('out')
    ap.add_argument('--size-gib', type=float, default=2.2)
    ap.add_argument('--rows', type=int, default=24)
    ap.add_argument('--row-bytes', type=int, default=256 * 1024)
    ap.add_argument('--wal', action='store_true')
    a = ap.parse_args()
    for suffix in ('', '-wal', '-shm', '-journal'):
        if os.path.exists(a.out + suffix):
            os.remove(a.out + suffix)

    con = sqlite3.connect(a.out, isolation_level=None)
    con.execute(f'PRAGMA page_size={PAGE}')
    con.execute('CREATE TABLE big (id INTEGER PRIMARY KEY, label TEXT NOT NULL, payload BLOB, n INTEGER)')
    con.execute('CREATE TABLE small (id INTEGER PRIMARY KEY, v TEXT)')
    con.close()
    pages = os.path.getsize(a.out) // PAGE
    total = int(a.size_gib * 2**30) // PAGE + 1
    # Room for the rows (plus b-tree pages) among the highest pages.
    build_freelist(a.out, total, pages + 1, a.rows * (a.row_bytes // PAGE + 2) + 64)

    con = sqlite3.connect(a.out, isolation_level=None)
    con.execute('BEGIN')
    for i in range(1, a.rows + 1):
        # Deterministic, incompressible-looking bytes; the ints cover the int64 extremes.
        payload = os.urandom(a.row_bytes)
        n = [-(2**63), 2**63 - 1, 2**53 + 1, -(2**31)][i % 4] if i % 5 else i
        con.execute('INSERT INTO big VALUES (?, ?, ?, ?)', (i, f'row {i} ✓', payload, n))
    con.executemany('INSERT INTO small VALUES (?, ?)', [(i, f'v{i}') for i in range(1, 501)])
    con.execute('COMMIT')
    lowest = con.execute("SELECT min(pageno) FROM dbstat WHERE name IN ('big', 'small') AND pageno > 3").fetchone()[0]
    frames = 0
    if a.wal:
        con.execute('PRAGMA journal_mode=WAL')
        con.execute('PRAGMA wal_autocheckpoint=0')
        con.execute("UPDATE big SET label = label || ' (wal)' WHERE id % 2 = 0")
        con.execute("UPDATE big SET payload = zeroblob(1000) WHERE id = 3")
        con.execute('BEGIN')
        con.execute("UPDATE big SET label = 'uncommitted' WHERE id = 1")
        con.execute("INSERT INTO small VALUES (1000, 'uncommitted')")
        frames = os.path.getsize(a.out + '-wal')
        # Copy the files while the connection is open (closing would checkpoint the WAL into the main file); the
        # last transaction is still open, so its frames (if any reached the WAL) are uncommitted.
        os.system(f'cp --sparse=always {a.out} {a.out}.copy && cp {a.out}-wal {a.out}.copy-wal')
        con.execute('ROLLBACK')
    con.close()
    if a.wal:
        os.replace(a.out + '.copy', a.out)
        os.replace(a.out + '.copy-wal', a.out + '-wal')
        if os.path.exists(a.out + '-shm'):
            os.remove(a.out + '-shm')
    print(json.dumps({'size': os.path.getsize(a.out), 'pages': total, 'lowestDataPage': lowest, 'walBytes': frames}))


if __name__ == '__main__':
    main()

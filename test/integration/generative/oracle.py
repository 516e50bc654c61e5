# The generative test's oracle: builds each SQLite file from its JSON spec with Python's sqlite3, then dumps what
# SQLite holds — every table's rows with typed values (TEXT that is not UTF-8 as hex), the rowid-derived ObjectId,
# and for every text value the instant datetime.fromisoformat reads in it (UTC when it names no zone).
# Usage: python3 oracle.py spec.json dump.json
import datetime
import hashlib
import json
import sqlite3
import sys

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def param(v):
    if v is None:
        return None, '?'
    if 'i' in v:
        return int(v['i']), '?'
    if 'r' in v:
        return float(v['r']), '?'
    if 's' in v:
        return v['s'], '?'
    if 'b' in v:
        return bytes.fromhex(v['b']), '?'
    return bytes.fromhex(v['x']), 'CAST(? AS TEXT)'


def instant(text):
    try:
        dt = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    dt = dt.replace(microsecond=dt.microsecond // 1000 * 1000)
    return (dt - EPOCH) // datetime.timedelta(milliseconds=1)


def typed(v):
    if v is None:
        return None
    if isinstance(v, int):
        return {'i': str(v)}
    if isinstance(v, float):
        return {'r': repr(v)}
    if isinstance(v, bytes):
        return {'b': v.hex()}
    return v


def dump_value(v, is_text):
    # TEXT comes as bytes (text_factory): UTF-8 or not is decided here.
    if is_text:
        try:
            s = v.decode('utf-8')
        except UnicodeDecodeError:
            return {'x': v.hex()}
        out = {'s': s}
        t = instant(s)
        if t is not None:
            out['t'] = t
        return out
    return typed(v)


def build(file, tables):
    con = sqlite3.connect(file)
    for t in tables:
        con.execute(t['sql'])
        cols = ', '.join('"%s"' % c.replace('"', '""') for c in t['columns'])
        for row in t['rows']:
            values, marks = zip(*[param(v) for v in row])
            try:
                con.execute('INSERT OR IGNORE INTO "%s" (%s) VALUES (%s)' % (t['name'].replace('"', '""'), cols, ', '.join(marks)), values)
            except sqlite3.Error:
                pass  # a STRICT table refusing a value: the row is simply not there
    con.commit()
    con.close()


def dump(file):
    con = sqlite3.connect(file)
    con.text_factory = bytes
    out = {}
    for name, wr in con.execute("SELECT name, wr FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%'"):
        name = name.decode('utf-8')
        q = '"%s"' % name.replace('"', '""')
        cols = [r[1].decode('utf-8') for r in con.execute('SELECT * FROM pragma_table_info(?)', (name,))]
        select = ', '.join(['rowid'] if not wr else []) + (', ' if not wr else '') + ', '.join('"%s", typeof("%s")' % (c.replace('"', '""'), c.replace('"', '""')) for c in cols)
        rows = []
        for r in con.execute('SELECT %s FROM %s' % (select, q)):
            r = list(r)
            row = {}
            if not wr:
                rowid = r.pop(0)
                oid = hashlib.sha256(name.encode('utf-8')).digest()[:4] + rowid.to_bytes(8, 'big', signed=True)
                row['\u0000rowid'] = {'i': str(rowid)}
                row['\u0000oid'] = oid.hex()
            for i, c in enumerate(cols):
                row[c] = dump_value(r[2 * i], r[2 * i + 1] == b'text')
            rows.append(row)
        out[name] = rows
    con.close()
    return out


spec = json.load(open(sys.argv[1], encoding='utf-8'))
result = {}
for f in spec:
    build(f['file'], f['tables'])
    result[f['file']] = dump(f['file'])
json.dump(result, open(sys.argv[2], 'w', encoding='utf-8'))

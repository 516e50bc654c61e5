/**
 * `npm run bench:sync` — the two targets of `sqlite2mongo sync` (docs/sync.md):
 *   - a sync with nothing changed (the state token only; and after a commit that changed no row: every table's
 *     pages hashed, nothing compared);
 *   - the lag of `sync --watch` behind an application committing small transactions (default 50/s): for each
 *     commit, the time until the end of the first sync that started after it (median and 90th percentile).
 *
 *   node dist/benchSync.js [--resources 20000] [--tps 50] [--seconds 30] [--out bench/results-sync.json]
 *
 * Generates the reference database (../shared/fixtures/make_app_db.py, cached in bench/work/), switches a copy to
 * WAL mode, migrates it into a fresh FerretDB, then measures. The machine's load average is recorded with the
 * results: on a shared machine it dominates the figures.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { migrate, syncDatabase, watchDatabase, type SyncOutcome } from '../src/core';
import { startFerretDb } from '../scripts/lib/ferretdb';
import { arg, ensureDatabase, ROOT, WORK } from './common';

/** The application: `tps` transactions a second, each renaming a resource and adding or removing a link. */
const WRITER = `import sqlite3, sys, time, random
random.seed(7)
con = sqlite3.connect(sys.argv[1], isolation_level=None)
con.execute('PRAGMA busy_timeout=5000')
n = con.execute('SELECT max(id) FROM resources').fetchone()[0]
tps, seconds = float(sys.argv[2]), float(sys.argv[3])
start = time.time()
i = 0
while time.time() - start < seconds:
    rid = random.randint(1, n)
    con.execute('BEGIN IMMEDIATE')
    con.execute('UPDATE resources SET name = ? WHERE id = ?', ('tx %d' % i, rid))
    if i % 2 == 0:
        con.execute('INSERT OR IGNORE INTO resource_dependencies VALUES (?, ?)', (rid, random.randint(1, n)))
    else:
        con.execute('DELETE FROM resource_dependencies WHERE rowid IN (SELECT rowid FROM resource_dependencies WHERE resource_id = ? LIMIT 1)', (rid,))
    con.execute('COMMIT')
    print(time.time(), flush=True)
    i += 1
    time.sleep(max(0, start + i / tps - time.time()))
`;

function log(message: string): void {
  process.stderr.write(`[bench:sync ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** A WAL-mode copy of the cached reference database. */
function prepareDatabase(resources: number): string {
  const cached = ensureDatabase(resources);
  const file = path.join(WORK, `sync-${resources}.db`);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  copyFileSync(cached, file);
  spawnSync(
    'python3',
    ['-c', 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("PRAGMA journal_mode=WAL")', file],
    { stdio: 'inherit' },
  );
  return file;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const value = await fn();
  return [value, Math.round(performance.now() - t0)];
}

/** Runs the writer while `sync --watch` follows it; returns each commit's lag in ms. */
async function measureLag(
  file: string,
  url: string,
  database: string,
  tps: number,
  seconds: number,
): Promise<{ lags: number[]; syncs: SyncOutcome[] }> {
  const syncs: SyncOutcome[] = [];
  const stop = new AbortController();
  const watching = watchDatabase({
    sqlitePath: file,
    mongoUrl: url,
    database,
    signal: stop.signal,
    intervalMs: 1000,
    onEvent: (e) => {
      if (e.type !== 'sync-end') return;
      syncs.push(e.outcome);
      const o = e.outcome;
      if (process.argv.includes('--verbose'))
        log(
          `sync ${o.status} (${o.detection}) ${o.durationMs} ms: ${o.totals.unchanged + o.totals.replaced + o.totals.inserted} compared; detect ${o.detectMs ?? '-'} ms; ${o.collections.map((c) => `${c.collection} ${c.narrowed ? 'narrowed' : 'whole'}${c.timings ? ` build ${c.timings.buildMs} read ${c.timings.readMs} write ${c.timings.writeMs} ms` : ''}`).join(', ')}${o.error ? ` — ${o.error.message}` : ''}`,
        );
    },
  });
  const writer = spawn('python3', ['-c', WRITER, file, String(tps), String(seconds)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const commits: number[] = [];
  for await (const line of createInterface({ input: writer.stdout })) commits.push(Math.round(Number(line) * 1000));
  log(`writer done: ${commits.length} commits; waiting for the watcher to catch up`);
  // Caught up: a sync that started after the last commit has ended.
  while (!syncs.some((s) => Date.parse(s.startedAt) > commits[commits.length - 1] && s.status !== 'failed'))
    await new Promise((r) => setTimeout(r, 200));
  stop.abort();
  const failure = await watching;
  if (failure) throw new Error(`sync failed: ${failure.error?.message}`);
  const done = syncs
    .filter((s) => !s.error)
    .map((s) => ({ start: Date.parse(s.startedAt), end: Date.parse(s.startedAt) + s.durationMs }));
  const lags = commits.map((c) => {
    const first = done.filter((s) => s.start > c).sort((a, b) => a.start - b.start)[0];
    return first.end - c;
  });
  return { lags: lags.sort((a, b) => a - b), syncs };
}

async function main(): Promise<void> {
  const resources = Number(arg('--resources', '20000'));
  const tps = Number(arg('--tps', '50'));
  const seconds = Number(arg('--seconds', '30'));
  const out = path.resolve(arg('--out', path.join(ROOT, 'bench', 'results-sync.json')));
  const load = [os.loadavg()[0]];
  const file = prepareDatabase(resources);
  const server = await startFerretDb({ startTimeoutMs: 60_000 });
  try {
    const database = 'bench_sync';
    log(`migrating ${resources} resources…`);
    const [report, migrateMs] = await timed(() =>
      migrate({ sqlitePath: file, mongoUrl: server.url, database, ifExists: 'drop', skipValidation: true }),
    );
    if (report.status !== 'succeeded') throw new Error(`migration failed: ${report.error?.message}`);
    const once = () => syncDatabase({ sqlitePath: file, mongoUrl: server.url, database });
    const [first, firstMs] = await timed(once);
    const [idle, idleMs] = await timed(once);
    // A commit that leaves every row as it was: the token changes, so every table's pages are hashed; none differs.
    const touch = [
      'import sqlite3, sys, os',
      'c = sqlite3.connect(sys.argv[1], isolation_level=None)',
      'c.execute("UPDATE resources SET name = name WHERE id = 1")',
      'os._exit(0)', // no checkpoint on close: the commit stays in the WAL, as with a running application
    ].join('\n');
    spawnSync('python3', ['-c', touch, file]);
    const [touched, touchedMs] = await timed(once);
    log(
      `no-change syncs: token only ${idleMs} ms; after a commit that changed no row ${touchedMs} ms (${touched.pagesHashed} pages hashed, ${touched.collections.length} compared)`,
    );
    log(`lag: ${tps} tx/s for ${seconds} s…`);
    load.push(os.loadavg()[0]);
    const { lags, syncs } = await measureLag(file, server.url, database, tps, seconds);
    load.push(os.loadavg()[0]);
    // The app has stopped and the watcher caught up: the target must be identical to the file (full validation).
    log('validating every collection against the file…');
    const [check, validateMs] = await timed(() =>
      migrate({ sqlitePath: file, mongoUrl: server.url, database, steps: ['validate'] }),
    );
    log(`validation: ${check.status}, ${check.totals.mismatches} mismatch(es) in ${validateMs} ms`);
    const result = {
      resources,
      bytes: report.source.sizeBytes,
      loadAverage: { before: load[0], lagStart: load[1], after: load[2] },
      finalValidation: { status: check.status, mismatches: check.totals.mismatches, ms: validateMs },
      migrateMs,
      firstSync: { ms: firstMs, status: first.status, compared: first.collections.length },
      noChange: {
        tokenOnlyMs: idleMs,
        tokenOnlyPagesHashed: idle.pagesHashed,
        touchedMs,
        touchedPagesHashed: touched.pagesHashed,
        touchedCompared: touched.collections.length,
      },
      lag: {
        tps,
        seconds,
        commits: lags.length,
        medianMs: percentile(lags, 0.5),
        p90Ms: percentile(lags, 0.9),
        maxMs: lags[lags.length - 1],
        syncs: syncs.filter((s) => s.status === 'synced').length,
        byDetection: Object.fromEntries(
          (['wal', 'digests'] as const).map((d) => [
            d,
            syncs.filter((s) => s.status === 'synced' && s.detection === d).length,
          ]),
        ),
        medianDocumentsCompared: percentile(
          syncs
            .filter((s) => s.status === 'synced')
            .map((s) => s.totals.unchanged + s.totals.replaced + s.totals.inserted)
            .sort((a, b) => a - b),
          0.5,
        ),
        tornReadsRetried: syncs.filter((s) => s.error?.code === 'SOURCE_UNREADABLE').length,
        medianSyncMs: percentile(
          syncs
            .filter((s) => s.status === 'synced')
            .map((s) => s.durationMs)
            .sort((a, b) => a - b),
          0.5,
        ),
      },
      targets: { lagMedianMs: 5000, noChangeMs: 1000 },
    };
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    log(
      `lag median ${result.lag.medianMs} ms, p90 ${result.lag.p90Ms} ms over ${result.lag.commits} commits; ${result.lag.syncs} syncs, median ${result.lag.medianSyncMs} ms each`,
    );
    log(`wrote ${path.relative(ROOT, out)}`);
  } finally {
    await server.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:sync failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});

/**
 * `npm run bench` — measures sqlite2mongo against its ceilings and baselines, side by side, on one server per size.
 *
 *   node --expose-gc dist/bench.js [--sizes 100000,300000,1000000] [--quick] [--out bench/results.json]
 *                                  [--sample 50000] [--repeat 2] [--migrate-runs 1] [--pairs 2] [--mongoimport-workers 1,4]
 *                                  [--skip validate,reference,raw,mongoimport,readback,reruns]
 *                                  [--reruns unchanged,changed,deleted]
 * (`--skip validate`: the migration is run once, with --no-validate, and counts for both; for a quick 1 M run)
 *
 * For each size N: generates the reference database (../shared/fixtures/make_app_db.py --resources N, cached in
 * bench/work/), starts a fresh FerretDB, and measures
 *   1. the raw sql.js scan of both tables (export ceiling), in this process;
 *   2. `sqlite2mongo migrate` end to end (export streamed into import, indexes, validate) as a child process: wall
 *      time, the report's per-step figures, CPU of our process and of the server per phase (from /proc), and the
 *      child's RSS sampled every 100 ms (peak per step);
 *   3. reruns of that database (bench/reruns.ts): a validation pass, then `--if-exists upsert` unchanged, with 1 %
 *      of the rows changed, and with 1 % deleted (--sync-deletes), each validated afterwards;
 *   4. `migrate --no-validate` (what mongoimport is compared with);
 *   5. the "reference style" baseline: the same documents (built in memory by the engine's DocumentBuilder)
 *      inserted sequentially with insertMany, 100 per batch, one batch at a time;
 *   6. the raw insert ceiling: the same prebuilt documents, unordered insertMany, best batch size × concurrency
 *      (searched on a sample, then run on all documents);
 *   7. mongoimport (../shared/tools/mongoimport) on the same documents, canonical Extended JSON one per line, with 1
 *      and with 4 insertion workers;
 *   8. the read-back ceiling: a plain find() of the whole collection (raw BSON, best of a few batch sizes).
 * Writes bench/results.json and bench/results.md (embedded by docs/performance.md) and prints the summary.
 *
 * One module per measured part: scan.ts (1), cli.ts (2, 4), reruns.ts (3), inserts.ts (5, 6), mongoimport.ts (7),
 * readBack.ts (8); common.ts holds the paths, the reference database and the number helpers; results.ts derives the
 * ratios, targets.ts judges them, report.ts writes them. This file runs the parts in order, one fresh server a size.
 */
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY } from '../src/core';
import { startFerretDb, type FerretDbServer } from '../scripts/lib/ferretdb';
import { ensureDatabase, gc, loadAvg, log, rate, ROOT, round, WORK, withRss } from './common';
import { migrateCli, runCli, snapshotCli, type MigrateResult } from './cli';
import { buildDocuments, rawInsertCeiling, referenceStyle } from './inserts';
import { mongoimportBench } from './mongoimport';
import { readBackCeiling } from './readBack';
import { ferretDbVersion, machine, writeReport } from './report';
import { deriveRatios, type SizeResult } from './results';
import { RERUN_KINDS, rerunBench, type RerunKind } from './reruns';
import { rawScan } from './scan';
import { targets } from './targets';

interface Options {
  sizes: number[];
  quick: boolean;
  out: string;
  sample: number;
  repeat: number;
  /** Migrations per size; the fastest is reported (the others are kept in `migrateRuns`). */
  migrateRuns: number;
  /** Back-to-back pairs of `migrate --no-validate` and mongoimport (4 workers), for the ratio on a shared machine. */
  pairs: number;
  mongoimportWorkers: number[];
  skip: Set<string>;
  /** Which reruns bench/reruns.ts makes (all by default). */
  reruns: Set<RerunKind>;
}

function parseArgs(argv: string[]): Options {
  const get = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const sizes = (get('--sizes') ?? (quick ? '20000' : '100000,300000,1000000'))
    .split(',')
    .map((s) => Number(s.replace(/_/g, '')));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0))
    throw new Error('--sizes takes positive integers, e.g. --sizes 100000,300000,1000000');
  return {
    sizes,
    quick,
    out: path.resolve(
      get('--out') ?? (quick ? path.join(WORK, 'results-quick.json') : path.join(ROOT, 'bench', 'results.json')),
    ),
    sample: Number(get('--sample') ?? (quick ? 5000 : 50000)),
    repeat: Number(get('--repeat') ?? (quick ? 1 : 2)),
    migrateRuns: Number(get('--migrate-runs') ?? 1),
    pairs: Number(get('--pairs') ?? (quick ? 1 : 2)),
    mongoimportWorkers: (get('--mongoimport-workers') ?? '1,4').split(',').map(Number),
    skip: new Set((get('--skip') ?? '').split(',').filter(Boolean)),
    reruns: new Set(
      (get('--reruns') ?? RERUN_KINDS.join(',')).split(',').map((k) => {
        if (!RERUN_KINDS.includes(k as RerunKind)) throw new Error(`--reruns takes ${RERUN_KINDS.join(',')}`);
        return k as RerunKind;
      }),
    ),
  };
}

/** 2. The migration end to end, `migrateRuns` times (the fastest counts), keeping the NDJSON for mongoimport. */
async function measureMigration(
  result: SizeResult,
  file: string,
  server: FerretDbServer,
  ndjson: string,
  o: Options,
): Promise<void> {
  const n = result.n;
  const rows = result.scan?.rows ?? 0;
  log(`migrate (CLI) end to end, batch ${DEFAULT_BATCH_SIZE} × concurrency ${DEFAULT_CONCURRENCY}…`);
  const migrations: MigrateResult[] = [];
  for (let i = 0; i < Math.max(1, o.migrateRuns); i++) {
    if (i > 0) log(`migrate again (run ${i + 1} of ${o.migrateRuns})…`);
    migrations.push(
      o.skip.has('validate')
        ? await migrateCli(file, server.url, 'bench_migrate', n, { serverPid: server.pid, noValidate: true })
        : await migrateCli(file, server.url, 'bench_migrate', n, { keepNdjson: ndjson, serverPid: server.pid }),
    );
  }
  const m = [...migrations].sort((a, b) => a.wallMs - b.wallMs)[0];
  result.migrate = m;
  if (migrations.length > 1)
    result.migrateRuns = migrations.map((x) => ({
      wallMs: x.wallMs,
      docsPerSec: x.docsPerSec,
      steps: Object.fromEntries(Object.entries(x.steps).map(([k, v]) => [k, v.durationMs])),
    }));
  const ex = m.steps.export;
  if (ex)
    result.export = {
      rows,
      documents: ex.items,
      ms: ex.durationMs,
      rowsPerSec: rate(rows, ex.durationMs),
      docsPerSec: rate(ex.items, ex.durationMs),
      peakRssMb: ex.peakRssMb,
      ndjsonBytes: m.ndjsonBytes,
    };
  log(
    `  ${m.status}: ${m.wallMs} ms, ${m.docsPerSec} docs/s; steps ${Object.entries(m.steps)
      .map(([k, s]) => `${k} ${s.durationMs} ms`)
      .join(', ')}; peak RSS ${m.peakRssMb} MB; mismatches ${m.mismatches}`,
  );
}

/** 5./6. The insert baselines, on documents prebuilt in memory. */
async function measureBaselines(result: SizeResult, file: string, client: MongoClient, o: Options): Promise<void> {
  log('building the documents in memory…');
  gc();
  const built = await withRss(() => buildDocuments(file));
  const { collection, docs } = built.value;
  result.prebuild = { ms: round(built.ms, 0), documents: docs.length, peakRssMb: built.peakRssMb };
  if (!o.skip.has('raw')) result.raw = await rawInsertCeiling(client, collection, docs, o);
  if (!o.skip.has('reference')) result.reference = await referenceStyle(client, collection, docs);
  built.value.docs.length = 0;
  gc();
}

async function benchSize(n: number, o: Options, ferretVersion: string): Promise<SizeResult> {
  const file = ensureDatabase(n);
  const load = { before: loadAvg(), after: [] as number[] };
  log(`N=${n.toLocaleString('en-US')}: starting a fresh FerretDB`);
  const server: FerretDbServer = await startFerretDb({ startTimeoutMs: 60_000 });
  const client = new MongoClient(server.url, { maxPoolSize: 16, directConnection: true });
  await client.connect();
  const result: SizeResult = {
    n,
    database: {
      file: path.relative(ROOT, file),
      bytes: statSync(file).size,
      resources: 0,
      links: 0,
      generated: `make_app_db.py --resources ${n} (seed 42)`,
    },
    server: { url: '127.0.0.1 (fresh FerretDB, SQLite backend)', ferretdb: ferretVersion },
    ratios: {},
    perDocUs: {},
    load,
  };
  try {
    // 1. raw sql.js scan
    log('raw sql.js scan…');
    result.scan = await rawScan(file);
    result.database.resources = result.scan.tables.resources ?? 0;
    result.database.links = result.scan.tables.resource_dependencies ?? 0;

    // 2. migrate end to end (the CLI in a child process), keeping the NDJSON for mongoimport
    const ndjson = path.join(WORK, `export-${n}.ndjson`);
    await measureMigration(result, file, server, ndjson, o);

    // 8. read-back ceiling, on the collection the migration just wrote and validated
    if (!o.skip.has('readback'))
      result.readBack = await readBackCeiling(client, 'bench_migrate', 'resources', Math.min(n, o.sample));
    // Reruns of the migrated database: unchanged, 1 % changed, 1 % deleted, next to a validation pass.
    if (!o.skip.has('reruns')) {
      result.reruns = await rerunBench({
        runCli: (args) => runCli(args, { serverPid: server.pid }),
        client,
        url: server.url,
        database: 'bench_migrate',
        file,
        work: WORK,
        log,
        kinds: o.reruns,
      });
    }
    await client.db('bench_migrate').dropDatabase();

    const noValidate = () =>
      migrateCli(file, server.url, 'bench_novalidate', n, { serverPid: server.pid, noValidate: true }).finally(() =>
        client.db('bench_novalidate').dropDatabase(),
      );
    if (o.skip.has('validate')) {
      result.migrateNoValidate = result.migrate;
      // The documents for mongoimport, from an export run that is not measured.
      if (!o.skip.has('mongoimport')) await runCli(['export', '--sqlite-url', file, '--output-file', ndjson]);
    } else {
      log('migrate --no-validate (CLI)…');
      result.migrateNoValidate = await noValidate();
      log(`  ${result.migrateNoValidate.wallMs} ms, ${result.migrateNoValidate.docsPerSec} docs/s`);
    }

    // 5./6. baselines on documents prebuilt in memory
    if (!o.skip.has('raw') || !o.skip.has('reference')) await measureBaselines(result, file, client, o);

    // 7. mongoimport
    if (!o.skip.has('mongoimport')) {
      log('mongoimport…');
      result.mongoimport = await mongoimportBench(client, server.url, ndjson, 'resources', n, {
        workers: o.mongoimportWorkers,
        pairs: o.pairs,
        runOurs: noValidate,
        serverPid: server.pid,
      });
      log(
        result.mongoimport.available
          ? `  ${result.mongoimport.best?.docsPerSec} docs/s (${result.mongoimport.best?.workers} workers)`
          : `  not available: ${result.mongoimport.reason}`,
      );
    }
    rmSync(ndjson, { force: true });
  } finally {
    await client.close().catch(() => undefined);
    await server.stop();
    load.after = loadAvg();
  }
  deriveRatios(result);
  return result;
}

/** Options, defaults and figures of the run so far, as written to the results file. */
function summary(
  o: Options,
  mach: ReturnType<typeof machine>,
  startedAt: string,
  results: SizeResult[],
  complete: boolean,
) {
  return {
    machine: mach,
    startedAt,
    finishedAt: new Date().toISOString(),
    complete,
    options: { sizes: o.sizes, sample: o.sample, repeat: o.repeat, migrateRuns: o.migrateRuns, quick: o.quick },
    defaults: { batchSize: DEFAULT_BATCH_SIZE, concurrency: DEFAULT_CONCURRENCY },
    results,
    targets: targets(results),
  };
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  snapshotCli();
  if (!existsSync(process.env.FERRETDB_BIN as string))
    throw new Error('FerretDB is missing: run npm run ferretdb first.');
  const startedAt = new Date().toISOString();
  const mach = machine();
  log(
    `machine: ${mach.cpus} CPUs, ${mach.memoryGiB} GiB, Node ${mach.node}; ${mach.ferretdb}; sizes ${o.sizes.join(', ')}`,
  );
  const results: SizeResult[] = [];
  for (const n of o.sizes) {
    results.push(await benchSize(n, o, ferretDbVersion()));
    // Write what we have after every size, so a long run that is stopped still leaves figures.
    writeFileSync(o.out, JSON.stringify(summary(o, mach, startedAt, results, false), null, 2) + '\n');
  }
  writeReport(o.out, summary(o, mach, startedAt, results, true));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

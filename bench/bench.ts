/**
 * `npm run bench` — measures sqlite2mongo against its ceilings and baselines, side by side, on one server per size.
 *
 *   node --expose-gc dist/bench.js [--sizes 100000,300000,1000000] [--quick] [--out bench/results.json]
 *                                  [--sample 50000] [--repeat 2] [--migrate-runs 1] [--pairs 2]
 *                                  [--skip reference,raw,mongoimport,readback,reruns]
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
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MongoClient, type Document } from 'mongodb';
import {
  DEFAULT_BATCH_SIZE,
  DEFAULT_CONCURRENCY,
  defaultPlanFor,
  DocumentBuilder,
  introspect,
  loadSqlJs,
  type MigrationReport,
  openSqliteSource,
} from '../src/core';
import { startFerretDb, type FerretDbServer as TestServer } from '../scripts/lib/ferretdb';
import { rerunBench, type RerunResult } from './reruns';

// ------------------------------------------------------------------------------------------------ setup
const ROOT = path.resolve(__dirname, '..');
// The helper finds the server relative to its own source file; in this bundle that is wrong, so say where it is.
process.env.FERRETDB_BIN ??= path.join(ROOT, '.cache', 'bin', 'ferretdb');
const WORK = path.join(ROOT, 'bench', 'work');
const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
/** The CLI is copied (with its wasm) at start, so a rebuild of dist/ during a long run cannot change what is measured. */
let CLI = BUILT_CLI;
const FIXTURE_SCRIPT =
  process.env.S2M_FIXTURE_SCRIPT ?? path.resolve(ROOT, '..', 'shared', 'fixtures', 'make_app_db.py');
/** A real mongoimport build (see ../shared/tools/README.md), else one built by bench/build-mongoimport.sh. */
const MONGOIMPORT =
  process.env.S2M_MONGOIMPORT ??
  [path.resolve(ROOT, '..', 'shared', 'tools', 'mongoimport'), path.join(ROOT, '.cache', 'bin', 'mongoimport')].find(
    (f) => existsSync(f),
  ) ??
  path.join(ROOT, '.cache', 'bin', 'mongoimport');

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
  skip: Set<string>;
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
    skip: new Set((get('--skip') ?? '').split(',').filter(Boolean)),
  };
}

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const rate = (items: number, ms: number) => (ms > 0 ? Math.round((items * 1000) / ms) : 0);
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : round((s[s.length / 2 - 1] + s[s.length / 2]) / 2, 3);
};
const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/** Samples this process's RSS while `body` runs. */
async function withRss<T>(body: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const t0 = performance.now();
  try {
    const value = await body();
    return { value, ms: performance.now() - t0, peakRssMb: mb(Math.max(peak, process.memoryUsage().rss)) };
  } finally {
    clearInterval(timer);
  }
}

function loadAvg(): number[] {
  return os.loadavg().map((x) => round(x, 2));
}

// ------------------------------------------------------------------------------------------ the database
async function ensureDatabase(n: number): Promise<string> {
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, `app-${n}.db`);
  if (existsSync(file)) return file;
  if (!existsSync(FIXTURE_SCRIPT))
    throw new Error(`Fixture generator not found: ${FIXTURE_SCRIPT} (set S2M_FIXTURE_SCRIPT)`);
  log(`generating ${file} (${n.toLocaleString('en-US')} resources)…`);
  const tmp = `${file}.tmp`;
  const r = spawnSync('python3', [FIXTURE_SCRIPT, tmp, '--resources', String(n)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`make_app_db.py failed (exit ${r.status})`);
  spawnSync('mv', [tmp, file]);
  return file;
}

// --------------------------------------------------------------------------------------- 1. raw sql.js scan
interface ScanResult {
  tables: Record<string, number>;
  rows: number;
  /** Stepping with stmt.get() (numbers as doubles): the ceiling. */
  ms: number;
  rowsPerSec: number;
  /** Stepping with get(null, { useBigInt: true }), the exact int64 mapping the engine needs. */
  bigIntMs: number;
  bigIntRowsPerSec: number;
  openMs: number;
}

async function rawScan(file: string): Promise<ScanResult> {
  const SQL = await loadSqlJs();
  const t0 = performance.now();
  const db = new SQL.Database(readFileSync(file));
  const openMs = performance.now() - t0;
  try {
    const names = db
      .exec("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")[0]
      .values.map((r) => String(r[0]));
    const scan = (bigint: boolean) => {
      const counts: Record<string, number> = {};
      const t = performance.now();
      for (const name of names) {
        const stmt = db.prepare(`SELECT * FROM "${name.replace(/"/g, '""')}"`);
        const get = stmt.get as unknown as (p: null, c?: { useBigInt: boolean }) => unknown[];
        const config = bigint ? { useBigInt: true } : undefined;
        let n = 0;
        while (stmt.step()) {
          get.call(stmt, null, config);
          n++;
        }
        stmt.free();
        counts[name] = n;
      }
      return { counts, ms: performance.now() - t };
    };
    scan(false); // warm-up (JIT, page cache of the in-memory image)
    const plain = scan(false);
    const big = scan(true);
    const rows = Object.values(plain.counts).reduce((a, b) => a + b, 0);
    return {
      tables: plain.counts,
      rows,
      ms: round(plain.ms, 0),
      rowsPerSec: rate(rows, plain.ms),
      bigIntMs: round(big.ms, 0),
      bigIntRowsPerSec: rate(rows, big.ms),
      openMs: round(openMs, 0),
    };
  } finally {
    db.close();
  }
}

// ------------------------------------------------------------------------------ 2. migrate (CLI, child process)
interface StepFigures {
  durationMs: number;
  items: number;
  ratePerSec: number;
  peakRssMb: number;
  /** CPU seconds used during the step by our process and by the server. */
  ourCpuSec?: number;
  serverCpuSec?: number;
}

interface MigrateResult {
  status: string;
  exitCode: number | null;
  wallMs: number;
  engineMs: number;
  documents: number;
  docsPerSec: number;
  steps: Record<string, StepFigures>;
  peakRssMb: number;
  vmHwmMb: number;
  /** RSS during the import step at 10 %, 20 %, … of its duration: flat means bounded memory. */
  importRssProfileMb: number[];
  mismatches: number;
  validated: number;
  ndjsonBytes?: number;
  batchSize: number;
  concurrency: number;
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

interface StepCpu {
  wallMs: number;
  /** CPU seconds of our process (the CLI) during the step. */
  ourCpuSec: number;
  /** CPU seconds of the server (FerretDB) during the step. */
  serverCpuSec: number;
}

async function runCli(
  args: string[],
  opts: { profileDir?: string; serverPid?: number } = {},
): Promise<{
  code: number | null;
  wallMs: number;
  stepRss: Record<string, number>;
  stepCpu: Record<string, StepCpu>;
  peakRssMb: number;
  vmHwmMb: number;
  importSamples: Array<[number, number]>;
}> {
  const nodeArgs = opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : [];
  const t0 = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let step = 'start';
  const stepRss: Record<string, number> = {};
  const stepCpu: Record<string, StepCpu> = {};
  let mark = { t: performance.now(), ours: 0, server: cpuSeconds(opts.serverPid) };
  const closeStep = (name: string) => {
    const now = { t: performance.now(), ours: cpuSeconds(child.pid), server: cpuSeconds(opts.serverPid) };
    stepCpu[name] = {
      wallMs: Math.round(now.t - mark.t),
      ourCpuSec: round(now.ours - mark.ours, 2),
      serverCpuSec: round(now.server - mark.server, 2),
    };
    mark = now;
  };
  const importSamples: Array<[number, number]> = [];
  let peak = 0,
    hwm = 0;
  const sample = () => {
    if (!child.pid) return;
    const rss = readStatusKb(child.pid, 'VmRSS');
    hwm = Math.max(hwm, readStatusKb(child.pid, 'VmHWM'));
    if (rss === 0) return;
    peak = Math.max(peak, rss);
    stepRss[step] = Math.max(stepRss[step] ?? 0, rss);
    if (step === 'import') importSamples.push([performance.now(), rss]);
  };
  const timer = setInterval(sample, 100);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    if (!line.startsWith('{')) return;
    let e: { type?: string; step?: string };
    try {
      e = JSON.parse(line) as { type?: string; step?: string };
    } catch {
      return; // not an event
    }
    // Export and import stream together: from the export's start to the import's end is one phase, 'transfer'.
    if (e.type === 'step-start' && e.step) {
      sample();
      if (e.step === 'import' && step === 'export') step = 'import';
      else {
        closeStep(step === 'start' ? 'start' : `after-${step}`);
        step = e.step;
      }
    } else if (e.type === 'step-end' && e.step && !(e.step === 'export' && step === 'import')) {
      sample();
      closeStep(e.step === 'import' ? 'transfer' : e.step);
      if (e.step === 'import') stepCpu.import = stepCpu.transfer;
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearInterval(timer);
  if (code !== 0) log(`CLI exited ${code}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`);
  return {
    code,
    wallMs: performance.now() - t0,
    stepCpu,
    stepRss: Object.fromEntries(Object.entries(stepRss).map(([k, v]) => [k, Math.round(v / 1024)])),
    peakRssMb: Math.round(peak / 1024),
    vmHwmMb: Math.round(hwm / 1024),
    importSamples,
  };
}

async function migrateCli(
  file: string,
  url: string,
  database: string,
  n: number,
  opts: {
    keepNdjson?: string;
    profileDir?: string;
    serverPid?: number;
    batchSize?: number;
    concurrency?: number;
    noValidate?: boolean;
  },
): Promise<MigrateResult> {
  const reportFile = path.join(WORK, `report-${database}.json`);
  rmSync(reportFile, { force: true });
  const args = [
    'migrate',
    '--sqlite-url',
    file,
    '--mongodb-url',
    url,
    '--mongodb-db',
    database,
    '--if-exists',
    'drop',
    '--report-file',
    reportFile,
  ];
  if (opts.keepNdjson) args.push('--output-file', opts.keepNdjson);
  if (opts.batchSize) args.push('--batch-size', String(opts.batchSize));
  if (opts.concurrency) args.push('--concurrency', String(opts.concurrency));
  if (opts.noValidate) args.push('--no-validate');
  const r = await runCli(args, opts);
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MigrationReport;
  const steps: Record<string, StepFigures> = {};
  for (const [name, s] of Object.entries(report.steps)) {
    if (!s) continue;
    steps[name] = {
      durationMs: s.durationMs,
      items: s.items,
      ratePerSec: s.ratePerSec,
      peakRssMb: r.stepRss[name] ?? 0,
      ourCpuSec: r.stepCpu[name]?.ourCpuSec,
      serverCpuSec: r.stepCpu[name]?.serverCpuSec,
    };
  }
  // Export and import stream together: their CPU is measured as one phase (runCli's 'transfer').
  const transfer = r.stepCpu.transfer;
  if (transfer)
    steps.transfer = {
      durationMs: transfer.wallMs,
      items: n,
      ratePerSec: rate(n, transfer.wallMs),
      peakRssMb: r.stepRss.import ?? 0,
      ourCpuSec: transfer.ourCpuSec,
      serverCpuSec: transfer.serverCpuSec,
    };
  // Flatness of memory while importing: RSS at each tenth of the import step.
  const profile: number[] = [];
  if (r.importSamples.length > 0) {
    const [t0] = r.importSamples[0];
    const t1 = r.importSamples[r.importSamples.length - 1][0];
    for (let k = 1; k <= 10; k++) {
      const at = t0 + ((t1 - t0) * k) / 10;
      const s = r.importSamples.find(([t]) => t >= at) ?? r.importSamples[r.importSamples.length - 1];
      profile.push(Math.round(s[1] / 1024));
    }
  }
  return {
    status: report.status,
    exitCode: r.code,
    wallMs: round(r.wallMs, 0),
    engineMs: report.durationMs,
    documents: n,
    docsPerSec: rate(n, r.wallMs),
    steps,
    peakRssMb: r.peakRssMb,
    vmHwmMb: r.vmHwmMb,
    importRssProfileMb: profile,
    mismatches: report.totals.mismatches,
    validated: report.totals.validated,
    ndjsonBytes: opts.keepNdjson && existsSync(opts.keepNdjson) ? statSync(opts.keepNdjson).size : undefined,
    batchSize: report.options.batchSize,
    concurrency: report.options.concurrency,
  };
}

// ------------------------------------------------------------------------------- documents built in memory
async function buildDocuments(file: string): Promise<{ collection: string; docs: Document[]; ms: number }> {
  const t0 = performance.now();
  const source = await openSqliteSource(file);
  try {
    const schema = introspect(source);
    const { plan } = defaultPlanFor(source, schema);
    const c = plan.collections.find((x) => x.table === 'resources') ?? plan.collections[0];
    const table = schema.tables.find((t) => t.name === c.table);
    if (!table) throw new Error(`no table ${c.table}`);
    const docs: Document[] = [];
    for (const { doc } of new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined))
      docs.push(doc);
    if (plan.collections.length !== 1)
      log(`note: the plan has ${plan.collections.length} collections; baselines use ${c.collection} only`);
    return { collection: c.collection, docs, ms: performance.now() - t0 };
  } finally {
    source.close();
  }
}

// ------------------------------------------------------------------------------------ 3./4. insert baselines
interface InsertRun {
  batchSize: number;
  concurrency: number;
  ordered: boolean;
  documents: number;
  ms: number;
  docsPerSec: number;
  peakRssMb: number;
  /** Search entries: docs/s of each repetition (docsPerSec is their mean). */
  runs?: number[];
}

async function insertAll(
  client: MongoClient,
  database: string,
  collection: string,
  docs: Document[],
  batchSize: number,
  concurrency: number,
  ordered: boolean,
): Promise<InsertRun> {
  const db = client.db(database);
  await db.dropDatabase().catch(() => undefined);
  const coll = db.collection(collection);
  // insertMany sets a missing _id on the objects it is given: the documents all have theirs, nothing is changed.
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      if (start >= docs.length) return;
      next += batchSize;
      await coll.insertMany(docs.slice(start, start + batchSize), { ordered });
    }
  };
  const r = await withRss(() => Promise.all(Array.from({ length: concurrency }, worker)));
  const count = await coll.estimatedDocumentCount();
  if (count !== docs.length) throw new Error(`inserted ${count} of ${docs.length} documents`);
  await db.dropDatabase();
  return {
    batchSize,
    concurrency,
    ordered,
    documents: docs.length,
    ms: round(r.ms, 0),
    docsPerSec: rate(docs.length, r.ms),
    peakRssMb: r.peakRssMb,
  };
}

// ------------------------------------------------------------------------------------------- 5. mongoimport
interface MongoimportResult {
  available: boolean;
  reason?: string;
  version?: string;
  /** With 1 and with 4 insertion workers, on all documents. */
  search?: Array<{ workers: number; documents: number; ms: number; docsPerSec: number; peakRssMb: number }>;
  best?: { workers: number; documents: number; ms: number; docsPerSec: number; peakRssMb: number };
  /**
   * `migrate --no-validate` and mongoimport with 4 workers run back to back, so that both see the same machine
   * load; `ratio` is mongoimport's time ÷ ours (≥ 1: we are faster).
   */
  pairs?: Array<{ oursMs: number; mongoimportMs: number; ratio: number }>;
}

let mongoimportBuild: { ok: boolean; reason?: string } | undefined;

function ensureMongoimport(): { ok: boolean; reason?: string } {
  if (mongoimportBuild) return mongoimportBuild;
  if (!existsSync(MONGOIMPORT)) {
    log('building mongoimport from the Go module proxy (bench/build-mongoimport.sh)…');
    const r = spawnSync('bash', [path.join(ROOT, 'bench', 'build-mongoimport.sh')], {
      encoding: 'utf8',
      timeout: 15 * 60_000,
    });
    if (r.status !== 0 || !existsSync(MONGOIMPORT)) {
      const reason = `${r.stderr || r.stdout || `exit ${r.status}`}`
        .trim()
        .replace(/https?:\/\/[^\s/]+/g, '<proxy>')
        .split('\n')
        .slice(-6)
        .join(' ');
      return (mongoimportBuild = { ok: false, reason });
    }
  }
  return (mongoimportBuild = { ok: true });
}

/** Our NDJSON rows are `{"table","collection","doc":{…}}` with a header and an end line: mongoimport wants the documents alone. */
async function plainEjsonFile(ndjson: string, out: string, limit = Infinity): Promise<number> {
  const w = createWriteStream(out);
  let n = 0,
    lineNo = 0;
  const prefix = /^\{"table":"(?:[^"\\]|\\.)*","collection":"(?:[^"\\]|\\.)*","doc":/;
  for await (const line of createInterface({
    input: createReadStream(ndjson, { highWaterMark: 1 << 20 }),
    crlfDelay: Infinity,
  })) {
    lineNo++;
    const m = lineNo > 1 ? prefix.exec(line) : null;
    if (!m) continue;
    if (n >= limit) break;
    if (!w.write(`${line.slice(m[0].length, -1)}\n`)) await new Promise<void>((r) => w.once('drain', () => r()));
    n++;
  }
  await new Promise<void>((r) => w.end(() => r()));
  return n;
}

async function runMongoimport(
  url: string,
  database: string,
  collection: string,
  file: string,
  workers: number,
): Promise<{ ms: number; peakRssMb: number; ok: boolean; out: string }> {
  const t0 = performance.now();
  const child = spawn(
    MONGOIMPORT,
    [
      `--uri=${url}`,
      `--db=${database}`,
      `--collection=${collection}`,
      `--file=${file}`,
      '--drop',
      `--numInsertionWorkers=${workers}`,
      '--quiet',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '',
    peak = 0;
  child.stdout.on('data', (d) => (out = (out + d).slice(-4000)));
  child.stderr.on('data', (d) => (out = (out + d).slice(-4000)));
  const timer = setInterval(() => child.pid && (peak = Math.max(peak, readStatusKb(child.pid, 'VmRSS'))), 100);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  clearInterval(timer);
  return { ms: performance.now() - t0, peakRssMb: Math.round(peak / 1024), ok: code === 0, out };
}

async function mongoimportBench(
  client: MongoClient,
  url: string,
  ndjson: string,
  collection: string,
  n: number,
  pairs: number,
  runOurs: () => Promise<MigrateResult>,
): Promise<MongoimportResult> {
  const built = ensureMongoimport();
  if (!built.ok) return { available: false, reason: built.reason };
  const version = spawnSync(MONGOIMPORT, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const full = path.join(WORK, `plain-${n}.json`);
  // The same documents as the migration, one per line, canonical Extended JSON v2; no indexes.
  await plainEjsonFile(ndjson, full);
  const database = 'bench_mongoimport';
  const search: NonNullable<MongoimportResult['search']> = [];
  const pairsRun: NonNullable<MongoimportResult['pairs']> = [];
  try {
    for (const workers of [1, 4]) {
      const r = await runMongoimport(url, database, collection, full, workers);
      const count = await client.db(database).collection(collection).estimatedDocumentCount();
      await client.db(database).dropDatabase();
      if (!r.ok || count !== n)
        return {
          available: false,
          reason: `mongoimport failed (${count} of ${n} documents): ${r.out.trim().slice(-500)}`,
          version,
          search,
        };
      search.push({ workers, documents: n, ms: round(r.ms, 0), docsPerSec: rate(n, r.ms), peakRssMb: r.peakRssMb });
    }
    for (let i = 0; i < pairs; i++) {
      const ours = await runOurs();
      const r = await runMongoimport(url, database, collection, full, 4);
      await client.db(database).dropDatabase();
      if (ours.status !== 'succeeded' || !r.ok) continue;
      pairsRun.push({ oursMs: ours.wallMs, mongoimportMs: round(r.ms, 0), ratio: round(r.ms / ours.wallMs, 3) });
      log(`  pair ${i + 1}: ours ${ours.wallMs} ms, mongoimport (4 workers) ${round(r.ms, 0)} ms`);
    }
  } finally {
    rmSync(full, { force: true });
  }
  const best = [...search].sort((x, y) => y.docsPerSec - x.docsPerSec)[0];
  return { available: true, version, search, best, pairs: pairsRun };
}

// --------------------------------------------------------------------------------------- 6. read-back ceiling
async function readBack(
  client: MongoClient,
  database: string,
  collection: string,
  batchSize: number,
  limit = 0,
): Promise<{ documents: number; ms: number; docsPerSec: number; batchSize: number }> {
  const t0 = performance.now();
  let n = 0;
  const cursor = client.db(database).collection(collection).find({}, { raw: true, batchSize, limit });
  for await (const _ of cursor) n++;
  const ms = performance.now() - t0;
  return { documents: n, ms: round(ms, 0), docsPerSec: rate(n, ms), batchSize };
}

// ------------------------------------------------------------------------------------------------ one size
interface SizeResult {
  n: number;
  database: { file: string; bytes: number; resources: number; links: number; generated: string };
  server: { url: string; ferretdb: string };
  scan?: ScanResult;
  export?: {
    rows: number;
    documents: number;
    ms: number;
    rowsPerSec: number;
    docsPerSec: number;
    peakRssMb: number;
    ndjsonBytes?: number;
  };
  migrate?: MigrateResult;
  /** `migrate --no-validate`: export, import and indexes, as mongoimport is compared with. */
  migrateNoValidate?: MigrateResult;
  reruns?: RerunResult;
  /** Our process's CPU per document (µs) per phase of the full migration, from /proc. */
  cpuUsPerDoc?: Record<string, number>;
  migrateRuns?: Array<{ wallMs: number; docsPerSec: number; steps: Record<string, number> }>;
  prebuild?: { ms: number; documents: number; peakRssMb: number };
  reference?: InsertRun;
  raw?: { search: InsertRun[]; best: InsertRun };
  mongoimport?: MongoimportResult;
  readBack?: {
    search: Array<{ documents: number; ms: number; docsPerSec: number; batchSize: number }>;
    best: { documents: number; ms: number; docsPerSec: number; batchSize: number };
  };
  ratios: Record<string, number | null>;
  perDocUs: Record<string, number>;
  load: { before: number[]; after: number[] };
}

const RAW_GRID: Array<[number, number]> = [
  [100, 1],
  [1000, 1],
  [1000, 2],
  [1000, 4],
  [1000, 8],
  [500, 4],
  [2000, 4],
  [5000, 2],
];

async function benchSize(n: number, o: Options, ferretVersion: string): Promise<SizeResult> {
  const file = await ensureDatabase(n);
  const load = { before: loadAvg(), after: [] as number[] };
  log(`N=${n.toLocaleString('en-US')}: starting a fresh FerretDB`);
  const server: TestServer = await startFerretDb({ startTimeoutMs: 60_000 });
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
    log(`migrate (CLI) end to end, batch ${DEFAULT_BATCH_SIZE} × concurrency ${DEFAULT_CONCURRENCY}…`);
    const migrations: MigrateResult[] = [];
    for (let i = 0; i < Math.max(1, o.migrateRuns); i++) {
      if (i > 0) log(`migrate again (run ${i + 1} of ${o.migrateRuns})…`);
      migrations.push(
        await migrateCli(file, server.url, 'bench_migrate', n, { keepNdjson: ndjson, serverPid: server.pid }),
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
        rows: result.scan.rows,
        documents: ex.items,
        ms: ex.durationMs,
        rowsPerSec: rate(result.scan.rows, ex.durationMs),
        docsPerSec: rate(ex.items, ex.durationMs),
        peakRssMb: ex.peakRssMb,
        ndjsonBytes: m.ndjsonBytes,
      };
    log(
      `  ${m.status}: ${m.wallMs} ms, ${m.docsPerSec} docs/s; steps ${Object.entries(m.steps)
        .map(([k, s]) => `${k} ${s.durationMs} ms`)
        .join(', ')}; peak RSS ${m.peakRssMb} MB; mismatches ${m.mismatches}`,
    );

    // 6. read-back ceiling, on the collection the migration just wrote and validated
    if (!o.skip.has('readback')) {
      log('read-back ceiling…');
      const search = [];
      for (const bs of [1000, 5000, 20000])
        search.push(await readBack(client, 'bench_migrate', 'resources', bs, Math.min(n, o.sample)));
      const bestBs = [...search].sort((a, b) => b.docsPerSec - a.docsPerSec)[0].batchSize;
      result.readBack = { search, best: await readBack(client, 'bench_migrate', 'resources', bestBs) };
      log(`  ${result.readBack.best.docsPerSec} docs/s (batchSize ${bestBs})`);
    }
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
      });
    }
    await client.db('bench_migrate').dropDatabase();

    log('migrate --no-validate (CLI)…');
    result.migrateNoValidate = await migrateCli(file, server.url, 'bench_novalidate', n, {
      serverPid: server.pid,
      noValidate: true,
    });
    log(`  ${result.migrateNoValidate.wallMs} ms, ${result.migrateNoValidate.docsPerSec} docs/s`);
    await client.db('bench_novalidate').dropDatabase();

    // 3./4. baselines on documents prebuilt in memory
    if (!o.skip.has('raw') || !o.skip.has('reference')) {
      log('building the documents in memory…');
      gc();
      const built = await withRss(() => buildDocuments(file));
      const { collection, docs } = built.value;
      result.prebuild = { ms: round(built.ms, 0), documents: docs.length, peakRssMb: built.peakRssMb };
      if (!o.skip.has('raw')) {
        log('raw insert ceiling: searching batch size × concurrency on a sample…');
        const sample = docs.slice(0, Math.min(docs.length, o.sample));
        // The grid is run `repeat` times, interleaved (the machine's load drifts); a configuration is scored by
        // the mean of its runs, and the best one is then run on all documents.
        const grid = o.quick ? RAW_GRID.slice(0, 4) : RAW_GRID;
        const runs: InsertRun[][] = grid.map(() => []);
        for (let rep = 0; rep < o.repeat; rep++) {
          for (let g = 0; g < grid.length; g++) {
            const [bs, c] = grid[g];
            const r = await insertAll(client, 'bench_raw', collection, sample, bs, c, false);
            runs[g].push(r);
            log(`  batch ${bs} × ${c}: ${r.docsPerSec} docs/s`);
          }
        }
        const search: InsertRun[] = runs.map((rs) => ({
          ...rs[0],
          ms: round(rs.reduce((a, r) => a + r.ms, 0) / rs.length, 0),
          docsPerSec: Math.round(rs.reduce((a, r) => a + r.docsPerSec, 0) / rs.length),
          runs: rs.map((r) => r.docsPerSec),
        }));
        const top = [...search].sort((a, b) => b.docsPerSec - a.docsPerSec)[0];
        log(`raw insert ceiling: all documents, batch ${top.batchSize} × ${top.concurrency}…`);
        const best = await insertAll(client, 'bench_raw', collection, docs, top.batchSize, top.concurrency, false);
        result.raw = { search, best };
        log(`  ${best.docsPerSec} docs/s`);
      }
      if (!o.skip.has('reference')) {
        log('reference style: sequential insertMany, batches of 100…');
        result.reference = await insertAll(client, 'bench_reference', collection, docs, 100, 1, true);
        log(`  ${result.reference.docsPerSec} docs/s`);
      }
      built.value.docs.length = 0;
      gc();
    }

    // 5. mongoimport
    if (!o.skip.has('mongoimport')) {
      log('mongoimport…');
      result.mongoimport = await mongoimportBench(client, server.url, ndjson, 'resources', n, o.pairs, async () => {
        const r = await migrateCli(file, server.url, 'bench_novalidate', n, {
          serverPid: server.pid,
          noValidate: true,
        });
        await client.db('bench_novalidate').dropDatabase();
        return r;
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

  // ratios and time per document
  const r = result;
  const mig = r.migrate;
  const imp = mig?.steps.import;
  const val = mig?.steps.validate;
  const ratio = (a?: number, b?: number) => (a && b ? round(a / b, 3) : null);
  r.ratios = {
    migrateVsRawCeiling: ratio(mig?.docsPerSec, r.raw?.best.docsPerSec),
    importStepVsRawCeiling: ratio(imp?.ratePerSec, r.raw?.best.docsPerSec),
    migrateVsReference: ratio(mig?.docsPerSec, r.reference?.docsPerSec),
    importStepVsReference: ratio(imp?.ratePerSec, r.reference?.docsPerSec),
    migrateVsMongoimport: ratio(mig?.docsPerSec, r.mongoimport?.best?.docsPerSec),
    // Back-to-back pairs when there are (the median pair), else the two separate runs.
    noValidateVsMongoimport4: r.mongoimport?.pairs?.length
      ? median(r.mongoimport.pairs.map((p) => p.ratio))
      : ratio(r.migrateNoValidate?.docsPerSec, r.mongoimport?.search?.find((x) => x.workers === 4)?.docsPerSec),
    noValidateVsMongoimport1: ratio(
      r.migrateNoValidate?.docsPerSec,
      r.mongoimport?.search?.find((x) => x.workers === 1)?.docsPerSec,
    ),
    importStepVsMongoimport: ratio(imp?.ratePerSec, r.mongoimport?.best?.docsPerSec),
    exportVsRawScan: ratio(r.export?.rowsPerSec, r.scan?.rowsPerSec),
    exportVsRawScanBigInt: ratio(r.export?.rowsPerSec, r.scan?.bigIntRowsPerSec),
    validationVsReadBack: ratio(val?.ratePerSec, r.readBack?.best.docsPerSec),
    peakRssVsBudget: mig ? ratio(mig.peakRssMb, mb(r.database.bytes) * 2 + 300) : null,
  };
  const us = (ms?: number) => (ms ? round((ms * 1000) / n, 1) : 0);
  r.perDocUs = {
    migrate: us(mig?.wallMs),
    export: us(mig?.steps.export?.durationMs),
    import: us(imp?.durationMs),
    indexes: us(mig?.steps.indexes?.durationMs),
    validate: us(val?.durationMs),
    rawInsert: us(r.raw?.best.ms),
    reference: us(r.reference?.ms),
    readBack: us(r.readBack?.best.ms),
  };
  const cpu = (sec?: number) => (sec === undefined ? 0 : round((sec * 1e6) / n, 1));
  r.cpuUsPerDoc = {
    'export + import (streamed)': cpu(mig?.steps.transfer?.ourCpuSec),
    indexes: cpu(mig?.steps.indexes?.ourCpuSec),
    validate: cpu(val?.ourCpuSec),
    'export + import, --no-validate run': cpu(r.migrateNoValidate?.steps.transfer?.ourCpuSec),
  };
  return r;
}

// ------------------------------------------------------------------------------------------------ reports
function ferretDbVersion(): string {
  const r = spawnSync(process.env.FERRETDB_BIN as string, ['--version'], { encoding: 'utf8' });
  return (
    (r.stdout || '')
      .split('\n')
      .find((l) => l.startsWith('version:'))
      ?.replace('version:', '')
      .trim() ?? 'unknown'
  );
}

function machine() {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryGiB: round(os.totalmem() / 1024 ** 3, 1),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    ferretdb: `FerretDB ${ferretDbVersion()} (--handler=sqlite, default settings)`,
  };
}

const fmt = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined
    ? 'n/a'
    : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

interface Target {
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

function targets(results: SizeResult[]): Target[] {
  const big = results[results.length - 1];
  const small = results[0];
  const t: Target[] = [];
  const add = (name: string, target: string, v: number | null | undefined, ok: (x: number) => boolean, digits = 2) =>
    t.push({
      name,
      target,
      value: v === null || v === undefined ? 'n/a' : fmt(v, digits),
      met: v === null || v === undefined ? null : ok(v),
    });
  add('migrate end to end / raw insert ceiling', '≥ 0.8', big.ratios.migrateVsRawCeiling, (x) => x >= 0.8);
  add(
    'import step / raw insert ceiling',
    '(≥ 0.8 for the step alone)',
    big.ratios.importStepVsRawCeiling,
    (x) => x >= 0.8,
  );
  add('migrate end to end / reference style', '≥ 10', big.ratios.migrateVsReference, (x) => x >= 10);
  add('import step / reference style', '(≥ 10 for the step alone)', big.ratios.importStepVsReference, (x) => x >= 10);
  add('migrate end to end / mongoimport', '≥ 1.0', big.ratios.migrateVsMongoimport, (x) => x >= 1);
  add(
    'migrate --no-validate / mongoimport, 4 workers (issue 12)',
    '≥ 1.2',
    big.ratios.noValidateVsMongoimport4,
    (x) => x >= 1.2,
  );
  add(
    'client CPU, export + import, µs per document (issue 12; target stated at 1M)',
    '≤ 25',
    big.cpuUsPerDoc?.['export + import (streamed)'],
    (x) => x <= 25,
    1,
  );
  const rr = big.reruns;
  if (rr) {
    add('unchanged rerun / validation pass (issue 16)', '≤ 1.5', rr.ratios.unchangedVsValidation, (x) => x <= 1.5);
    add('1 % changed rerun / unchanged rerun (issue 16)', '≤ 1.2', rr.ratios.changedVsUnchanged, (x) => x <= 1.2);
    const clean = rr.runs.every((x) => x.validatedClean && x.distinctIds === x.sourceRows);
    t.push({
      name: 'every rerun validates clean, distinct _ids = source rows (issue 16)',
      target: 'yes',
      value: clean ? 'yes' : 'no',
      met: clean,
    });
  }
  add('export / raw sql.js scan', '≥ 0.5', big.ratios.exportVsRawScan, (x) => x >= 0.5);
  add('validation / read-back ceiling', '≥ 0.7', big.ratios.validationVsReadBack, (x) => x >= 0.7);
  if (results.length > 1 && big.perDocUs.migrate && small.perDocUs.migrate) {
    add(
      `time per document at ${fmt(big.n)} / at ${fmt(small.n)}`,
      '≤ 1.2',
      big.perDocUs.migrate / small.perDocUs.migrate,
      (x) => x <= 1.2,
    );
  }
  if (big.migrate) {
    const budget = mb(big.database.bytes) * 2 + 300;
    t.push({
      name: 'peak RSS of the migration',
      target: `≤ 2 × ${mb(big.database.bytes)} MB + 300 MB = ${budget} MB`,
      value: `${big.migrate.peakRssMb} MB`,
      met: big.migrate.peakRssMb <= budget,
    });
    const prof = big.migrate.importRssProfileMb;
    if (prof.length > 2) {
      const growth = prof[prof.length - 1] - prof[1];
      t.push({
        name: 'RSS growth while importing (20 % → 100 % of the step)',
        target: 'flat',
        value: `${growth >= 0 ? '+' : ''}${growth} MB (${prof.join(', ')})`,
        met: Math.abs(growth) <= 64,
      });
    }
  }
  return t;
}

function markdown(all: {
  machine: ReturnType<typeof machine>;
  results: SizeResult[];
  targets: Target[];
  startedAt: string;
  finishedAt: string;
  defaults: { batchSize: number; concurrency: number };
}): string {
  const { results } = all;
  const L: string[] = [];
  const m = all.machine;
  L.push(`<!-- generated by npm run bench (bench/bench.ts) on ${all.finishedAt}; do not edit by hand -->`);
  L.push(
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; server: ${m.ferretdb}, a fresh one per size, on the same machine. ` +
      `Engine defaults: batch ${all.defaults.batchSize} × concurrency ${all.defaults.concurrency}.`,
  );
  L.push('');
  L.push(
    '| N resources (links) | DB file | export rows/s (raw scan) | migrate docs/s, total time | import docs/s | indexes | validate docs/s (read-back) | raw insert docs/s (batch × conc.) | reference style docs/s | mongoimport docs/s | peak RSS | ',
  );
  L.push('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const s = r.migrate?.steps ?? {};
    L.push(
      `| ${fmt(r.n)} (${fmt(r.database.links)}) | ${mb(r.database.bytes)} MB | ${fmt(r.export?.rowsPerSec)} (${fmt(r.scan?.rowsPerSec)}) | ${fmt(r.migrate?.docsPerSec)}, ${fmt((r.migrate?.wallMs ?? 0) / 1000, 1)} s | ${fmt(s.import?.ratePerSec)} | ${fmt((s.indexes?.durationMs ?? 0) / 1000, 1)} s | ${fmt(s.validate?.ratePerSec)} (${fmt(r.readBack?.best.docsPerSec)}) | ${fmt(r.raw?.best.docsPerSec)} (${r.raw ? `${r.raw.best.batchSize} × ${r.raw.best.concurrency}` : 'n/a'}) | ${fmt(r.reference?.docsPerSec)} | ${r.mongoimport?.available ? fmt(r.mongoimport.best?.docsPerSec) : 'n/a'} | ${fmt(r.migrate?.peakRssMb)} MB |`,
    );
  }
  const repeated = results.filter((r) => r.migrateRuns && r.migrateRuns.length > 1);
  if (repeated.length > 0) {
    L.push('');
    L.push(
      `The migration ran ${repeated[0].migrateRuns?.length} times per size; the fastest is shown (all runs, s: ${repeated.map((r) => `N=${fmt(r.n)}: ${r.migrateRuns?.map((x) => fmt(x.wallMs / 1000, 1)).join(', ')}`).join('; ')}).`,
    );
  }
  L.push('');
  L.push('Time per document (µs) — the scaling figure:');
  L.push('');
  L.push('| N | migrate total | export | import | indexes | validate | raw insert | reference style | read-back |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    const u = r.perDocUs;
    L.push(
      `| ${fmt(r.n)} | ${fmt(u.migrate, 1)} | ${fmt(u.export, 1)} | ${fmt(u.import, 1)} | ${fmt(u.indexes, 1)} | ${fmt(u.validate, 1)} | ${fmt(u.rawInsert, 1)} | ${fmt(u.reference, 1)} | ${fmt(u.readBack, 1)} |`,
    );
  }
  L.push('');
  L.push(`Targets (at N = ${fmt(results[results.length - 1].n)}):`);
  L.push('');
  L.push('| ratio | target | measured | met |');
  L.push('|---|---|---|---|');
  for (const t of all.targets)
    L.push(`| ${t.name} | ${t.target} | ${t.value} | ${t.met === null ? 'n/a' : t.met ? 'yes' : 'no'} |`);
  L.push('');
  L.push(
    'Where the time goes — per step of the migration: wall time, and CPU seconds used by our process / by FerretDB (2 cores):',
  );
  L.push('');
  L.push('| N | export | import | indexes | validate |');
  L.push('|---|---|---|---|---|');
  for (const r of results) {
    const s = r.migrate?.steps ?? {};
    const cell = (x?: StepFigures) =>
      x ? `${fmt(x.durationMs / 1000, 1)} s — ${fmt(x.ourCpuSec, 1)} / ${fmt(x.serverCpuSec, 1)} CPU s` : 'n/a';
    L.push(`| ${fmt(r.n)} | ${cell(s.export)} | ${cell(s.import)} | ${cell(s.indexes)} | ${cell(s.validate)} |`);
  }
  L.push('');
  L.push('Peak RSS of the migration process per step (MB):');
  L.push('');
  L.push('| N | export | import | indexes | validate | whole run (VmHWM) | import RSS at 10 %…100 % of the step |');
  L.push('|---|---|---|---|---|---|---|');
  for (const r of results) {
    const s = r.migrate?.steps ?? {};
    L.push(
      `| ${fmt(r.n)} | ${fmt(s.export?.peakRssMb)} | ${fmt(s.import?.peakRssMb)} | ${fmt(s.indexes?.peakRssMb)} | ${fmt(s.validate?.peakRssMb)} | ${fmt(r.migrate?.vmHwmMb)} | ${r.migrate?.importRssProfileMb.join(', ') ?? ''} |`,
    );
  }
  L.push('');
  const raw = results[results.length - 1].raw;
  if (raw) {
    L.push(
      `Raw insert ceiling search (first ${fmt(raw.search[0]?.documents)} documents, unordered insertMany), N = ${fmt(results[results.length - 1].n)}:`,
    );
    L.push('');
    L.push('| batch size | concurrency | docs/s (mean of the runs) |');
    L.push('|---|---|---|');
    for (const s of raw.search)
      L.push(
        `| ${s.batchSize} | ${s.concurrency} | ${fmt(s.docsPerSec)}${s.runs && s.runs.length > 1 ? ` (${s.runs.map((x) => fmt(x)).join(', ')})` : ''} |`,
      );
    L.push('');
  }
  L.push(
    'Side by side on the same documents (mongoimport: canonical Extended JSON, one per line, no indexes; ours: from SQLite):',
  );
  L.push('');
  L.push('| N | migrate (full) | migrate --no-validate | mongoimport 1 worker | mongoimport 4 workers |');
  L.push('|---|---|---|---|---|');
  for (const r of results) {
    const w = (k: number) => r.mongoimport?.search?.find((x) => x.workers === k);
    const cell = (ms?: number, dps?: number) => (ms ? `${fmt(ms / 1000, 1)} s (${fmt(dps)}/s)` : 'n/a');
    L.push(
      `| ${fmt(r.n)} | ${cell(r.migrate?.wallMs, r.migrate?.docsPerSec)} | ${cell(r.migrateNoValidate?.wallMs, r.migrateNoValidate?.docsPerSec)} | ${cell(w(1)?.ms, w(1)?.docsPerSec)} | ${cell(w(4)?.ms, w(4)?.docsPerSec)} |`,
    );
  }
  L.push('');
  const paired = results.filter((r) => r.mongoimport?.pairs?.length);
  if (paired.length > 0) {
    L.push(
      'Back to back (each pair: `migrate --no-validate`, then mongoimport with 4 workers; ratio = its time ÷ ours):',
    );
    L.push('');
    for (const r of paired)
      L.push(
        `- N = ${fmt(r.n)}: ${(r.mongoimport?.pairs ?? []).map((p) => `${fmt(p.oursMs / 1000, 1)} s vs ${fmt(p.mongoimportMs / 1000, 1)} s (${p.ratio})`).join('; ')}`,
      );
    L.push('');
  }
  L.push('Client CPU per document (µs, our process, from /proc; export and import stream together and are one phase):');
  L.push('');
  const phases = Object.keys(results[0]?.cpuUsPerDoc ?? {});
  L.push(`| N | ${phases.join(' | ')} |`);
  L.push(`|---|${phases.map(() => '---').join('|')}|`);
  for (const r of results) L.push(`| ${fmt(r.n)} | ${phases.map((k) => fmt(r.cpuUsPerDoc?.[k], 1)).join(' | ')} |`);
  L.push('');
  for (const r of results.filter((x) => x.reruns)) {
    const rr = r.reruns as RerunResult;
    L.push(
      `Reruns at N = ${fmt(r.n)} (\`--if-exists upsert --no-validate\`, then \`validate\`), next to a validation pass of ${fmt(rr.validation.wallMs / 1000, 1)} s (validate step ${fmt(rr.validation.validateMs / 1000, 1)} s):`,
    );
    L.push('');
    L.push(
      '| rerun | total | comparing pass | unchanged | replaced | inserted | deleted | our CPU / server CPU | validation after | distinct _ids / rows |',
    );
    L.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const x of rr.runs) {
      L.push(
        `| ${x.name} | ${fmt(x.wallMs / 1000, 1)} s | ${fmt(x.importMs / 1000, 1)} s | ${fmt(x.unchanged)} | ${fmt(x.replaced)} | ${fmt(x.inserted)} | ${fmt(x.deleted)} | ${fmt(x.ourCpuSec, 1)} / ${fmt(x.serverCpuSec, 1)} s | ${x.validatedClean ? 'clean' : 'NOT clean'} | ${fmt(x.distinctIds)} / ${fmt(x.sourceRows)} |`,
      );
    }
    L.push('');
  }
  const mi = results.find((r) => r.mongoimport)?.mongoimport;
  if (mi && !mi.available) L.push(`mongoimport: not measured — ${mi.reason}`);
  L.push('');
  L.push(
    `Load average (1, 5, 15 min) before / after each size: ${results.map((r) => `N=${fmt(r.n)}: ${r.load.before.join(' ')} / ${r.load.after.join(' ')}`).join('; ')}.`,
  );
  return L.join('\n') + '\n';
}

function printTable(results: SizeResult[], tg: Target[]): void {
  const rows = results.map((r) => ({
    N: r.n,
    'export rows/s': r.export?.rowsPerSec,
    'scan rows/s': r.scan?.rowsPerSec,
    'migrate docs/s': r.migrate?.docsPerSec,
    'import docs/s': r.migrate?.steps.import?.ratePerSec,
    'validate docs/s': r.migrate?.steps.validate?.ratePerSec,
    'read-back docs/s': r.readBack?.best.docsPerSec,
    'raw insert docs/s': r.raw?.best.docsPerSec,
    'reference docs/s': r.reference?.docsPerSec,
    'mongoimport docs/s': r.mongoimport?.best?.docsPerSec ?? 'n/a',
    'peak RSS MB': r.migrate?.peakRssMb,
  }));
  console.table(rows);
  console.table(
    tg.map((t) => ({
      ratio: t.name,
      target: t.target,
      measured: t.value,
      met: t.met === null ? 'n/a' : t.met ? 'yes' : 'no',
    })),
  );
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first (npm run bench does).`);
  if (!existsSync(process.env.FERRETDB_BIN as string))
    throw new Error('FerretDB is missing: run npm run ferretdb first.');
  mkdirSync(WORK, { recursive: true });
  const snapshot = path.join(WORK, `cli-${process.pid}`);
  mkdirSync(snapshot, { recursive: true });
  for (const f of ['cli.js', 'sql-wasm.wasm']) copyFileSync(path.join(ROOT, 'dist', f), path.join(snapshot, f));
  CLI = path.join(snapshot, 'cli.js');
  process.on('exit', () => rmSync(snapshot, { recursive: true, force: true }));
  const startedAt = new Date().toISOString();
  const mach = machine();
  log(
    `machine: ${mach.cpus} CPUs, ${mach.memoryGiB} GiB, Node ${mach.node}; ${mach.ferretdb}; sizes ${o.sizes.join(', ')}`,
  );
  const results: SizeResult[] = [];
  for (const n of o.sizes) {
    results.push(await benchSize(n, o, ferretDbVersion()));
    // Write what we have after every size, so a long run that is stopped still leaves figures.
    const partial = {
      machine: mach,
      startedAt,
      finishedAt: new Date().toISOString(),
      complete: false,
      options: { sizes: o.sizes, sample: o.sample, repeat: o.repeat, migrateRuns: o.migrateRuns, quick: o.quick },
      defaults: { batchSize: DEFAULT_BATCH_SIZE, concurrency: DEFAULT_CONCURRENCY },
      results,
      targets: targets(results),
    };
    writeFileSync(o.out, JSON.stringify(partial, null, 2) + '\n');
  }
  const finishedAt = new Date().toISOString();
  const tg = targets(results);
  const all = {
    machine: mach,
    startedAt,
    finishedAt,
    complete: true,
    options: { sizes: o.sizes, sample: o.sample, repeat: o.repeat, migrateRuns: o.migrateRuns, quick: o.quick },
    defaults: { batchSize: DEFAULT_BATCH_SIZE, concurrency: DEFAULT_CONCURRENCY },
    results,
    targets: tg,
  };
  writeFileSync(o.out, JSON.stringify(all, null, 2) + '\n');
  const md = o.out.replace(/\.json$/, '.md');
  const summary = markdown(all);
  writeFileSync(md, summary);
  // docs/performance.md embeds the summary of the committed run between two markers.
  const doc = path.join(ROOT, 'docs', 'performance.md');
  if (o.out === path.join(ROOT, 'bench', 'results.json') && existsSync(doc)) {
    const text = readFileSync(doc, 'utf8');
    const begin = '<!-- bench-results:begin -->',
      end = '<!-- bench-results:end -->';
    const i = text.indexOf(begin),
      j = text.indexOf(end);
    if (i >= 0 && j > i) writeFileSync(doc, `${text.slice(0, i + begin.length)}\n${summary}${text.slice(j)}`);
  }
  printTable(results, tg);
  log(`wrote ${path.relative(process.cwd(), o.out)} and ${path.relative(process.cwd(), md)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

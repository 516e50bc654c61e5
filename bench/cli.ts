/**
 * 2./4. `sqlite2mongo migrate` end to end as a child process: wall time, the report's per-step figures, CPU of our process
 * and of the server per phase (from /proc), and the child's RSS sampled every 100 ms (peak per step).
 */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { MigrationReport } from '../src/core';
import { cpuSeconds, log, rate, readStatusKb, ROOT, round, WORK } from './common';

const BUILT_CLI = path.join(ROOT, 'dist', 'cli.js');
/** The CLI is copied (with its wasm) at start, so a rebuild of dist/ during a long run cannot change what is measured. */
let CLI = BUILT_CLI;

/** Runs the CLI from a private copy of dist/ for the rest of this process (removed on exit). */
export function snapshotCli(): void {
  if (!existsSync(BUILT_CLI)) throw new Error(`${BUILT_CLI} is missing: run npm run build first (npm run bench does).`);
  const snapshot = path.join(WORK, `cli-${process.pid}`);
  mkdirSync(snapshot, { recursive: true });
  for (const f of ['cli.js', 'sql-wasm.wasm']) copyFileSync(path.join(ROOT, 'dist', f), path.join(snapshot, f));
  CLI = path.join(snapshot, 'cli.js');
  process.on('exit', () => rmSync(snapshot, { recursive: true, force: true }));
}

export interface StepFigures {
  durationMs: number;
  items: number;
  ratePerSec: number;
  peakRssMb: number;
  /** CPU seconds used during the step by our process and by the server. */
  ourCpuSec?: number;
  serverCpuSec?: number;
}

export interface MigrateResult {
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

export interface StepCpu {
  wallMs: number;
  /** CPU seconds of our process (the CLI) during the step. */
  ourCpuSec: number;
  /** CPU seconds of the server (FerretDB) during the step. */
  serverCpuSec: number;
}

export async function runCli(
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

export async function migrateCli(
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

/**
 * What the benchmark scripts share: where the tree, the work folder and the fixture generator are, the reference
 * database, argument reading, and the small number and memory helpers the figures are made with.
 *
 * This file sits in bench/ (not a subfolder) on purpose: `__dirname` is bench/ under tsx and dist/ in a bundle, and
 * the root is one folder up from both.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..');
// The FerretDB launcher finds the server relative to its own source file; in a bundle that is wrong, so say where it is.
process.env.FERRETDB_BIN ??= path.join(ROOT, '.cache', 'bin', 'ferretdb');
export const WORK = path.join(ROOT, 'bench', 'work');
export const FIXTURE_SCRIPT =
  process.env.S2M_FIXTURE_SCRIPT ?? path.resolve(ROOT, '..', 'shared', 'fixtures', 'make_app_db.py');

/** The value after `name` on the command line, else `fallback`. */
export function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

export const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
export const gc = () => (globalThis as { gc?: () => void }).gc?.();
export const rate = (items: number, ms: number) => (ms > 0 ? Math.round((items * 1000) / ms) : 0);
export const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
export const mb = (bytes: number) => Math.round(bytes / (1024 * 1024));

/** Samples this process's RSS while `body` runs. */
export async function withRss<T>(body: () => Promise<T>): Promise<{ value: T; ms: number; peakRssMb: number }> {
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

export function loadAvg(): number[] {
  return os.loadavg().map((x) => round(x, 2));
}

/** The reference database of `n` resources: generated once by make_app_db.py, then cached in bench/work/. */
export function ensureDatabase(n: number): string {
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

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** A field of /proc/<pid>/status in kB (0 once the process is gone). */
export function readStatusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

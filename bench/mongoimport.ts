/**
 * 7. mongoimport (../shared/tools/mongoimport, else one built by bench/build-mongoimport.sh) on the same documents as
 * the migration, canonical Extended JSON one per line, with 1 and with 4 insertion workers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { MongoClient } from 'mongodb';
import type { MigrateResult } from './cli';
import { cpuSeconds, log, rate, readStatusKb, ROOT, round, WORK } from './common';

/** A real mongoimport build (see ../shared/tools/README.md), else one built by bench/build-mongoimport.sh. */
const MONGOIMPORT =
  process.env.S2M_MONGOIMPORT ??
  [path.resolve(ROOT, '..', 'shared', 'tools', 'mongoimport'), path.join(ROOT, '.cache', 'bin', 'mongoimport')].find(
    (f) => existsSync(f),
  ) ??
  path.join(ROOT, '.cache', 'bin', 'mongoimport');

export interface MongoimportResult {
  available: boolean;
  reason?: string;
  version?: string;
  /** With 1 and with 4 insertion workers, on all documents. */
  search?: Array<{ workers: number; documents: number; ms: number; docsPerSec: number; peakRssMb: number }>;
  best?: { workers: number; documents: number; ms: number; docsPerSec: number; peakRssMb: number };
  /**
   * `migrate --no-validate` and mongoimport with 4 workers run back to back (same machine load); `ratio` is
   * mongoimport's time ÷ ours (≥ 1: we are faster).
   */
  pairs?: Array<{
    oursMs: number;
    mongoimportMs: number;
    ratio: number;
    /** Our run's phases: before the export starts (open, check, plan, connect), export + import, indexes. */
    oursPhasesMs?: { start: number; transfer: number; indexes: number };
    /** FerretDB's CPU seconds during our run and during mongoimport's: the server's share of the same documents. */
    serverCpuSec?: { ours: number; mongoimport: number };
  }>;
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
  serverPid?: number,
): Promise<{ ms: number; peakRssMb: number; ok: boolean; out: string; serverCpuSec: number }> {
  const t0 = performance.now();
  const server0 = cpuSeconds(serverPid);
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
  const serverCpuSec = round(cpuSeconds(serverPid) - server0, 2);
  return { ms: performance.now() - t0, peakRssMb: Math.round(peak / 1024), ok: code === 0, out, serverCpuSec };
}

export async function mongoimportBench(
  client: MongoClient,
  url: string,
  ndjson: string,
  collection: string,
  n: number,
  opts: { workers: number[]; pairs: number; runOurs: () => Promise<MigrateResult>; serverPid?: number },
): Promise<MongoimportResult> {
  const built = ensureMongoimport();
  if (!built.ok) return { available: false, reason: built.reason };
  const version = spawnSync(MONGOIMPORT, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  const full = path.join(WORK, `plain-${n}.json`);
  // The same documents as the migration, one per line, canonical Extended JSON v2; no indexes.
  await plainEjsonFile(ndjson, full);
  const database = 'bench_mongoimport';
  const search: NonNullable<MongoimportResult['search']> = [];
  const pairs: NonNullable<MongoimportResult['pairs']> = [];
  try {
    for (const workers of opts.workers) {
      const r = await runMongoimport(url, database, collection, full, workers, opts.serverPid);
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
    // Back to back, so that both see the same machine load.
    for (let i = 0; i < opts.pairs; i++) {
      const ours = await opts.runOurs();
      const r = await runMongoimport(url, database, collection, full, 4, opts.serverPid);
      await client.db(database).dropDatabase();
      if (ours.status !== 'succeeded' || !r.ok) continue;
      const transfer = ours.steps.transfer?.durationMs ?? 0;
      const indexes = ours.steps.indexes?.durationMs ?? 0;
      pairs.push({
        oursMs: ours.wallMs,
        mongoimportMs: round(r.ms, 0),
        ratio: round(r.ms / ours.wallMs, 3),
        oursPhasesMs: { start: round(ours.wallMs - transfer - indexes, 0), transfer, indexes },
        serverCpuSec: {
          ours: round((ours.steps.transfer?.serverCpuSec ?? 0) + (ours.steps.indexes?.serverCpuSec ?? 0), 2),
          mongoimport: r.serverCpuSec,
        },
      });
      log(`  pair ${i + 1}: ours ${ours.wallMs} ms, mongoimport (4 workers) ${round(r.ms, 0)} ms`);
    }
  } finally {
    rmSync(full, { force: true });
  }
  const best = [...search].sort((x, y) => y.docsPerSec - x.docsPerSec)[0];
  return { available: true, version, search, best, pairs };
}

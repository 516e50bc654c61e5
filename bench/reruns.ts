/**
 * Reruns (issue 16), measured in the same run and on the same server as the first migration: a validation pass of
 * the migrated database, then `--if-exists upsert` reruns of an unchanged source, of a source with 1 % of the rows
 * changed, and (with --sync-deletes) of a source with 1 % of the rows deleted. Each rerun runs with --no-validate
 * (its own time), then a `validate` run proves it clean; the distinct _id count must equal the source rows.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { MongoClient } from 'mongodb';
import type { MigrationReport } from '../src/core';
import { round } from './common';

export interface CliRun {
  code: number | null;
  wallMs: number;
  stepCpu: Record<string, { wallMs: number; ourCpuSec: number; serverCpuSec: number }>;
  peakRssMb: number;
}

export interface RerunFigures {
  name: string;
  wallMs: number;
  /** The comparing pass (the import step). */
  importMs: number;
  unchanged: number;
  replaced: number;
  inserted: number;
  deleted: number;
  ourCpuSec: number;
  serverCpuSec: number;
  peakRssMb: number;
  /** Validation of the result: clean, and the distinct _id count equals the source rows. */
  validatedClean: boolean;
  distinctIds: number;
  sourceRows: number;
}

export interface RerunResult {
  /** `sqlite2mongo validate` of the migrated database: the yardstick (target: unchanged rerun ≤ 1.5 ×). */
  validation: { wallMs: number; validateMs: number; ourCpuSec: number; serverCpuSec: number };
  runs: RerunFigures[];
  ratios: {
    unchangedVsValidation: number | null;
    changedVsUnchanged: number | null;
    deletedVsUnchanged: number | null;
  };
}

type RunCli = (args: string[]) => Promise<CliRun>;

export type RerunKind = 'unchanged' | 'changed' | 'deleted';
export const RERUN_KINDS: readonly RerunKind[] = ['unchanged', 'changed', 'deleted'];

function sqlite(file: string, script: string): void {
  const r = spawnSync(
    'python3',
    ['-c', `import sqlite3, sys\ncon = sqlite3.connect(sys.argv[1])\n${script}\ncon.commit()`, file],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`python3 failed: ${r.stderr}`);
}

function rowCount(file: string): number {
  const r = spawnSync(
    'python3',
    [
      '-c',
      'import sqlite3, sys\nprint(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM resources").fetchone()[0])',
      file,
    ],
    { encoding: 'utf8' },
  );
  return Number(r.stdout.trim());
}

/** Distinct _ids, counted here from one projected read (FerretDB's `distinct` takes minutes at 100k documents). */
async function distinctIdCount(client: MongoClient, database: string): Promise<number> {
  const ids = new Set<string>();
  const cursor = client
    .db(database)
    .collection('resources')
    .find({}, { projection: { _id: 1 }, raw: true, batchSize: 10_000 });
  for await (const raw of cursor as unknown as AsyncIterable<Buffer>) ids.add(raw.toString('latin1'));
  return ids.size;
}

export async function rerunBench(opts: {
  runCli: RunCli;
  client: MongoClient;
  url: string;
  database: string;
  file: string;
  work: string;
  log: (m: string) => void;
  /** Which reruns to make (all three by default): a 1 M run may keep to the unchanged one. */
  kinds?: ReadonlySet<RerunKind>;
}): Promise<RerunResult> {
  const { runCli, client, url, database, log } = opts;
  const wanted = (kind: RerunKind) => !opts.kinds || opts.kinds.has(kind);
  // A copy: the cached fixture stays as generated.
  const file = path.join(opts.work, `rerun-${path.basename(opts.file)}`);
  copyFileSync(opts.file, file);
  const base = ['--sqlite-url', file, '--mongodb-url', url, '--mongodb-db', database];
  const report = (p: string) => JSON.parse(readFileSync(p, 'utf8')) as MigrationReport;
  const reportFile = path.join(opts.work, `rerun-report-${process.pid}.json`);
  try {
    log('validation pass (sqlite2mongo validate)…');
    const v = await runCli(['validate', ...base, '--report-file', reportFile]);
    const vr = report(reportFile);
    const validation = {
      wallMs: round(v.wallMs, 0),
      validateMs: vr.steps.validate?.durationMs ?? 0,
      ourCpuSec: v.stepCpu.validate?.ourCpuSec ?? 0,
      serverCpuSec: v.stepCpu.validate?.serverCpuSec ?? 0,
    };
    log(`  ${validation.wallMs} ms (validate step ${validation.validateMs} ms)`);
    const runs: RerunFigures[] = [];
    const rerun = async (name: string, extra: string[]) => {
      log(`rerun: ${name}…`);
      const r = await runCli([
        'migrate',
        ...base,
        '--if-exists',
        'upsert',
        '--no-validate',
        ...extra,
        '--report-file',
        reportFile,
      ]);
      const rep = report(reportFile);
      const check = await runCli(['validate', ...base, '--report-file', reportFile]);
      const checked = report(reportFile);
      const distinctIds = await distinctIdCount(client, database);
      const t = rep.totals;
      const cpu = r.stepCpu.transfer ?? r.stepCpu.import;
      const figures: RerunFigures = {
        name,
        wallMs: round(r.wallMs, 0),
        importMs: rep.steps.import?.durationMs ?? 0,
        unchanged: t.unchanged,
        replaced: t.replaced,
        inserted: t.inserted,
        deleted: t.deleted,
        ourCpuSec: cpu?.ourCpuSec ?? 0,
        serverCpuSec: cpu?.serverCpuSec ?? 0,
        peakRssMb: r.peakRssMb,
        validatedClean: check.code === 0 && checked.totals.mismatches === 0,
        distinctIds,
        sourceRows: rowCount(file),
      };
      runs.push(figures);
      log(
        `  ${figures.wallMs} ms: unchanged ${t.unchanged}, replaced ${t.replaced}, inserted ${t.inserted}, deleted ${t.deleted}; validation ${figures.validatedClean ? 'clean' : 'NOT clean'}; ${distinctIds} distinct _ids for ${figures.sourceRows} rows`,
      );
    };
    if (wanted('unchanged')) await rerun('unchanged', []);
    if (wanted('changed')) {
      // 1 % of the resources changed (every 100th row).
      sqlite(file, 'con.execute("UPDATE resources SET name = name || \' (changed)\' WHERE id % 100 = 7")');
      await rerun('1 % changed', []);
    }
    if (wanted('deleted')) {
      // 1 % deleted (with their dependency rows): --sync-deletes removes them in the same pass.
      sqlite(
        file,
        'con.execute("DELETE FROM resource_dependencies WHERE resource_id % 100 = 3 OR dependency_id % 100 = 3")\ncon.execute("DELETE FROM resources WHERE id % 100 = 3")',
      );
      await rerun('1 % deleted (--sync-deletes)', ['--sync-deletes']);
    }
    const find = (prefix: string) => runs.find((r) => r.name.startsWith(prefix));
    const [unchanged, changed, deleted] = [find('unchanged'), find('1 % changed'), find('1 % deleted')];
    const ratio = (a?: number, b?: number) => (a && b ? round(a / b, 3) : null);
    return {
      validation,
      runs,
      ratios: {
        unchangedVsValidation: ratio(unchanged?.wallMs, validation.wallMs),
        changedVsUnchanged: ratio(changed?.wallMs, unchanged?.wallMs),
        deletedVsUnchanged: ratio(deleted?.wallMs, unchanged?.wallMs),
      },
    };
  } finally {
    rmSync(file, { force: true });
    rmSync(reportFile, { force: true });
  }
}

/**
 * `npm run bench:large` — a SQLite file over 4 GiB, migrated and validated, with the peak RSS of the CLI process.
 *
 *   tsx bench/large-file.ts [--size-gib 4.2] [--rows 256] [--row-bytes 1048576] [--out bench/results-large-file]
 *
 * The file is built by test/helpers/make_sparse_db.py: most of it is a freelist of never-written pages (a sparse
 * file: little disk, quick to make), and the rows — `rows` BLOBs of `row-bytes` random bytes plus small columns,
 * and a second small table — are written by SQLite into pages past 4 GiB, with two later transactions left in the
 * -wal. So every row read needs offsets past 4 GiB and the WAL overlay. A fresh FerretDB is started; the CLI runs
 * `migrate` (export, import, indexes, validate) as a child process under /usr/bin/time for its peak RSS (VmHWM),
 * then a `--dry-run`. Writes <out>.json and <out>.md.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startFerretDb } from '../scripts/lib/ferretdb';
import { arg, ROOT, WORK } from './common';

const CLI = path.join(ROOT, 'dist', 'cli.js');
const BUILDER = path.join(ROOT, 'test', 'helpers', 'make_sparse_db.py');

interface CliRun {
  seconds: number;
  peakRssMiB: number;
  exitCode: number;
  report: { status: string; totals: Record<string, number>; steps?: unknown; source: Record<string, unknown> };
}

/** Runs the CLI under GNU time; returns wall time, peak RSS and the JSON report. */
function runCli(args: string[], reportFile: string): CliRun {
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', 'S2M_TIME %e %M', process.execPath, CLI, ...args, '--report-file', reportFile],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  const m = /S2M_TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing from /usr/bin/time: ${r.stderr.slice(-2000)}`);
  return {
    seconds: Number(m[1]),
    peakRssMiB: Math.round(Number(m[2]) / 1024),
    exitCode: r.status ?? -1,
    report: JSON.parse(readFileSync(reportFile, 'utf8')),
  };
}

async function main(): Promise<void> {
  const sizeGib = arg('--size-gib', '4.2');
  const rows = arg('--rows', '256');
  const rowBytes = arg('--row-bytes', String(2 ** 20));
  const out = path.resolve(arg('--out', path.join(ROOT, 'bench', 'results-large-file')));
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, 'large.db');

  let t = Date.now();
  const built = JSON.parse(
    spawnSync('python3', [BUILDER, file, '--size-gib', sizeGib, '--rows', rows, '--row-bytes', rowBytes, '--wal'], {
      encoding: 'utf8',
    }).stdout,
  ) as Record<string, number>;
  const buildSeconds = (Date.now() - t) / 1000;
  const diskKiB = Number(spawnSync('du', ['-k', file], { encoding: 'utf8' }).stdout.split('\t')[0]);
  console.log(`built ${file}: ${built.size} bytes (${diskKiB} KiB on disk) in ${buildSeconds}s`);

  t = Date.now();
  const python = spawnSync(
    'python3',
    [
      '-c',
      'import sqlite3,sys\nc=sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)\nn=sum(len(r[2]) for r in c.execute("SELECT * FROM big ORDER BY id"))\nprint(n)',
      file,
    ],
    { encoding: 'utf8' },
  );
  const pythonSeconds = (Date.now() - t) / 1000;

  // Read-only above, so Python cannot have checkpointed the WAL away; record it before the runs.
  const walSize = statSync(`${file}-wal`).size;
  const server = await startFerretDb({ startTimeoutMs: 60_000 });
  try {
    const migrate = runCli(
      ['migrate', '--sqlite-url', file, '--mongodb-url', server.url, '--mongodb-db', 'large', '--if-exists', 'drop'],
      path.join(WORK, 'large-report.json'),
    );
    console.log(
      `migrate: exit ${migrate.exitCode}, ${migrate.seconds}s, peak RSS ${migrate.peakRssMiB} MiB, status ${migrate.report.status}`,
    );
    const dry = runCli(
      ['migrate', '--sqlite-url', file, '--mongodb-url', server.url, '--mongodb-db', 'large-dry', '--dry-run'],
      path.join(WORK, 'large-dry-report.json'),
    );
    console.log(`dry run: exit ${dry.exitCode}, ${dry.seconds}s, peak RSS ${dry.peakRssMiB} MiB`);
    const result = {
      date: new Date().toISOString(),
      file: {
        bytes: statSync(file).size,
        diskKiB,
        walBytes: walSize,
        rows: Number(rows),
        rowBytes: Number(rowBytes),
        build: built,
        buildSeconds,
      },
      pythonScanSeconds: pythonSeconds,
      pythonPayloadBytes: Number(python.stdout.trim()),
      migrate: {
        seconds: migrate.seconds,
        peakRssMiB: migrate.peakRssMiB,
        exitCode: migrate.exitCode,
        status: migrate.report.status,
        totals: migrate.report.totals,
        source: migrate.report.source,
      },
      dryRun: { seconds: dry.seconds, peakRssMiB: dry.peakRssMiB, exitCode: dry.exitCode, status: dry.report.status },
    };
    writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(
      `${out}.md`,
      [
        `| file | on disk | rows (BLOB size) | migrate + validate | peak RSS | dry run | peak RSS | exit |`,
        `| --- | --- | --- | --- | --- | --- | --- | --- |`,
        `| ${(result.file.bytes / 2 ** 30).toFixed(2)} GiB (+ ${(result.file.walBytes / 2 ** 20).toFixed(1)} MiB WAL) | ${(diskKiB / 1024).toFixed(0)} MiB | ${rows} + 500 (${(Number(rowBytes) / 2 ** 20).toFixed(1)} MiB) | ${migrate.seconds} s | ${migrate.peakRssMiB} MiB | ${dry.seconds} s | ${dry.peakRssMiB} MiB | ${migrate.exitCode} / ${dry.exitCode} |`,
        '',
      ].join('\n'),
    );
    console.log(`wrote ${out}.json and ${out}.md`);
  } finally {
    await server.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

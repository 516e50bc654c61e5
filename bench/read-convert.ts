/**
 * `npm run bench:read` — reading and converting (the dry run's work) against a plain Python sqlite3 scan of the
 * same rows, in one process run, best of `--repeat`:
 *
 *   npm run bench:read -- [--resources 100000] [--repeat 3] [--out bench/results-read-convert]
 *
 * 1. Python: `for row in con.execute(...)` over every row of both tables (resources, resource_dependencies), ordered
 *    by key as the export reads them; wall and CPU time (time.process_time).
 * 2. Our raw scan: iterateQuery over the same two queries (values exact: INTEGER → bigint), no conversion.
 * 3. Read + convert: DocumentBuilder.documents() for the resources collection of the default plan (which reads both
 *    tables: the dependency links become an array per resource) — what `migrate --dry-run` does per document,
 *    without process start, opening (fingerprint, quick_check) and the progress output.
 * 4. `migrate --dry-run` end to end as a child process (wall), and its export step from the report.
 * Ratios are Python's time ÷ ours (≥ 1 means we are faster). CPU times are the fairer comparison on a shared
 * machine; both are recorded. Writes <out>.json and <out>.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPlanFor, DocumentBuilder, introspect, iterateQuery, openSqliteSource } from '../src/core';
import { arg, FIXTURE_SCRIPT, ROOT, WORK } from './common';

const QUERIES = [
  'SELECT id, name, description, created_at, updated_at FROM resources ORDER BY id',
  'SELECT resource_id, dependency_id FROM resource_dependencies ORDER BY resource_id, dependency_id',
];

interface Timing {
  wallMs: number;
  cpuMs: number;
  rows: number;
}

function best(runs: Timing[]): Timing {
  return {
    wallMs: Math.min(...runs.map((r) => r.wallMs)),
    cpuMs: Math.min(...runs.map((r) => r.cpuMs)),
    rows: runs[0].rows,
  };
}

function pythonScan(file: string): Timing {
  const script = `import sqlite3, sys, time, json
w, c = time.perf_counter(), time.process_time()
con = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
n = 0
for q in sys.argv[2:]:
    for row in con.execute(q): n += 1
print(json.dumps({'wallMs': (time.perf_counter() - w) * 1000, 'cpuMs': (time.process_time() - c) * 1000, 'rows': n}))`;
  return JSON.parse(spawnSync('python3', ['-c', script, file, ...QUERIES], { encoding: 'utf8' }).stdout) as Timing;
}

function measure(fn: () => number): Timing {
  const w = performance.now();
  const c = process.cpuUsage();
  const rows = fn();
  const cpu = process.cpuUsage(c);
  return { wallMs: performance.now() - w, cpuMs: (cpu.user + cpu.system) / 1000, rows };
}

async function main(): Promise<void> {
  const n = Number(arg('--resources', '100000'));
  const repeat = Number(arg('--repeat', '3'));
  const out = path.resolve(arg('--out', path.join(ROOT, 'bench', 'results-read-convert')));
  mkdirSync(WORK, { recursive: true });
  const file = path.join(WORK, `read-${n}.db`);
  if (!existsSync(file)) spawnSync('python3', [FIXTURE_SCRIPT, file, '--resources', String(n)], { stdio: 'inherit' });

  const source = await openSqliteSource(file);
  const python: Timing[] = [];
  const raw: Timing[] = [];
  const convert: Timing[] = [];
  try {
    const schema = introspect(source);
    const { plan } = defaultPlanFor(source, schema);
    const c = plan.collections.find((x) => x.table === 'resources') ?? plan.collections[0];
    for (let r = 0; r < repeat; r++) {
      // Interleaved, so that a change of machine load hits all three alike.
      python.push(pythonScan(file));
      raw.push(
        measure(() => {
          let rows = 0;
          for (const q of QUERIES) for (const _ of iterateQuery(source, q)) rows++;
          return rows;
        }),
      );
      convert.push(
        measure(() => {
          let docs = 0;
          for (const _ of new DocumentBuilder(source, schema, c, plan.options).documents(() => undefined)) docs++;
          return docs;
        }),
      );
    }
  } finally {
    source.close();
  }
  const dry = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'dist', 'cli.js'),
      'migrate',
      '--sqlite-url',
      file,
      '--dry-run',
      '--report-file',
      path.join(WORK, 'read-dry.json'),
    ],
    { encoding: 'utf8' },
  );
  const dryReport = JSON.parse(readFileSync(path.join(WORK, 'read-dry.json'), 'utf8')) as {
    durationMs: number;
    steps: { export: { durationMs: number } };
  };

  const py = best(python);
  const ours = best(raw);
  const conv = best(convert);
  const result = {
    date: new Date().toISOString(),
    loadAverage: os.loadavg(),
    resources: n,
    python: py,
    rawScan: ours,
    readConvert: conv,
    dryRun: { exitCode: dry.status, totalMs: dryReport.durationMs, exportMs: dryReport.steps.export.durationMs },
    ratios: {
      rawScanVsPythonCpu: py.cpuMs / ours.cpuMs,
      rawScanVsPythonWall: py.wallMs / ours.wallMs,
      readConvertVsPythonCpu: py.cpuMs / conv.cpuMs,
      readConvertVsPythonWall: py.wallMs / conv.wallMs,
      dryRunExportVsPythonWall: py.wallMs / dryReport.steps.export.durationMs,
    },
  };
  writeFileSync(`${out}.json`, `${JSON.stringify(result, null, 2)}\n`);
  const f = (x: number) => x.toFixed(2);
  writeFileSync(
    `${out}.md`,
    [
      `${n.toLocaleString('en-US')} resources, ${py.rows.toLocaleString('en-US')} rows; best of ${repeat}; load average ${os
        .loadavg()
        .map((x) => x.toFixed(1))
        .join(' / ')}.`,
      '',
      '| what | wall ms | CPU ms | Python ÷ this (wall) | Python ÷ this (CPU) |',
      '| --- | --- | --- | --- | --- |',
      `| Python sqlite3 scan | ${py.wallMs.toFixed(0)} | ${py.cpuMs.toFixed(0)} | 1 | 1 |`,
      `| our raw scan (exact values) | ${ours.wallMs.toFixed(0)} | ${ours.cpuMs.toFixed(0)} | ${f(result.ratios.rawScanVsPythonWall)} | ${f(result.ratios.rawScanVsPythonCpu)} |`,
      `| read + convert (DocumentBuilder) | ${conv.wallMs.toFixed(0)} | ${conv.cpuMs.toFixed(0)} | ${f(result.ratios.readConvertVsPythonWall)} | ${f(result.ratios.readConvertVsPythonCpu)} |`,
      `| \`migrate --dry-run\` export step | ${dryReport.steps.export.durationMs} | – | ${f(result.ratios.dryRunExportVsPythonWall)} | – |`,
      '',
    ].join('\n'),
  );
  console.log(readFileSync(`${out}.md`, 'utf8'));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/** The targets the benchmark is judged by (docs/performance.md), measured at the largest size. */
import { mb } from './common';
import type { SizeResult } from './results';

export const fmt = (x: number | null | undefined, digits = 0) =>
  x === null || x === undefined
    ? 'n/a'
    : x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export interface Target {
  name: string;
  target: string;
  value: string;
  met: boolean | null;
}

/** A target on one figure of the largest size: its name, its bound as shown ('≥ 0.8'), the figure, its digits. */
type RatioTarget = [name: string, bound: string, figure: (r: SizeResult) => number | null | undefined, digits?: number];

/** Targets on a ratio of one size, in the order they are reported. */
const THROUGHPUT: RatioTarget[] = [
  ['migrate end to end / raw insert ceiling', '≥ 0.8', (r) => r.ratios.migrateVsRawCeiling],
  ['import step / raw insert ceiling', '(≥ 0.8 for the step alone)', (r) => r.ratios.importStepVsRawCeiling],
  ['migrate end to end / reference style', '≥ 10', (r) => r.ratios.migrateVsReference],
  ['import step / reference style', '(≥ 10 for the step alone)', (r) => r.ratios.importStepVsReference],
  ['migrate end to end / mongoimport', '≥ 1.0', (r) => r.ratios.migrateVsMongoimport],
  ['migrate --no-validate / mongoimport, 4 workers (issue 12)', '≥ 1.2', (r) => r.ratios.noValidateVsMongoimport4],
  [
    'client CPU, export + import, µs per document (issue 12; target stated at 1M)',
    '≤ 25',
    (r) => r.cpuUsPerDoc?.['export + import (streamed)'],
    1,
  ],
];
const RERUNS: RatioTarget[] = [
  ['unchanged rerun / validation pass (issue 16)', '≤ 1.5', (r) => r.reruns?.ratios.unchangedVsValidation],
  ['1 % changed rerun / unchanged rerun (issue 16)', '≤ 1.2', (r) => r.reruns?.ratios.changedVsUnchanged],
];
const READ_SIDE: RatioTarget[] = [
  ['export / raw sql.js scan', '≥ 0.5', (r) => r.ratios.exportVsRawScan],
  ['validation / read-back ceiling', '≥ 0.7', (r) => r.ratios.validationVsReadBack],
];

/** Whether `x` is within the bound as shown: the first '≥ n' or '≤ n' in it. */
function within(bound: string, x: number): boolean {
  const m = /([≥≤]) ([\d.]+)/.exec(bound);
  if (!m) throw new Error(`a target without a bound: ${bound}`);
  return m[1] === '≥' ? x >= Number(m[2]) : x <= Number(m[2]);
}

function measured([name, bound, figure, digits = 2]: RatioTarget, r: SizeResult): Target {
  const v = figure(r);
  return {
    name,
    target: bound,
    value: v === null || v === undefined ? 'n/a' : fmt(v, digits),
    met: v === null || v === undefined ? null : within(bound, v),
  };
}

/** Peak RSS against its budget, and how flat it stays while importing. */
function memoryTargets(big: SizeResult): Target[] {
  if (!big.migrate) return [];
  const budget = mb(big.database.bytes) * 2 + 300;
  const t: Target[] = [
    {
      name: 'peak RSS of the migration',
      target: `≤ 2 × ${mb(big.database.bytes)} MB + 300 MB = ${budget} MB`,
      value: `${big.migrate.peakRssMb} MB`,
      met: big.migrate.peakRssMb <= budget,
    },
  ];
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
  return t;
}

export function targets(results: SizeResult[]): Target[] {
  const big = results[results.length - 1];
  const small = results[0];
  const t: Target[] = THROUGHPUT.map((x) => measured(x, big));
  const rr = big.reruns;
  if (rr) {
    t.push(...RERUNS.map((x) => measured(x, big)));
    const clean = rr.runs.every((x) => x.validatedClean && x.distinctIds === x.sourceRows);
    t.push({
      name: 'every rerun validates clean, distinct _ids = source rows (issue 16)',
      target: 'yes',
      value: clean ? 'yes' : 'no',
      met: clean,
    });
  }
  t.push(...READ_SIDE.map((x) => measured(x, big)));
  if (results.length > 1 && big.perDocUs.migrate && small.perDocUs.migrate) {
    const name = `time per document at ${fmt(big.n)} / at ${fmt(small.n)}`;
    t.push(measured([name, '≤ 1.2', (r) => r.perDocUs.migrate / small.perDocUs.migrate], big));
  }
  t.push(...memoryTargets(big));
  return t;
}

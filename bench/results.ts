/** The figures of one size, and the ratios and per-document times derived from them. */
import { mb, round } from './common';
import type { MigrateResult } from './cli';
import type { InsertRun } from './inserts';
import type { MongoimportResult } from './mongoimport';
import type { ReadBackRun } from './readBack';
import type { RerunResult } from './reruns';
import type { ScanResult } from './scan';

export interface SizeResult {
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
  readBack?: { search: ReadBackRun[]; best: ReadBackRun };
  ratios: Record<string, number | null>;
  perDocUs: Record<string, number>;
  load: { before: number[]; after: number[] };
}

/** Fills in `ratios`, `perDocUs` and `cpuUsPerDoc` from the measured figures. */
export function deriveRatios(r: SizeResult): void {
  const n = r.n;
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
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : Math.round(((s[m - 1] + s[m]) / 2) * 1000) / 1000;
}

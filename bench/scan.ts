/** 1. The raw sql.js scan of every table, in this process: the export ceiling. */
import { readFileSync } from 'node:fs';
import { loadSqlJs } from '../src/core';
import { rate, round } from './common';

export interface ScanResult {
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

export async function rawScan(file: string): Promise<ScanResult> {
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

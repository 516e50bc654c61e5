import * as vscode from 'vscode';
import type { CollectionReport, MappingPlan, MigrationReport, Mismatch, RunStatus, TableAccount } from '../../core';

const STATE_KEY = 'sqlite2mongo.validation';
/** Mismatches kept per collection for the tree (the report file keeps up to 1000 in all). */
const KEEP_PER_COLLECTION = 200;

export type Verdict = 'pass' | 'warn' | 'fail' | 'unchecked';

export interface CollectionResult {
  collection: string;
  table: string;
  sourceRows: number;
  imported: number;
  failed: number;
  warnings: number;
  duplicates: number;
  validation?: NonNullable<CollectionReport['validation']>;
  mismatches: Mismatch[];
  checkedAt: string;
}

/** The last validation shown in the tree: enough to re-run it and to open a mismatch side by side. */
export interface ValidationRecord {
  /** Changes whenever the results change (document URIs include it, so a re-run never shows stale text). */
  stamp: string;
  sourcePath: string;
  database: string;
  /** The SecretStorage id of the target URL (see TargetStore). */
  targetId: string;
  /** The target URL with its password masked. */
  targetLabel: string;
  plan: MappingPlan;
  status: RunStatus;
  collections: CollectionResult[];
  /** The run's row accounting per source table (absent when the run did not settle it). */
  accounting?: TableAccount[];
}

export function verdictOf(c: CollectionResult): Verdict {
  if (!c.validation) return c.failed > 0 ? 'fail' : 'unchecked';
  if (c.validation.mismatches > 0 || c.failed > 0) return 'fail';
  if (c.warnings > 0 || c.duplicates > 0 || c.validation.others > 0) return 'warn';
  return 'pass';
}

function resultOf(c: CollectionReport, mismatches: Mismatch[], at: string): CollectionResult {
  return {
    collection: c.collection,
    table: c.table,
    sourceRows: c.sourceRows,
    imported: c.imported,
    failed: c.failed,
    warnings: c.warnings,
    duplicates: c.duplicates,
    validation: c.validation,
    mismatches: mismatches.filter((m) => m.collection === c.collection).slice(0, KEEP_PER_COLLECTION),
    checkedAt: at,
  };
}

/** Holds the last validation results, persists them per workspace, and tells the tree when they change. */
export class ValidationModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current: ValidationRecord | undefined;

  constructor(private readonly state: vscode.Memento) {
    this.current = state.get<ValidationRecord>(STATE_KEY);
  }

  get record(): ValidationRecord | undefined {
    return this.current;
  }

  /** Takes the results of a whole migration run. */
  async setFromRun(
    report: MigrationReport,
    ctx: { sourcePath: string; targetId: string; plan: MappingPlan },
  ): Promise<void> {
    const at = report.finishedAt;
    await this.set({
      stamp: `${Date.now()}`,
      sourcePath: ctx.sourcePath,
      database: report.target.database,
      targetId: ctx.targetId,
      targetLabel: report.target.url,
      plan: ctx.plan,
      status: report.status,
      collections: report.collections.map((c) => resultOf(c, report.mismatches, at)),
      ...(report.accounting ? { accounting: report.accounting } : {}),
    });
  }

  /** Replaces one collection's results with those of a validation-only run. */
  async updateCollection(report: MigrationReport): Promise<void> {
    const rec = this.current;
    if (!rec) return;
    const fresh = report.collections.map((c) => resultOf(c, report.mismatches, report.finishedAt));
    const collections = rec.collections.map((old) => {
      const f = fresh.find((x) => x.collection === old.collection);
      // Import figures come from the migration; the validation figures from the new check.
      return f ? { ...old, validation: f.validation, mismatches: f.mismatches, checkedAt: f.checkedAt } : old;
    });
    await this.set({ ...rec, stamp: `${Date.now()}`, collections });
  }

  async clear(): Promise<void> {
    await this.set(undefined);
  }

  private async set(rec: ValidationRecord | undefined): Promise<void> {
    this.current = rec;
    await this.state.update(STATE_KEY, rec);
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}

import type { MappingPlan } from '../plan/types';
import type { RowError } from '../mongo/writer';
import type { Mismatch } from '../validate/compare';

export const STEPS = [
  { name: 'export', label: 'Exporting SQLite rows to documents' },
  { name: 'import', label: 'Importing documents into MongoDB' },
  { name: 'indexes', label: 'Creating indexes' },
  { name: 'validate', label: 'Validating every document' },
] as const;

export type StepName = (typeof STEPS)[number]['name'];

/** What the engine tells its front ends (CLI, extension) while it works. */
export type MigrationEvent =
  | { type: 'plan'; plan: MappingPlan; notes: string[] }
  | { type: 'step-start'; step: StepName; index: number; total: number; label: string; totalItems: number }
  | { type: 'progress'; step: StepName; done: number; total: number; ratePerSec: number; collection?: string }
  | { type: 'step-end'; step: StepName; index: number; durationMs: number; done: number; skipped?: string }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string }
  | { type: 'row-error'; error: RowError }
  | { type: 'mismatch'; mismatch: Mismatch };

export type MigrationEventListener = (event: MigrationEvent) => void;

/** The type a column's field starts with in the default plan: from its declared type, or from sampled values. */
import { looksLikeExactDate } from '../convert/dates';
import type { SqlValue } from '../sqlite/types';
import type { FieldType, PlanOptions } from './types';

/** Returns up to `limit` non-null sample values of a column (used to detect text dates). */
export type ColumnSampler = (table: string, column: string, limit: number) => SqlValue[];

const DATE_SAMPLE_SIZE = 200;

/** Declared types whose values are dates, following SQLite's conventions (DATE, DATETIME, TIMESTAMP…). */
function isDateDeclaredType(declared: string): boolean {
  return /\b(DATE|DATETIME|TIMESTAMP)\b|TIMESTAMP/i.test(declared);
}

function isBooleanDeclaredType(declared: string): boolean {
  return /^\s*BOOL(EAN)?\b/i.test(declared);
}

/** SQLite's TEXT affinity (declared type contains CHAR, CLOB or TEXT) or no declared type at all. */
function mayHoldText(declared: string): boolean {
  return declared.trim() === '' || /CHAR|CLOB|TEXT/i.test(declared);
}

export function defaultFieldType(
  table: string,
  column: { name: string; declaredType: string },
  options: PlanOptions,
  sampler?: ColumnSampler,
): FieldType {
  if (isDateDeclaredType(column.declaredType)) return 'date';
  if (isBooleanDeclaredType(column.declaredType)) return 'bool';
  if (options.detectTextDates && sampler && mayHoldText(column.declaredType)) {
    const sample = sampler(table, column.name, DATE_SAMPLE_SIZE);
    // Only when a Date keeps every sampled text whole: sub-millisecond digits or UTC offsets would be lost.
    if (sample.length > 0 && sample.every((v) => typeof v === 'string' && looksLikeExactDate(v))) return 'date';
  }
  return 'auto';
}

import { MongoServerError, type Collection } from 'mongodb';
import type { IndexPlan } from '../plan/types';

export interface IndexOutcome {
  name: string;
  keys: string;
  unique: boolean;
  status: 'created' | 'exists' | 'created-non-unique' | 'failed';
  message?: string;
}

function describeKeys(ix: IndexPlan): string {
  return ix.keys.map(([f, d]) => `${f}:${d}`).join(', ');
}

/**
 * Creates the planned indexes one by one (so one failure does not hide the others). SQLite's UNIQUE lets several
 * rows hold NULL while MongoDB's unique index does not; when that makes a unique index fail with duplicate
 * keys, it is created non-unique and the outcome says why, instead of failing the migration.
 */
export async function createPlannedIndexes(collection: Collection, indexes: IndexPlan[]): Promise<IndexOutcome[]> {
  const existing = new Map((await collection.indexes().catch(() => [])).map((ix) => [String(ix.name), ix]));
  const outcomes: IndexOutcome[] = [];
  for (const ix of indexes) {
    const keys = Object.fromEntries(ix.keys) as Record<string, 1 | -1>;
    const base = { name: ix.name, keys: describeKeys(ix), unique: ix.unique };
    if (existing.has(ix.name)) {
      outcomes.push({ ...base, status: 'exists' });
      continue;
    }
    try {
      // Only pass `unique` when true: an undefined option is sent as null, which servers reject.
      await collection.createIndex(keys, ix.unique ? { name: ix.name, unique: true } : { name: ix.name });
      outcomes.push({ ...base, status: 'created' });
    } catch (e) {
      // MongoDB says E11000 duplicate key; FerretDB's SQLite backend says "UNIQUE constraint failed".
      const duplicate =
        e instanceof MongoServerError && (e.code === 11000 || /duplicate|UNIQUE constraint failed/i.test(e.message));
      if (ix.unique && duplicate) {
        try {
          await collection.createIndex(keys, { name: ix.name });
          outcomes.push({
            ...base,
            status: 'created-non-unique',
            message: `created without UNIQUE: ${(e as Error).message} (SQLite's UNIQUE allows several NULLs, MongoDB's does not)`,
          });
          continue;
        } catch (retryError) {
          outcomes.push({ ...base, status: 'failed', message: (retryError as Error).message });
          continue;
        }
      }
      outcomes.push({ ...base, status: 'failed', message: (e as Error).message });
    }
  }
  return outcomes;
}

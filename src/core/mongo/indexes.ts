import { MongoServerError, type Collection, type IndexDescription } from 'mongodb';
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

/** The createIndex key and options of a planned index. Only pass `unique` when true: undefined is sent as null. */
function spec(ix: IndexPlan): IndexDescription {
  const key = Object.fromEntries(ix.keys) as Record<string, 1 | -1>;
  return ix.unique ? { key, name: ix.name, unique: true } : { key, name: ix.name };
}

/**
 * Creates the planned indexes. First all missing ones in one createIndexes command: MongoDB builds them in a single
 * scan of the collection (one scan per index when sent one by one). If that fails, the indexes are created one by
 * one (so one failure does not hide the others), which also tells which one failed and why. SQLite's UNIQUE lets
 * several rows hold NULL while MongoDB's unique index does not; when that makes a unique index fail with duplicate
 * keys, it is created non-unique and the outcome says why, instead of failing the migration.
 */
export async function createPlannedIndexes(collection: Collection, indexes: IndexPlan[]): Promise<IndexOutcome[]> {
  const existing = new Map((await collection.indexes().catch(() => [])).map((ix) => [String(ix.name), ix]));
  const missing = indexes.filter((ix) => !existing.has(ix.name));
  if (missing.length > 1) {
    const together = await collection.createIndexes(missing.map(spec)).then(
      () => true,
      () => false,
    );
    if (together)
      return indexes.map((ix) => ({
        name: ix.name,
        keys: describeKeys(ix),
        unique: ix.unique,
        status: existing.has(ix.name) ? 'exists' : 'created',
      }));
  }
  return createOneByOne(collection, indexes);
}

async function createOneByOne(collection: Collection, indexes: IndexPlan[]): Promise<IndexOutcome[]> {
  // Listed again: a failed createIndexes may have built some of them (servers differ).
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
      await collection.createIndex(keys, { name: ix.name, ...(ix.unique ? { unique: true } : {}) });
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

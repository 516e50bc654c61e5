/** Plans for tests: what the engine makes of a SQLite file. */
import { defaultPlanFor, openSqliteSource, type MappingPlan } from '../../src/core';

/** The default mapping plan of `file`, as migrate would make it (the file is opened for it and closed again). */
export async function defaultPlanOf(file: string): Promise<MappingPlan> {
  const source = await openSqliteSource(file);
  try {
    return defaultPlanFor(source).plan;
  } finally {
    source.close();
  }
}

/** What the integration tests of the migration share: a run into the test server, and the reference app's database. */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { migrate, type MigrateOptions, type MigrationEvent } from '../../src/core';
import { sharedFixturesDir } from './fixtures';
import { getTestMongoUrl } from './mongoServer';
import { tempDir } from './sqliteBuilders';

/** Read BSON as stored: Int32, Long and Double stay their own types. */
export const RAW = { promoteValues: false, promoteLongs: false } as const;

/** Migrates into `database` on the test server (if-exists: fail unless `extra` says), with the events it emitted. */
export async function run(sqlitePath: string, database: string, extra: Partial<MigrateOptions> = {}) {
  const events: MigrationEvent[] = [];
  const report = await migrate({
    sqlitePath,
    mongoUrl: getTestMongoUrl(),
    database,
    ifExists: 'fail',
    onEvent: (e) => events.push(e),
    ...extra,
  });
  return { report, events };
}

/** The reference FastAPI app's database with `resources` resources (made by the shared fixtures' script). */
export function appDb(resources: number): string {
  const file = path.join(tempDir(), `app${resources}.db`);
  execFileSync('python3', [path.join(sharedFixturesDir(), 'make_app_db.py'), file, '--resources', String(resources)]);
  return file;
}

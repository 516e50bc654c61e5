/**
 * Mocha global fixture for the integration tier (loaded with `--require test/integration/setup.ts`, see
 * package.json "test:integration").
 *
 * - With MONGODB_URL set: nothing is started; every test uses that server (a real mongod).
 * - Otherwise: builds FerretDB if .cache/bin/ferretdb is missing (scripts/build-ferretdb.sh), starts ONE
 *   FerretDB for the whole run, publishes its URL through getTestMongoUrl() (and the env variable
 *   SQLITE2MONGO_TEST_MONGODB_URL, so child processes such as the CLI under test see it too), and stops it at
 *   the end of the run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ferretDbBinary, REPO_ROOT, SHARED_URL_ENV, startFerretDb, type TestServer } from '../helpers/mongoServer';

let shared: TestServer | undefined;

export async function mochaGlobalSetup(): Promise<void> {
  if (process.env.MONGODB_URL) {
    const shown = process.env.MONGODB_URL.replace(/\/\/[^@/]*@/, '//***@');
    console.log(`[integration] using MONGODB_URL=${shown} (no FerretDB started)`);
    return;
  }
  if (!process.env.FERRETDB_BIN && !existsSync(ferretDbBinary())) {
    console.log('[integration] FerretDB binary missing: building it (scripts/build-ferretdb.sh)…');
    const r = spawnSync('bash', ['scripts/build-ferretdb.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Error(`scripts/build-ferretdb.sh failed (exit ${r.status ?? r.signal})`);
  }
  const started = Date.now();
  shared = await startFerretDb();
  process.env[SHARED_URL_ENV] = shared.url;
  console.log(`[integration] FerretDB pid ${shared.pid} on ${shared.url} (ready in ${Date.now() - started} ms)`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  if (!shared) return;
  const server = shared;
  shared = undefined;
  delete process.env[SHARED_URL_ENV];
  await server.stop();
}

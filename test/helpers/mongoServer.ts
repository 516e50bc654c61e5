/**
 * The MongoDB server of the test tiers. The FerretDB launcher itself is scripts/lib/ferretdb.ts (the benchmark uses it
 * too); this file adds what only tests need: the one shared server of an integration run (`getTestMongoUrl()`,
 * started by test/integration/setup.ts, or a real mongod when MONGODB_URL is set) and fresh database names.
 */
import { randomBytes } from 'node:crypto';
import { MongoClient } from 'mongodb';
import type { FerretDbServer } from '../../scripts/lib/ferretdb';

export {
  ferretDbBinary,
  freePort,
  REPO_ROOT,
  startFerretDb,
  type FerretDbServer,
  type StartOptions,
} from '../../scripts/lib/ferretdb';
/** A FerretDB started by a test. */
export type TestServer = FerretDbServer;

// -------------------------------------------------------------------------------------- shared test server
/** Environment variable through which the shared server's URL reaches this process and its children. */
export const SHARED_URL_ENV = 'SQLITE2MONGO_TEST_MONGODB_URL';

/** True when the tests run against a real mongod (MONGODB_URL), false for FerretDB. */
export function isRealMongo(): boolean {
  return !!process.env.MONGODB_URL;
}

/**
 * The MongoDB URL tests should use: MONGODB_URL when set (a real mongod), else the FerretDB that
 * test/integration/setup.ts started for this run. Throws a clear error outside such a run.
 */
export function getTestMongoUrl(): string {
  const url = process.env.MONGODB_URL || process.env[SHARED_URL_ENV];
  if (!url) {
    throw new Error(
      'No test MongoDB server: run the suite through `npm run test:integration` (which loads ' +
        'test/integration/setup.ts and starts FerretDB), or set MONGODB_URL=mongodb://… to use a real mongod.',
    );
  }
  return url;
}

/**
 * A fresh database name that both MongoDB and FerretDB accept: latin letters, digits, `_` and `-` only, at most
 * 38 characters — e.g. uniqueDbName('orders') → "s2m_orders_lx3k9a2f_0a7h2q".
 */
export function uniqueDbName(prefix = 'test'): string {
  const clean =
    prefix
      .replace(/[^A-Za-z0-9_-]+/g, '_')
      .replace(/^[_-]+/, '')
      .slice(0, 16) || 'test';
  const time = Date.now().toString(36).slice(-8);
  // A counter makes names distinct within the process (random bytes alone can repeat: 50 names drawn in one
  // millisecond from 24 random bits collided once); the random part separates processes started together.
  const count = (namesGiven++ % 1296).toString(36).padStart(2, '0');
  const rand = randomBytes(2).toString('hex');
  return `s2m_${clean}_${time}_${count}${rand}`;
}
let namesGiven = 0;

/**
 * A MongoClient on the run's test server for the calling scope (a file's top level or a `describe`): connected
 * before its tests, closed after them. `onConnect` receives it, e.g. `useTestMongoClient((c) => (client = c))`.
 */
export function useTestMongoClient(onConnect: (client: MongoClient) => void): void {
  let client: MongoClient | undefined;
  before(async function () {
    client = await MongoClient.connect(getTestMongoUrl());
    onConnect(client);
  });
  after(async function () {
    await client?.close();
  });
}

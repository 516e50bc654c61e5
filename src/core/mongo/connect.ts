import { MongoClient, MongoParseError, MongoServerError, MongoServerSelectionError, type MongoClientOptions } from 'mongodb';
import { MigrationError } from '../errors';

export const DEFAULT_MONGODB_URL = 'mongodb://localhost:27017';

/** The URL with any password replaced by ****, for logs, reports and the UI. */
export function maskUrl(url: string): string {
  return url.replace(/^(mongodb(?:\+srv)?:\/\/[^:/@]+):([^@/]*)@/i, '$1:****@');
}

/** MongoDB's database-name rules (the server enforces the same; FerretDB is stricter and says so itself). */
export function checkDatabaseName(name: string): void {
  const bad = /[/\\. "$*<>:|?\u0000]/.exec(name);
  if (!name || bad || Buffer.byteLength(name) > 63) {
    throw new MigrationError(
      'TARGET_DB_NAME_INVALID',
      `Invalid MongoDB database name ${JSON.stringify(name)}${bad ? ` (contains ${JSON.stringify(bad[0])})` : name ? ' (longer than 63 bytes)' : ' (empty)'}.`,
      'Use letters, digits, "_" and "-" (pass --mongodb-db).',
    );
  }
}

function causeCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    cur = (cur as { cause?: unknown }).cause ?? (cur as { reason?: { servers?: Map<string, { error?: unknown }> } }).reason?.servers?.values().next().value?.error;
  }
  return undefined;
}

/** Maps a driver error to the user's problem: wrong URL, nothing listening, unknown host, bad credentials. */
export function explainConnectionError(e: unknown, url: string): MigrationError {
  const shown = maskUrl(url);
  if (e instanceof MigrationError) return e;
  if (e instanceof MongoParseError) return new MigrationError('TARGET_URL_INVALID', `Malformed MongoDB URL ${shown}: ${e.message}`, 'Expected mongodb://[user:password@]host[:port][/db] or mongodb+srv://…', { cause: e });
  if (e instanceof MongoServerError && (e.code === 18 || /auth/i.test(e.message))) {
    return new MigrationError('TARGET_AUTH_FAILED', `Authentication failed for ${shown}: ${e.message}`, 'Check the user name, password and authSource (e.g. ?authSource=admin).', { cause: e });
  }
  const code = causeCode(e);
  if (code === 'ECONNREFUSED') return new MigrationError('TARGET_UNREACHABLE', `Connection refused by ${shown}.`, 'Is mongod running and listening on that host and port?', { cause: e });
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new MigrationError('TARGET_UNREACHABLE', `Unknown host in ${shown}.`, 'Check the host name (DNS lookup failed).', { cause: e });
  if (e instanceof MongoServerSelectionError) return new MigrationError('TARGET_UNREACHABLE', `No MongoDB server answered at ${shown} (${e.message}).`, 'Check host, port, firewall and TLS settings; raise --connect-timeout for slow networks.', { cause: e });
  const message = e instanceof Error ? e.message : String(e);
  return new MigrationError('TARGET_REFUSED', `MongoDB at ${shown} refused the request: ${message}`, undefined, { cause: e });
}

export interface ConnectOptions {
  /** How long to wait for a server before giving up (ms). */
  timeoutMs?: number;
  /** Connections in the pool; the writer keeps this many batches in flight at most. */
  maxPoolSize?: number;
}

/** Connects and pings, failing fast with a MigrationError that says what to fix. The caller closes the client. */
export async function connectMongo(url: string, opts: ConnectOptions = {}): Promise<MongoClient> {
  if (!/^mongodb(\+srv)?:\/\//i.test(url.trim())) {
    throw new MigrationError('TARGET_URL_INVALID', `Malformed MongoDB URL ${maskUrl(url)}: it must start with mongodb:// or mongodb+srv://`, 'Example: mongodb://localhost:27017');
  }
  const timeout = opts.timeoutMs ?? 10_000;
  const options: MongoClientOptions = {
    serverSelectionTimeoutMS: timeout,
    connectTimeoutMS: timeout,
    maxPoolSize: opts.maxPoolSize ?? 16,
    appName: 'sqlite2mongo',
  };
  let client: MongoClient;
  try {
    client = new MongoClient(url, options);
  } catch (e) {
    throw explainConnectionError(e, url);
  }
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (e) {
    await client.close().catch(() => undefined);
    throw explainConnectionError(e, url);
  }
}

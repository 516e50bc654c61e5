import {
  MongoClient,
  MongoParseError,
  MongoServerError,
  MongoServerSelectionError,
  type MongoClientOptions,
} from 'mongodb';
import net from 'node:net';
import { MigrationError } from '../errors';
import { maskUrl } from '../maskUrl';

export const DEFAULT_MONGODB_URL = 'mongodb://localhost:27017';

export { maskUrl } from '../maskUrl';

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
    cur =
      (cur as { cause?: unknown }).cause ??
      (cur as { reason?: { servers?: Map<string, { error?: unknown }> } }).reason?.servers?.values().next().value
        ?.error;
  }
  return undefined;
}

/** Node's codes for a server certificate that no trusted CA vouches for. */
const UNTRUSTED_CERTIFICATE = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** Maps a driver error to the user's problem: wrong URL, nothing listening, unknown host, untrusted TLS certificate, bad credentials. */
export function explainConnectionError(e: unknown, url: string, timeoutMs?: number): MigrationError {
  const shown = maskUrl(url);
  if (e instanceof MigrationError) return e;
  // By name too: the connection-string parser throws its own MongoParseError class.
  if (e instanceof MongoParseError || (e instanceof Error && e.name === 'MongoParseError'))
    return new MigrationError(
      'TARGET_URL_INVALID',
      `Malformed MongoDB URL ${shown}: ${e.message}`,
      'Expected mongodb://[user:password@]host[:port][/db] or mongodb+srv://…',
      { cause: e },
    );
  if (e instanceof MongoServerError && e.code === 13) {
    return new MigrationError(
      'TARGET_AUTH_FAILED',
      `${shown} requires authentication: ${e.message}`,
      'Put the user and password in the URL: mongodb://user:password@host:port/?authSource=admin',
      { cause: e },
    );
  }
  if (e instanceof MongoServerError && (e.code === 18 || /auth/i.test(e.message))) {
    return new MigrationError(
      'TARGET_AUTH_FAILED',
      `Authentication failed for ${shown}: ${e.message}`,
      'Check the user name, password and authSource (e.g. ?authSource=admin).',
      { cause: e },
    );
  }
  const code = causeCode(e);
  if (code === 'ECONNREFUSED')
    return new MigrationError(
      'TARGET_UNREACHABLE',
      `Connection refused by ${shown}.`,
      'Is mongod running and listening on that host and port?',
      { cause: e },
    );
  if (code && UNTRUSTED_CERTIFICATE.has(code)) {
    return new MigrationError(
      'TARGET_UNREACHABLE',
      `The TLS certificate of ${shown} is not trusted (${code}).`,
      'Name the CA that signed it: add tlsCAFile=/path/to/ca.pem to the URL.',
      { cause: e },
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new MigrationError(
      'TARGET_UNREACHABLE',
      `Unknown host in ${shown}.`,
      'Check the host name (DNS lookup failed).',
      { cause: e },
    );
  // In plain words: the driver's own text ("connection <monitor> to … closed") stays in `cause` for the log.
  if (e instanceof MongoServerSelectionError) {
    const within = timeoutMs ? ` within ${Math.round(timeoutMs / 1000)} s` : '';
    return new MigrationError(
      'TARGET_UNREACHABLE',
      `No MongoDB server answered at ${shown}${within}.`,
      'Check the host, port and firewall (and TLS options in the URL); on a slow network allow a longer connection timeout (--connect-timeout, or Connection timeout in the panel).',
      { cause: e },
    );
  }
  const message = e instanceof Error ? e.message : String(e);
  return new MigrationError('TARGET_REFUSED', `MongoDB at ${shown} refused the request: ${message}`, undefined, {
    cause: e,
  });
}

/** host:port pairs of a plain mongodb:// URL (none for mongodb+srv://, whose hosts come from DNS). */
function seedHosts(url: string): Array<{ host: string; port: number }> {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(url.trim());
  if (!m) return [];
  return m[1].split(',').map((hp) => {
    const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(hp);
    if (ipv6) return { host: ipv6[1], port: Number(ipv6[2] ?? 27017) };
    const [host, port] = hp.split(':');
    return { host, port: Number(port ?? 27017) };
  });
}

/** Resolves with the socket error code, or null when something accepted the connection. */
function probe(host: string, port: number, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (code: string | null) => {
      socket.destroy();
      resolve(code);
    };
    socket.setTimeout(timeoutMs, () => done(null)); // slow is not refused: let the driver decide
    socket.once('connect', () => done(null));
    socket.once('error', (e: NodeJS.ErrnoException) => done(e.code ?? 'ERROR'));
  });
}

/**
 * The driver keeps retrying a refused port or an unknown host until its selection timeout. When every seed
 * host refuses outright, say so at once instead of after the timeout.
 */
async function failFastIfNothingListens(url: string): Promise<void> {
  const hosts = seedHosts(url);
  if (hosts.length === 0) return;
  const codes = await Promise.all(hosts.map((h) => probe(h.host, h.port, 2000)));
  if (codes.every((c) => c === 'ECONNREFUSED'))
    throw explainConnectionError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), url);
  if (codes.every((c) => c === 'ENOTFOUND'))
    throw explainConnectionError(Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }), url);
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
    throw new MigrationError(
      'TARGET_URL_INVALID',
      `Malformed MongoDB URL ${maskUrl(url)}: it must start with mongodb:// or mongodb+srv://`,
      'Example: mongodb://localhost:27017',
    );
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
    await failFastIfNothingListens(url);
  } catch (e) {
    throw explainConnectionError(e, url);
  }
  try {
    await client.connect();
    await client.db('admin').command({ ping: 1 });
    return client;
  } catch (e) {
    await client.close().catch(() => undefined);
    throw explainConnectionError(e, url, timeout);
  }
}

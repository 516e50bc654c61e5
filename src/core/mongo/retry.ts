import { MongoBulkWriteError, MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import { MigrationError } from '../errors';

/** Socket errors of a server that went away or is restarting (the driver may surface them unwrapped). */
const NETWORK_CODES = /\b(ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNABORTED)\b/;

/** True when the error, or an error it was caused by, is a socket error. */
function isSocketError(e: unknown, depth = 0): boolean {
  if (!(e instanceof Error) || depth > 5) return false;
  const code = (e as { code?: unknown }).code;
  if ((typeof code === 'string' && NETWORK_CODES.test(code)) || NETWORK_CODES.test(e.message)) return true;
  return isSocketError(e.cause, depth + 1);
}

/** Network drops, a restarting server, a primary stepping down: worth another try. Auth, validation, size: never. */
export function isTransientError(e: unknown): boolean {
  if (e instanceof MongoNetworkError || e instanceof MongoServerSelectionError) return true;
  // "connect ECONNREFUSED" while the server restarts comes as a plain error, or as the cause of a bulk write's.
  if (!(e instanceof MongoError && typeof e.code === 'number') && isSocketError(e)) return true;
  // A bulk write whose connection closed under it fails as a whole (no per-row errors) with the network error as cause.
  if (
    e instanceof MongoBulkWriteError &&
    (e.writeErrors as unknown[]).length === 0 &&
    (isTransientError(e.cause) || /connection .* closed|ECONNRESET|socket hang up/i.test(e.message))
  )
    return true;
  if (e instanceof MongoError) {
    if (e.hasErrorLabel('RetryableWriteError') || e.hasErrorLabel('TransientTransactionError')) return true;
    const code = typeof e.code === 'number' ? e.code : -1;
    // HostUnreachable, HostNotFound, NetworkTimeout, ShutdownInProgress, NotWritablePrimary, InterruptedAtShutdown…
    return [6, 7, 89, 91, 189, 10107, 11600, 11602, 13435, 13436].includes(code);
  }
  return false;
}

export interface RetryOptions {
  attempts?: number;
  baseDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (e: unknown, attempt: number) => void;
}

/** Runs `fn`, retrying transient failures with exponential backoff (bounded: 6 attempts, waiting 0.5 + 1 + 2 + 4 + 8 s between them). */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 6;
  const base = opts.baseDelayMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!isTransientError(e) || attempt >= attempts) throw e;
      if (opts.signal?.aborted) throw new MigrationError('CANCELLED', 'Cancelled by the user.');
      opts.onRetry?.(e, attempt);
      await new Promise((r) => setTimeout(r, Math.min(base * 2 ** (attempt - 1), 8000)));
    }
  }
}

import { isMigrationError } from '../../core';
import type { ErrorInfo } from '../../webview/common/protocol';
import { EngineError } from '../engine/engineError';

/**
 * Any failure as the UI shows it: the engine's code, message and hint when it has them (an EngineError in the host,
 * a MigrationError in the worker), otherwise INTERNAL with the message (and, `withStack`, the stack for the log).
 */
export function errorInfo(e: unknown, { withStack = false } = {}): ErrorInfo {
  if (e instanceof EngineError || isMigrationError(e))
    return { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) };
  if (e instanceof Error) return { code: 'INTERNAL', message: withStack ? (e.stack ?? e.message) : e.message };
  return { code: 'INTERNAL', message: String(e) };
}

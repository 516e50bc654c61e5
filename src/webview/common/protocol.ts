/** What both webview protocols share. Types and one guard only: imported by the host and the browser code. */

/** An error as a webview shows it: the engine's stable code, a one-line message and what to do about it. */
export type ErrorInfo = { code: string; message: string; hint?: string };

/** True when `m` is a message whose `type` is one of `types` (a protocol's `as const` map). */
export function isMessageOf(types: Record<string, string>, m: unknown): boolean {
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof (m as { type?: unknown }).type === 'string' &&
    Object.values(types).includes((m as { type: string }).type)
  );
}

/** An error as every webview shows it: its message, and below it what to do about it. */
import { h, icon } from './dom';
import type { ErrorInfo } from './protocol';

/** The error's hint (what to do about it), when it has one. */
export const hintOf = (error: Partial<ErrorInfo> | undefined): HTMLElement | null =>
  error?.hint ? h('div', { class: 'hint' }, error.hint) : null;

/** An alert with the error's message and hint. */
export function errorNotice(error: ErrorInfo): HTMLElement {
  return h('div', { class: 'result result-error', role: 'alert' }, icon('error'), ' ', error.message, hintOf(error));
}

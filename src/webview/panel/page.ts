/** The migration panel page's one state object and its link to the host: posting, request ids, persisting. */
import { hasPassword } from '../../core/maskUrl';
import { byId } from '../common/dom';
import { vscodeApi } from '../common/vscodeApi';
import type { FromPanelMessage } from './protocol';
import { initialState, type ViewState } from './state';

const vscode = vscodeApi<FromPanelMessage, ViewState>();
export const restored = vscode.getState();
export const state: ViewState = restored ? { ...initialState(), ...restored, inspecting: false } : initialState();
let nextRequest = 1;
export const pending = new Map<number, string>();

export function post(m: FromPanelMessage): void {
  vscode.postMessage(m);
}

export function request(kind: string): number {
  const id = nextRequest++;
  pending.set(id, kind);
  return id;
}

/** Persists the state; the URL only when it has no password (secrets stay in the host's SecretStorage). */
export function save(): void {
  const form = { ...state.form, url: hasPassword(state.form.url) ? '' : state.form.url };
  vscode.setState({ ...state, form });
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
export function saveSoon(): void {
  saveTimer ??= setTimeout(() => {
    saveTimer = undefined;
    save();
  }, 500);
}

export const input = (id: string) => byId<HTMLInputElement>(id);
export const selectEl = (id: string) => byId<HTMLSelectElement>(id);

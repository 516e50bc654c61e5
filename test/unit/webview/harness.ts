/**
 * Runs a webview's browser bundle source (src/webview/<page>/main.ts) in happy-dom, as VS Code would: a page with
 * `<main id="app">`, `acquireVsCodeApi()` that records what the page posts and keeps its setState, and host
 * messages delivered as window `message` events. Each load is a fresh page (the module is evaluated again).
 */
import { Window } from 'happy-dom';

const GLOBALS = [
  'window',
  'document',
  'Node',
  'Element',
  'HTMLElement',
  'HTMLInputElement',
  'HTMLSelectElement',
  'HTMLDetailsElement',
  'HTMLButtonElement',
  'Event',
  'MessageEvent',
  'navigator',
  'CSS',
] as const;

export interface WebviewPage<Out, In, State> {
  window: Window;
  document: Document;
  /** Every message the page posted to the host, in order. */
  posted: Out[];
  /** The page's persisted state (setState). */
  state(): State | undefined;
  /** Delivers a host message, as VS Code's postMessage does. */
  send(message: In): void;
  /** The element, or an assertion error naming the selector. */
  $<T extends Element = HTMLElement>(selector: string): T;
  $$<T extends Element = HTMLElement>(selector: string): T[];
  /** Types into an input and fires the events a user's edit fires. */
  type(selector: string, text: string): void;
  /** Picks a select option (or toggles a checkbox) and fires `change`. */
  choose(selector: string, value: string | boolean): void;
  close(): void;
}

export function loadWebview<Out, In, State>(moduleFile: string, restored?: State): WebviewPage<Out, In, State> {
  const window = new Window({ url: 'https://webview.test/index.html', width: 1440, height: 900 });
  const document = window.document as unknown as Document;
  document.body.innerHTML = '<main id="app"></main>';
  const g = globalThis as Record<string, unknown>;
  const saved = new Map<string, unknown>(GLOBALS.map((k) => [k, g[k]]));
  for (const k of GLOBALS)
    g[k] = k === 'window' ? window : k === 'document' ? document : (window as unknown as Record<string, unknown>)[k];
  window.scrollTo = () => undefined;
  const posted: Out[] = [];
  let state = restored;
  g.acquireVsCodeApi = () => ({
    postMessage: (m: Out) => posted.push(structuredClone(m)),
    getState: () => state,
    setState: (s: State) => (state = structuredClone(s)),
  });
  // A fresh page: every webview module evaluated again (a page keeps its state in module variables).
  const webviewDir = require.resolve(moduleFile).replace(/[\\/](panel|designer)[\\/]main\.ts$/, '');
  for (const key of Object.keys(require.cache)) if (key.startsWith(webviewDir)) delete require.cache[key];
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- runs the page script anew, after the DOM exists
  require(require.resolve(moduleFile));
  const $ = <T extends Element>(selector: string): T => {
    const el = document.querySelector(selector);
    if (!el) throw new Error(`no element matches ${selector}`);
    return el as unknown as T;
  };
  return {
    window,
    document,
    posted,
    state: () => state,
    send: (message) => window.dispatchEvent(new window.MessageEvent('message', { data: message })),
    $,
    $$: <T extends Element>(selector: string) => Array.from(document.querySelectorAll(selector)) as unknown as T[],
    type(selector, text) {
      const el = $<HTMLInputElement>(selector);
      el.value = text;
      el.dispatchEvent(new window.Event('input', { bubbles: true }) as unknown as Event);
      el.dispatchEvent(new window.Event('change', { bubbles: true }) as unknown as Event);
    },
    choose(selector, value) {
      const el = $<HTMLInputElement & HTMLSelectElement>(selector);
      if (typeof value === 'boolean') el.checked = value;
      else el.value = value;
      el.dispatchEvent(new window.Event('change', { bubbles: true }) as unknown as Event);
    },
    close() {
      void window.happyDOM.close();
      for (const [k, v] of saved) g[k] = v;
      delete g.acquireVsCodeApi;
    },
  };
}

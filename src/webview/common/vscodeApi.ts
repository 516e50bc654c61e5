/** The webview side of VS Code's API, typed with a page's outgoing messages and persisted state. */
export interface VsCodeApi<Out, State> {
  postMessage(message: Out): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi(): unknown;

/** VS Code's API object; it may be acquired once per page. */
export function vscodeApi<Out, State>(): VsCodeApi<Out, State> {
  return acquireVsCodeApi() as VsCodeApi<Out, State>;
}

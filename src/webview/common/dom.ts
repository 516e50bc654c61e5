/** A tiny DOM builder for the webviews: text always goes in as text nodes (never innerHTML). */
import { jsonTokens } from './format';

export type Child = Node | string | number | null | undefined | false | Child[];

export interface Props {
  class?: string;
  id?: string;
  title?: string;
  [attribute: string]: string | number | boolean | undefined;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (Array.isArray(c)) {
      append(el, c);
      continue;
    }
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'number' ? String(c) : c);
  }
}

/** A codicon (the font is loaded by the page's stylesheet). */
export function icon(name: string, extra = ''): HTMLSpanElement {
  return h('span', { class: `codicon codicon-${name}${extra ? ` ${extra}` : ''}`, 'aria-hidden': 'true' });
}

export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing`);
  return el as T;
}

/** A button with a codicon, as both webviews draw them. */
export function button(
  id: string,
  iconName: string,
  text: string,
  kind: 'primary' | 'secondary' = 'secondary',
): HTMLButtonElement {
  return h('button', { id, class: `btn ${kind}`, type: 'button' }, icon(iconName), h('span', null, text));
}

/** Extended JSON text with its tokens coloured (sample documents). */
export function jsonBlock(text: string): HTMLPreElement {
  return h(
    'pre',
    { class: 'json' },
    jsonTokens(text).map((t) => (t.kind === 'plain' ? t.text : h('span', { class: `tok-${t.kind}` }, t.text))),
  );
}

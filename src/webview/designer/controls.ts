/** Small building blocks of the designer's views: selects, text inputs and buttons that carry their edit. */
import type { PlanWarning } from '../../core';
import { h, icon, type Child } from '../common/dom';

/** Props of a control: `data-edit` (a change makes this edit) or `data-action` (a click), and the data it needs. */
export type ControlProps = Record<string, string>;

export function selectOf(value: string, options: Array<[string, string]>, props: ControlProps): HTMLSelectElement {
  const el = h(
    'select',
    props,
    options.map(([v, text]) => h('option', { value: v }, text)),
  );
  el.value = value;
  return el;
}

export function textInput(value: string, props: ControlProps): HTMLInputElement {
  return h('input', { type: 'text', value, spellcheck: 'false', ...props });
}

/** A small button whose click main.ts turns into an edit (its `data-action` says which). */
export function actionButton(iconName: string, text: string, props: ControlProps): HTMLButtonElement {
  return h('button', { type: 'button', class: 'btn secondary small', ...props }, icon(iconName), h('span', null, text));
}

export function warningList(warnings: PlanWarning[] | undefined, id?: string): Child {
  if (!warnings || warnings.length === 0) return null;
  return h(
    'ul',
    { class: 'warnings', ...(id ? { id } : {}) },
    warnings.map((w) =>
      h(
        'li',
        { class: `warning ${w.severity}`, 'data-kind': w.kind, ...(w.field ? { 'data-field': w.field } : {}) },
        icon(w.severity === 'error' ? 'error' : 'warning', w.severity === 'error' ? 'bad' : 'warn'),
        ' ',
        w.field && w.kind !== 'lossy-type' ? [h('code', null, w.field), ': '] : null,
        w.message,
      ),
    ),
  );
}

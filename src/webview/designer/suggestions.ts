/**
 * Relationships SQLite does not declare: the suggestions (with the share of values that match), each accepted or
 * rejected with one click, and a form to declare one of the user's own (any column → any table's column).
 */
import type { DesignState, SuggestedRelationship } from '../../core';
import { h, icon } from '../common/dom';
import { plural } from '../common/format';
import { actionButton, selectOf } from './controls';

/** `orders(customer_id)->customers`, as the plan and the engine name relationships. */
export const suggestionId = (s: Pick<SuggestedRelationship, 'table' | 'columns' | 'refTable'>) =>
  `${s.table}(${s.columns.join(',')})->${s.refTable}`;

/** "98% of 1,234 values match" (whole percent, never 100% unless all match). */
export function matchText(s: Pick<SuggestedRelationship, 'matched' | 'checked'>): string {
  const percent = s.matched === s.checked ? 100 : Math.min(99, Math.floor((s.matched / s.checked) * 100));
  return `${percent}% of ${plural(s.checked, 'value')} match`;
}

function suggestionItem(s: SuggestedRelationship, index: number): HTMLElement {
  const id = suggestionId(s);
  return h(
    'li',
    { class: 'relationship suggestion', 'data-suggestion': id, title: s.reason },
    h(
      'div',
      { class: 'rel-name' },
      h('code', null, `${s.table}.${s.columns.join(', ')}`),
      ' ',
      icon('arrow-right', 'dim'),
      ' ',
      h('code', null, `${s.refTable}.${s.refColumns.join(', ')}`),
      h('span', { class: 'dim share' }, ` · ${matchText(s)}`),
    ),
    h(
      'div',
      { class: 'row-actions' },
      actionButton('check', 'Accept', { 'data-action': 'accept-suggestion', 'data-index': String(index) }),
      actionButton('close', 'Reject', { 'data-action': 'reject-suggestion', 'data-id': id }),
    ),
  );
}

/** Every column as `table.column` (value: JSON [table, column]), for the declare form. */
function columnOptions(d: DesignState): Array<[string, string]> {
  return d.schema.tables.flatMap((t) =>
    t.columns.map((c) => [JSON.stringify([t.name, c.name]), `${t.name}.${c.name}`] as [string, string]),
  );
}

function declareForm(d: DesignState): HTMLElement {
  const options = columnOptions(d);
  return h(
    'details',
    { class: 'declare', id: 'declare-relationship' },
    h('summary', null, icon('add'), ' Declare a relationship'),
    h(
      'div',
      { class: 'declare-row' },
      selectOf(options[0]?.[0] ?? '', options, { id: 'declare-from', 'aria-label': 'Column that references' }),
      icon('arrow-right', 'dim'),
      selectOf(options[0]?.[0] ?? '', options, { id: 'declare-to', 'aria-label': 'Referenced column' }),
      actionButton('link', 'Declare', { 'data-action': 'declare-relationship' }),
    ),
  );
}

export function suggestionsView(d: DesignState): HTMLElement {
  return h(
    'div',
    { id: 'suggestions' },
    h('h3', null, icon('lightbulb'), ' Suggested relationships'),
    d.suggestions.length === 0
      ? h('p', { class: 'dim' }, 'No undeclared relationships found in names and data.')
      : h(
          'p',
          { class: 'dim' },
          'Columns named like another table whose values match its key. Accept one to map it like a foreign key.',
        ),
    h('ul', { class: 'relationships' }, d.suggestions.map(suggestionItem)),
    declareForm(d),
  );
}

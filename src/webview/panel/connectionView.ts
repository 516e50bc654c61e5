/** The result of Test connection, under the target form. */
import { h, icon, type Child } from '../common/dom';
import { errorNotice } from '../common/errorView';
import type { ConnectionState, FormState } from './state';

export function connectionView(c: ConnectionState | undefined, form: FormState): Child {
  if (!c) return null;
  if (c.phase === 'testing')
    return h(
      'div',
      { class: 'result result-busy', role: 'status' },
      icon('loading', 'codicon-modifier-spin'),
      ' Connecting…',
    );
  if (c.phase === 'failed') {
    return errorNotice(c.error);
  }
  const existing = c.existingCollections;
  const note =
    existing.length === 0
      ? `database ${c.database} is empty or new`
      : `database ${c.database} has ${existing.length} collection${existing.length === 1 ? '' : 's'} (${existing.slice(0, 6).join(', ')}${existing.length > 6 ? ', …' : ''})`;
  return h(
    'div',
    { class: 'result result-ok', role: 'status' },
    icon('pass-filled'),
    ' ',
    h('span', null, `Connected: ${c.serverVersion}, ${note}.`),
    existing.length > 0
      ? h(
          'div',
          { class: 'hint' },
          `Collections that already hold documents: if-exists policy “${form.ifExists}” applies.`,
        )
      : null,
    c.historyRuns
      ? h('div', { class: 'hint' }, `It also holds the history of earlier migrations (${c.historyCollection}).`)
      : null,
  );
}

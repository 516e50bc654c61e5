/** The migration panel's page structure: built once; main.ts fills it from the state. */
import { button, byId, h, icon, replaceChildren } from '../common/dom';

function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { for: control.id }, label),
    control,
    hint ? h('div', { class: 'field-hint' }, hint) : null,
  );
}

function select(id: string, options: Array<[string, string]>): HTMLSelectElement {
  return h(
    'select',
    { id },
    options.map(([value, text]) => h('option', { value }, text)),
  );
}

function checkbox(id: string, label: string, hint?: string): HTMLElement {
  return h(
    'div',
    { class: 'check' },
    h('input', { type: 'checkbox', id }),
    h('label', { for: id }, label),
    hint ? h('div', { class: 'field-hint' }, hint) : null,
  );
}

export function buildLayout(): void {
  const app = byId('app');
  replaceChildren(
    app,
    h(
      'header',
      { class: 'top' },
      h(
        'div',
        { class: 'title' },
        h('h1', null, icon('database'), ' Migrate to MongoDB'),
        h('div', { id: 'source-path', class: 'subtitle' }),
      ),
      h(
        'div',
        { class: 'actions' },
        h('span', { id: 'start-hint', class: 'dim' }),
        button('cancel', 'debug-stop', 'Cancel'),
        button('start', 'play', 'Start migration', 'primary'),
      ),
    ),
    h(
      'section',
      { id: 'run', hidden: true },
      h('h2', null, 'Migration'),
      h('div', { id: 'run-status', role: 'status' }),
      h('div', { id: 'run-steps' }),
      h('div', { id: 'run-summary' }),
      h('div', { id: 'run-logs' }),
      h(
        'div',
        { class: 'row', id: 'run-actions' },
        button('openReport', 'json', 'Open report'),
        button('showValidation', 'list-tree', 'Show validation'),
        button('showLog', 'output', 'Show log'),
        button('keepInSync', 'sync', 'Keep in Sync'),
      ),
    ),
    h(
      'div',
      { class: 'layout' },
      h(
        'div',
        { class: 'col' },
        h('section', { id: 'source' }, h('h2', null, 'Source'), h('div', { id: 'source-body' })),
        h(
          'section',
          { id: 'target' },
          h('h2', null, 'MongoDB target'),
          h(
            'div',
            { id: 'recent-row', class: 'field' },
            h('label', { for: 'recent' }, 'Recent connections'),
            h('select', { id: 'recent' }),
          ),
          field(
            'Connection string',
            h('input', {
              id: 'url',
              type: 'text',
              spellcheck: 'false',
              autocomplete: 'off',
              placeholder: 'mongodb://user:password@host:27017/?authSource=admin',
            }),
            'Stored in VS Code’s secret storage, never in settings; logs show it with the password masked.',
          ),
          field('Database', h('input', { id: 'database', type: 'text', spellcheck: 'false', autocomplete: 'off' })),
          h('div', { class: 'row' }, button('test', 'plug', 'Test connection')),
          h('div', { id: 'connection-result' }),
        ),
        h(
          'section',
          { id: 'options' },
          h('h2', null, 'Options'),
          h(
            'div',
            { class: 'options-grid' },
            field(
              'Batch size',
              h('input', { id: 'batchSize', type: 'number', min: 1, step: 100 }),
              'Documents per bulk write',
            ),
            field(
              'If collections exist',
              select('ifExists', [
                ['ask', 'Ask'],
                ['drop', 'Drop and replace'],
                ['append', 'Append'],
                ['upsert', 'Upsert by _id'],
                ['fail', 'Fail (write nothing)'],
              ]),
            ),
            field(
              'Null values',
              select('nulls', [
                ['keep', 'Keep as null'],
                ['omit', 'Omit the field'],
              ]),
            ),
            field(
              'Refused rows',
              select('onError', [
                ['stop', 'Stop the migration'],
                ['skip', 'Skip and list them'],
              ]),
            ),
            field(
              'Time zone of text dates',
              h('input', {
                id: 'timezone',
                type: 'text',
                spellcheck: 'false',
                placeholder: 'UTC, +02:00 or Europe/Paris',
              }),
            ),
            field(
              'Connection timeout (s)',
              h('input', { id: 'connectTimeout', type: 'number', min: 1, max: 300, step: 1 }),
              'How long to wait for the server',
            ),
          ),
          checkbox('detectTextDates', 'Detect dates stored as text'),
          checkbox('includeViews', 'Include views', 'Each view becomes a collection too (its rows as they read now).'),
          checkbox('dryRun', 'Dry run', 'Read, convert and report everything; write nothing to MongoDB.'),
          checkbox('keepFile', 'Keep the intermediate file'),
          h(
            'div',
            { id: 'output-row', class: 'row' },
            h('input', { id: 'outputFile', type: 'text', spellcheck: 'false', 'aria-label': 'Intermediate file' }),
            button('browse', 'folder-opened', 'Browse…'),
          ),
        ),
      ),
      h(
        'div',
        { class: 'col' },
        h(
          'section',
          { id: 'plan' },
          h(
            'div',
            { class: 'section-head' },
            h('h2', null, 'Mapping plan'),
            button('design', 'type-hierarchy-sub', 'Design mapping…'),
          ),
          h('div', { id: 'plan-file' }),
          h(
            'div',
            { class: 'plan-tools row', id: 'plan-tools' },
            h('input', {
              id: 'planFilter',
              type: 'search',
              spellcheck: 'false',
              placeholder: 'Filter collections',
              'aria-label': 'Filter collections',
            }),
            button('expandAll', 'expand-all', 'Expand all'),
            button('collapseAll', 'collapse-all', 'Collapse all'),
          ),
          h('div', { id: 'plan-body' }),
        ),
      ),
    ),
  );
}

/** A collection's fields: the `_id` rule, then each column with its field name, type, date reading and nulls. */
import type { CollectionPlan, DesignState, FieldPlan, TableInfo } from '../../core';
import { FIELD_TYPES } from '../../core/plan/types';
import { h, icon } from '../common/dom';
import { selectOf, textInput } from './controls';

const TYPE_OPTIONS: Array<[string, string]> = FIELD_TYPES.map((t) => [
  t,
  t === 'auto' ? 'auto (as stored)' : t === 'json' ? 'object from JSON' : t,
]);
const NULL_OPTIONS: Array<[string, string]> = [
  ['default', 'nulls: plan default'],
  ['keep', 'nulls: keep'],
  ['omit', 'nulls: omit field'],
];
const EPOCH_OPTIONS: Array<[string, string]> = [
  ['none', 'text dates'],
  ['seconds', 'numbers: epoch seconds'],
  ['milliseconds', 'numbers: epoch ms'],
];

/** The `_id` choices of a table (value `column:<name>`, `composite` or `rowid`) and the current one. */
export function idRuleOptions(c: CollectionPlan, t: TableInfo): { value: string; options: Array<[string, string]> } {
  const options: Array<[string, string]> = [];
  const columns = [...t.primaryKey, ...t.columns.map((x) => x.name).filter((n) => !t.primaryKey.includes(n))];
  if (t.primaryKey.length > 1) options.push(['composite', `composite key (${t.primaryKey.join(', ')})`]);
  for (const name of columns)
    options.push([
      `column:${name}`,
      `column ${name}${t.primaryKey.length === 1 && t.primaryKey[0] === name ? ' (primary key)' : ''}`,
    ]);
  if (!t.withoutRowid && !t.view) options.push(['rowid', 'ObjectId from the rowid (rowid kept as a field)']);
  const value = c.id.kind === 'column' ? `column:${c.id.column}` : c.id.kind === 'composite' ? 'composite' : c.id.kind;
  if (c.id.kind === 'sequence') options.push(['sequence', 'ObjectId by row position (a view)']);
  return { value, options };
}

function fieldRow(c: CollectionPlan, col: TableInfo['columns'][number], f: FieldPlan | undefined, warned: boolean) {
  const data = { 'data-table': c.table, 'data-column': col.name };
  const include = h('input', {
    type: 'checkbox',
    'data-edit': 'include-column',
    ...data,
    'aria-label': `Migrate column ${col.name}`,
  });
  include.checked = !!f;
  return h(
    'tr',
    { 'data-column': col.name, class: `${f ? '' : 'skipped'}${f && warned ? ' has-warning' : ''}` },
    h('td', null, include),
    h('td', null, h('code', null, col.name), h('span', { class: 'dim' }, ` ${col.declaredType}`)),
    h(
      'td',
      null,
      f
        ? textInput(f.field, { 'data-edit': 'field-name', ...data, 'aria-label': `Field name of ${col.name}` })
        : h('span', { class: 'dim' }, 'not migrated'),
    ),
    h(
      'td',
      { class: 'type-cell' },
      f
        ? selectOf(f.type, TYPE_OPTIONS, { 'data-edit': 'field-type', ...data, 'aria-label': `Type of ${col.name}` })
        : null,
      f?.type === 'date'
        ? selectOf(f.epoch ?? 'none', EPOCH_OPTIONS, {
            'data-edit': 'field-epoch',
            ...data,
            'aria-label': `Dates of ${col.name}`,
          })
        : null,
    ),
    h(
      'td',
      null,
      f
        ? selectOf(f.nulls ?? 'default', NULL_OPTIONS, {
            'data-edit': 'field-nulls',
            ...data,
            'aria-label': `Nulls of ${col.name}`,
          })
        : null,
    ),
  );
}

export function fieldsTable(d: DesignState, c: CollectionPlan, warned: Set<string>): HTMLElement {
  const table = d.schema.tables.find((t) => t.name === c.table)!;
  const idColumns = c.id.kind === 'column' ? [c.id.column] : c.id.kind === 'composite' ? c.id.columns : [];
  const id = idRuleOptions(c, table);
  return h(
    'table',
    { class: 'grid fields' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ['', 'Column', 'Field', 'Type', 'Nulls'].map((x) => h('th', null, x)),
      ),
    ),
    h(
      'tbody',
      null,
      h(
        'tr',
        { class: 'id-row' },
        h('td', null, icon('key', 'dim')),
        h('td', null, h('code', null, idColumns.join(', ') || 'rowid')),
        h('td', null, h('code', null, '_id')),
        h(
          'td',
          { colspan: 2 },
          selectOf(id.value, id.options, {
            'data-edit': 'id-rule',
            'data-table': c.table,
            'aria-label': `_id of ${c.collection}`,
          }),
        ),
      ),
      table.columns
        .filter((col) => !idColumns.includes(col.name))
        .map((col) => {
          const f = c.fields.find((x) => x.column === col.name);
          return fieldRow(c, col, f, !!f && warned.has(f.field));
        }),
    ),
  );
}

/**
 * The designer's views, rebuilt from the design whenever it changes. Every control carries `data-edit` and the
 * data its edit needs; main.ts turns a change event on such a control into one PlanEdit for the engine.
 */
import type { CollectionPlan, DesignState, EmbedPlan, PlanWarning, TableInfo } from '../../core';
import { FIELD_TYPES } from '../../core/plan/types';
import { h, icon, jsonBlock, type Child } from '../common/dom';
import { fmt, readableSample } from '../common/format';
import { junctionOptions, relationshipOptions, warningsByCollection } from './state';

function selectOf(value: string, options: Array<[string, string]>, props: Record<string, string>): HTMLSelectElement {
  const el = h(
    'select',
    props,
    options.map(([v, text]) => h('option', { value: v }, text)),
  );
  el.value = value;
  return el;
}

function warningList(warnings: PlanWarning[] | undefined, id?: string): Child {
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

// ------------------------------------------------------------------------------------------------ left: schema
function keyBadges(t: TableInfo, column: string): Child[] {
  const badges: Child[] = [];
  if (t.primaryKey.includes(column))
    badges.push(h('span', { class: 'badge key', title: 'primary key' }, icon('key'), ' PK'));
  for (const fk of t.foreignKeys) {
    const i = fk.columns.indexOf(column);
    if (i >= 0)
      badges.push(
        h(
          'span',
          { class: 'badge fk', title: `references ${fk.refTable}(${fk.refColumns[i]})` },
          icon('link'),
          ` → ${fk.refTable}.${fk.refColumns[i]}`,
        ),
      );
  }
  return badges;
}

export function schemaView(d: DesignState): HTMLElement {
  const junctions = new Set(d.junctions.map((j) => j.table));
  return h(
    'div',
    null,
    h(
      'div',
      { id: 'relationships' },
      h('h3', null, icon('references'), ' Relationships'),
      d.relationships.length === 0 && d.junctions.length === 0
        ? h('p', { class: 'dim' }, 'No foreign keys in this database.')
        : null,
      h(
        'ul',
        { class: 'relationships' },
        d.relationships.map((r) =>
          h(
            'li',
            { class: 'relationship', 'data-relationship': r.id, 'data-mode': r.mode },
            h(
              'div',
              { class: 'rel-name' },
              h('code', null, `${r.child}.${r.columns.join(', ')}`),
              ' ',
              icon('arrow-right', 'dim'),
              ' ',
              h('code', null, `${r.parent}.${r.refColumns.join(', ')}`),
              h('span', { class: 'dim' }, ` · ${fmt(rows(d, r.child))} → ${fmt(rows(d, r.parent))} rows`),
            ),
            selectOf(r.mode, relationshipOptions(r), {
              'data-edit': 'relationship',
              'data-id': r.id,
              'aria-label': `Mapping of ${r.id}`,
            }),
            r.field
              ? h(
                  'div',
                  { class: 'dim rel-where' },
                  icon('symbol-field'),
                  ' ',
                  h('code', null, `${r.collection}.${r.field}${r.mode.startsWith('array') ? '[]' : ''}`),
                )
              : null,
          ),
        ),
        d.junctions.map((j) =>
          h(
            'li',
            { class: 'relationship junction', 'data-junction': j.table, 'data-mode': j.mode },
            h(
              'div',
              { class: 'rel-name' },
              h('code', null, j.owner),
              ' ',
              icon('arrow-both', 'dim'),
              ' ',
              h('code', null, j.other),
              h('span', { class: 'dim' }, ` · junction table ${j.table}, ${fmt(rows(d, j.table))} rows`),
            ),
            selectOf(j.mode, junctionOptions(j), {
              'data-edit': 'junction',
              'data-table': j.table,
              'aria-label': `Mapping of junction table ${j.table}`,
            }),
          ),
        ),
      ),
    ),
    h('h3', null, icon('database'), ' Tables'),
    d.schema.tables.map((t) =>
      h(
        'article',
        { class: 'card table-card', 'data-table': t.name },
        h(
          'header',
          null,
          icon('table'),
          ' ',
          h('strong', null, t.name),
          h('span', { class: 'dim' }, ` · ${fmt(t.rowCount)} rows`),
          junctions.has(t.name) ? h('span', { class: 'badge' }, 'junction') : null,
        ),
        h(
          'table',
          { class: 'grid columns' },
          h(
            'tbody',
            null,
            t.columns.map((c) =>
              h(
                'tr',
                null,
                h('td', null, h('code', null, c.name)),
                h('td', { class: 'dim' }, c.declaredType || 'any', c.notNull ? ' not null' : ''),
                h('td', null, keyBadges(t, c.name)),
              ),
            ),
          ),
        ),
      ),
    ),
    d.schema.views.length > 0
      ? h('p', { class: 'dim' }, `Views (not migrated): ${d.schema.views.map((v) => v.name).join(', ')}.`)
      : null,
  );
}

function rows(d: DesignState, table: string): number {
  return d.schema.tables.find((t) => t.name === table)?.rowCount ?? 0;
}

// ------------------------------------------------------------------------------------------------ right: collections
const TYPE_OPTIONS: Array<[string, string]> = FIELD_TYPES.map((t) => [
  t,
  t === 'auto' ? 'auto (as stored)' : t === 'json' ? 'object from JSON' : t,
]);
const NULL_OPTIONS: Array<[string, string]> = [
  ['default', 'nulls: plan default'],
  ['keep', 'nulls: keep'],
  ['omit', 'nulls: omit field'],
];

function idText(c: CollectionPlan): string {
  switch (c.id.kind) {
    case 'column':
      return 'primary key';
    case 'composite':
      return 'composite key (sub-document)';
    case 'rowid':
      return `ObjectId (rowid kept as ${c.id.rowidField})`;
    case 'sequence':
      return 'ObjectId by row position (a view)';
  }
}

function fieldsTable(d: DesignState, c: CollectionPlan, warned: Set<string>): HTMLElement {
  const table = d.schema.tables.find((t) => t.name === c.table)!;
  const idColumns = c.id.kind === 'column' ? [c.id.column] : c.id.kind === 'composite' ? c.id.columns : [];
  return h(
    'table',
    { class: 'grid fields' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, ''),
        h('th', null, 'Column'),
        h('th', null, 'Field'),
        h('th', null, 'Type'),
        h('th', null, 'Nulls'),
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
        h('td', { colspan: 2, class: 'dim' }, idText(c)),
      ),
      table.columns
        .filter((col) => !idColumns.includes(col.name))
        .map((col) => {
          const f = c.fields.find((x) => x.column === col.name);
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
            {
              'data-column': col.name,
              class: `${f ? '' : 'skipped'}${f && warned.has(f.field) ? ' has-warning' : ''}`,
            },
            h('td', null, include),
            h('td', null, h('code', null, col.name), h('span', { class: 'dim' }, ` ${col.declaredType}`)),
            h(
              'td',
              null,
              f
                ? h('input', {
                    type: 'text',
                    value: f.field,
                    spellcheck: 'false',
                    'data-edit': 'field-name',
                    ...data,
                    'aria-label': `Field name of ${col.name}`,
                  })
                : h('span', { class: 'dim' }, 'not migrated'),
            ),
            h(
              'td',
              null,
              f
                ? selectOf(f.type, TYPE_OPTIONS, {
                    'data-edit': 'field-type',
                    ...data,
                    'aria-label': `Type of ${col.name}`,
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
        }),
    ),
  );
}

function embedRow(c: CollectionPlan, e: EmbedPlan): HTMLElement {
  const join = `${e.table}.${e.childColumns.join(', ')} = ${e.parentColumns.join(', ')}`;
  const what = e.kind === 'array' ? `array of the ${e.table} rows where ${join}` : `the ${e.table} row where ${join}`;
  return h(
    'li',
    { class: 'embed', 'data-embed': e.field },
    icon(e.kind === 'array' ? 'symbol-array' : 'symbol-object'),
    ' ',
    e.merge
      ? h('span', null, `fields of ${what}, merged as `, h('code', null, `${e.mergePrefix ?? ''}…`))
      : [
          h('input', {
            type: 'text',
            class: 'embed-field',
            value: e.field,
            spellcheck: 'false',
            'data-edit': 'embed-field',
            'data-collection': c.collection,
            'data-field': e.field,
            'aria-label': `Name of the embedded ${e.table}`,
          }),
          h('span', { class: 'dim' }, what),
        ],
    e.kind === 'array'
      ? selectOf(
          e.onTooLarge ?? 'fail',
          [
            ['fail', 'over 16 MiB: fail'],
            ['reference', 'over 16 MiB: keep ids'],
          ],
          {
            'data-edit': 'embed-policy',
            'data-collection': c.collection,
            'data-field': e.field,
            class: 'policy',
            'aria-label': 'Over 16 MiB',
          },
        )
      : null,
  );
}

export function collectionsView(d: DesignState): HTMLElement {
  const byCollection = warningsByCollection(d.warnings);
  const junctions = new Set(d.junctions.filter((j) => j.mode !== 'collection').map((j) => j.table));
  return h(
    'div',
    null,
    warningList(byCollection.get(''), 'plan-warnings'),
    d.schema.tables.map((t) => {
      const c = d.plan.collections.find((x) => x.table === t.name);
      const include = h('input', {
        type: 'checkbox',
        'data-edit': 'include-table',
        'data-table': t.name,
        'aria-label': `Migrate table ${t.name}`,
      });
      include.checked = !!c;
      if (!c) {
        const skipped = d.plan.skipped.find((s) => s.table === t.name);
        return h(
          'article',
          { class: 'card collection skipped', 'data-table': t.name },
          h(
            'header',
            null,
            junctions.has(t.name) ? icon('arrow-both', 'dim') : include,
            ' ',
            h('code', null, t.name),
            h('span', { class: 'dim' }, ` · ${skipped?.reason ?? 'not migrated'}`),
          ),
        );
      }
      const warnings = byCollection.get(c.collection);
      const warned = new Set((warnings ?? []).map((w) => w.field ?? ''));
      return h(
        'article',
        {
          class: `card collection${warnings?.some((w) => w.severity === 'error') ? ' has-error' : ''}`,
          'data-collection': c.collection,
          'data-table': t.name,
        },
        h(
          'header',
          { class: 'collection-head' },
          include,
          ' ',
          icon('database'),
          ' ',
          h('input', {
            type: 'text',
            class: 'collection-name',
            value: c.collection,
            spellcheck: 'false',
            'data-edit': 'collection-name',
            'data-table': t.name,
            'aria-label': `Collection name for ${t.name}`,
          }),
          h('span', { class: 'dim' }, ` ← ${t.name} · ${fmt(t.rowCount)} documents`),
        ),
        warningList(warnings),
        h(
          'details',
          { class: 'fields-details' },
          h('summary', null, `Fields (${c.fields.length} of ${t.columns.length} columns)`),
          fieldsTable(d, c, warned),
        ),
        (c.embeds?.length ?? 0) + c.arrays.length > 0
          ? h(
              'ul',
              { class: 'embeds' },
              (c.embeds ?? []).map((e) => embedRow(c, e)),
              c.arrays.map((a) =>
                h(
                  'li',
                  { class: 'array' },
                  icon('symbol-array'),
                  ' ',
                  h('code', null, `${a.field}[]`),
                  ` ids from junction ${a.junctionTable}.${a.valueColumn}`,
                ),
              ),
            )
          : null,
        h(
          'div',
          { class: 'preview' },
          h('div', { class: 'dim preview-title' }, icon('eye'), ' Sample document (first row, as migrated)'),
          jsonBlock(readableSample(d.samples[c.collection] ?? '(no sample)')),
        ),
      );
    }),
  );
}

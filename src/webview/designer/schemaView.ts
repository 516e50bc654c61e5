/** The designer's left pane: relationships (declared, suggested), then each table with its columns and keys. */
import type { DesignState, TableInfo } from '../../core';
import { h, icon, type Child } from '../common/dom';
import { fmt, plural } from '../common/format';
import { actionButton, selectOf } from './controls';
import { junctionOptions, relationshipOptions } from './state';
import { suggestionId, suggestionsView } from './suggestions';

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

export function rowsOf(d: DesignState, table: string): number {
  return d.schema.tables.find((t) => t.name === table)?.rowCount ?? 0;
}

function relationshipItems(d: DesignState): HTMLElement[] {
  const declared = new Set((d.plan.relationships ?? []).map(suggestionId));
  return d.relationships.map((r) =>
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
        h('span', { class: 'dim' }, ` · ${fmt(rowsOf(d, r.child))} → ${plural(rowsOf(d, r.parent), 'row')}`),
        declared.has(r.id)
          ? [
              h('span', { class: 'badge declared', title: 'declared in the plan, not in SQLite' }, 'declared'),
              actionButton('trash', 'Undeclare', { 'data-action': 'undeclare-relationship', 'data-id': r.id }),
            ]
          : null,
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
  );
}

function junctionItems(d: DesignState): HTMLElement[] {
  return d.junctions.map((j) =>
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
        h('span', { class: 'dim' }, ` · junction table ${j.table}, ${plural(rowsOf(d, j.table), 'row')}`),
      ),
      selectOf(j.mode, junctionOptions(j), {
        'data-edit': 'junction',
        'data-table': j.table,
        'aria-label': `Mapping of junction table ${j.table}`,
      }),
    ),
  );
}

function tableCard(t: TableInfo, junctions: Set<string>): HTMLElement {
  return h(
    'article',
    { class: 'card table-card', 'data-table': t.name },
    h(
      'header',
      null,
      icon('table'),
      ' ',
      h('strong', null, t.name),
      h('span', { class: 'dim' }, ` · ${plural(t.rowCount, 'row')}`),
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
  );
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
      h('ul', { class: 'relationships' }, relationshipItems(d), junctionItems(d)),
    ),
    suggestionsView(d),
    h('h3', null, icon('database'), ' Tables'),
    d.schema.tables.map((t) => tableCard(t, junctions)),
    d.schema.views.length > 0
      ? h('p', { class: 'dim' }, `Views (not migrated): ${d.schema.views.map((v) => v.name).join(', ')}.`)
      : null,
  );
}

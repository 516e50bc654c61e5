/** The source part of the panel: the file, its tables and what happens to them. */
import type { SourceInspection } from '../../core';
import { h, icon, type Child } from '../common/dom';
import { bytes, fmt, plural } from '../common/format';

export function sourceView(ins: SourceInspection): HTMLElement {
  const becomes = (table: string): Child[] => {
    const c = ins.plan.collections.find((x) => x.table === table);
    if (c)
      return [
        icon('arrow-right', 'dim'),
        ' ',
        h(
          'a',
          {
            href: `#card-${c.collection}`,
            class: 'jump',
            'data-jump': c.collection,
            title: `Show the plan of ${c.collection}`,
          },
          c.collection,
        ),
      ];
    const s = ins.plan.skipped.find((x) => x.table === table);
    return [h('span', { class: 'dim' }, s ? s.reason : 'not migrated')];
  };
  const views = ins.schema.views.filter((v) => !ins.plan.collections.some((c) => c.table === v.name));
  return h(
    'div',
    null,
    h(
      'table',
      { class: 'grid', id: 'source-tables' },
      h(
        'thead',
        null,
        h('tr', null, h('th', null, 'Table'), h('th', { class: 'num' }, 'Rows'), h('th', null, 'Becomes')),
      ),
      h(
        'tbody',
        null,
        ins.schema.tables.map((t) =>
          h(
            'tr',
            { 'data-table': t.name },
            h('td', null, h('code', null, t.name)),
            h('td', { class: 'num' }, fmt(t.rowCount)),
            h('td', null, becomes(t.name)),
          ),
        ),
      ),
    ),
    views.length > 0
      ? h(
          'p',
          { class: 'dim', id: 'views-note' },
          `${views.length} view${views.length === 1 ? '' : 's'}, not migrated: ${views.map((v) => v.name).join(', ')}. Tick “Include views” in Options to make each a collection.`,
        )
      : null,
    ins.schema.tables.some((t) => t.rowCount === 0) ? h('p', { class: 'dim', id: 'empty-note' }, EMPTY_TABLES) : null,
    ins.walFramesApplied > 0
      ? h('p', { class: 'dim' }, `${fmt(ins.walFramesApplied)} committed WAL frames included.`)
      : null,
  );
}

/** What happens to a table without rows, said the same way wherever one shows. */
export const EMPTY_TABLES =
  'Tables without rows have nothing to copy: each becomes an empty collection, with its indexes, so the application finds it in place.';

export function sourceHeader(path: string, ins?: SourceInspection): Child[] {
  return [
    h('span', { class: 'path', title: path }, path),
    ins
      ? h('span', { class: 'dim' }, ` · ${bytes(ins.sizeBytes)} · ${plural(ins.schema.tables.length, 'table')}`)
      : null,
  ];
}

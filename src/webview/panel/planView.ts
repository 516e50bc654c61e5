/** The plan cards: one per collection, with its _id rule, fields and embeds; and their filter. */
import type { CollectionPlan, SourceInspection } from '../../core';
import { h, icon, jsonBlock, type Child } from '../common/dom';
import { plural, readableSample } from '../common/format';

function idRule(c: CollectionPlan): Child {
  switch (c.id.kind) {
    case 'column':
      return [h('code', null, '_id'), ' = column ', h('code', null, c.id.column)];
    case 'composite':
      return [
        h('code', null, '_id'),
        ' = { ',
        c.id.columns.map((col, i) => [i ? ', ' : '', h('code', null, col)]),
        ' } (composite key)',
      ];
    case 'rowid':
      return [h('code', null, '_id'), ' = ObjectId from rowid, kept as ', h('code', null, c.id.rowidField)];
  }
}

/** Which plan cards are open and which collections the filter keeps. */
export interface PlanViewOptions {
  open: ReadonlySet<string>;
  filter: string;
}

function planCard(ins: SourceInspection, c: CollectionPlan, open: boolean): HTMLElement {
  const rows = ins.schema.tables.find((t) => t.name === c.table)?.rowCount ?? 0;
  const embeds = c.embeds ?? [];
  const extras = [
    `${c.fields.length} field${c.fields.length === 1 ? '' : 's'}`,
    embeds.length + c.arrays.length > 0 ? `${embeds.length + c.arrays.length} embedded` : '',
    c.indexes.length > 0 ? `${c.indexes.length} index${c.indexes.length === 1 ? '' : 'es'}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    'details',
    { class: 'card collection', id: `card-${c.collection}`, 'data-collection': c.collection, open },
    h(
      'summary',
      null,
      icon('database'),
      ' ',
      h('strong', null, c.collection),
      h('span', { class: 'dim' }, ` ← ${c.table} · ${plural(rows, 'row')}${rows === 0 ? ' (empty)' : ''} · ${extras}`),
    ),
    h(
      'dl',
      null,
      h('dt', null, 'Key'),
      h('dd', null, idRule(c)),
      h('dt', null, 'Fields'),
      h(
        'dd',
        null,
        c.fields.length === 0
          ? h('span', { class: 'dim' }, 'none')
          : c.fields.map((f, i) => [
              i ? ', ' : '',
              h('code', null, f.field),
              f.type !== 'auto' ? h('span', { class: 'type' }, ` ${f.type}`) : null,
            ]),
      ),
      embeds.length > 0
        ? [
            h('dt', null, 'Embedded'),
            h(
              'dd',
              { class: 'embedded' },
              embeds.map((e, i) => [
                i ? '; ' : '',
                h('code', null, e.kind === 'array' ? `${e.field}[]` : e.field),
                e.merge ? ` fields merged from ${e.table}` : ` ${e.kind === 'array' ? 'rows' : 'row'} of ${e.table}`,
              ]),
            ),
          ]
        : null,
      c.arrays.length > 0
        ? [
            h('dt', null, 'Arrays'),
            h(
              'dd',
              null,
              c.arrays.map((a, i) => [
                i ? '; ' : '',
                h('code', null, `${a.field}[]`),
                ` from junction ${a.junctionTable}.${a.valueColumn}`,
              ]),
            ),
          ]
        : null,
      c.indexes.length > 0
        ? [
            h('dt', null, 'Indexes'),
            h(
              'dd',
              null,
              c.indexes.map((ix, i) => [
                i ? ', ' : '',
                h('code', null, ix.keys.map(([k, d]) => `${k}${d === -1 ? ' desc' : ''}`).join(', ')),
                ix.unique ? ' unique' : '',
              ]),
            ),
          ]
        : null,
    ),
    h(
      'div',
      { class: 'sample' },
      h('div', { class: 'dim sample-title' }, 'Sample document (first row)'),
      jsonBlock(readableSample(ins.samples[c.collection] ?? '(no sample)')),
    ),
  );
}

export function planView(ins: SourceInspection, opts: PlanViewOptions): HTMLElement {
  const filter = opts.filter.trim().toLowerCase();
  const shown = ins.plan.collections.filter(
    (c) => !filter || c.collection.toLowerCase().includes(filter) || c.table.toLowerCase().includes(filter),
  );
  const views = new Set(ins.schema.views.map((v) => v.name));
  const skipped = ins.plan.skipped.filter((s) => !views.has(s.table));
  return h(
    'div',
    null,
    ins.notes.length > 0
      ? h(
          'ul',
          { class: 'notes' },
          ins.notes.map((n) => h('li', null, icon('info'), ' ', n)),
        )
      : null,
    shown.map((c) => planCard(ins, c, opts.open.has(c.collection))),
    filter && shown.length === 0
      ? h('p', { class: 'dim' }, `No collection or table matches “${opts.filter.trim()}”.`)
      : null,
    skipped.length > 0
      ? h(
          'p',
          { class: 'dim', id: 'not-migrated' },
          'Not migrated as collections: ',
          skipped.map((s, i) => [i ? '; ' : '', h('code', null, s.table), ` (${s.reason})`]),
        )
      : null,
  );
}

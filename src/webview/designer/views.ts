/**
 * The designer's collection cards (right pane), rebuilt from the design whenever it changes. Every control carries
 * `data-edit` (a change) or `data-action` (a click) and the data its edit needs; ./edits.ts turns it into one
 * PlanEdit for the engine. The left pane is ./schemaView.ts.
 */
import type { CollectionPlan, DesignState, PlanWarning, TableInfo } from '../../core';
import { h, icon, jsonBlock } from '../common/dom';
import { plural, readableSample } from '../common/format';
import { warningList, textInput } from './controls';
import { embedsView } from './embeds';
import { fieldsTable } from './fieldsTable';
import { optionsBar } from './optionsBar';
import { isInlineWarning, jsonSchemaView, refusedNote, rulesView } from './rules';
import { warningsByCollection } from './state';

export { schemaView } from './schemaView';

function skippedCard(d: DesignState, t: TableInfo, include: HTMLInputElement, junction: boolean): HTMLElement {
  const skipped = d.plan.skipped.find((s) => s.table === t.name);
  return h(
    'article',
    { class: 'card collection skipped', 'data-table': t.name },
    h(
      'header',
      null,
      junction ? icon('arrow-both', 'dim') : include,
      ' ',
      h('code', null, t.name),
      h('span', { class: 'dim' }, ` · ${skipped?.reason ?? 'not migrated'}`),
    ),
  );
}

function collectionCard(
  d: DesignState,
  t: TableInfo,
  c: CollectionPlan,
  include: HTMLInputElement,
  warnings: PlanWarning[],
): HTMLElement {
  const warned = new Set(warnings.map((w) => w.field ?? ''));
  const filter = d.previews?.[c.collection]?.filter;
  const documents = filter && 'kept' in filter ? filter.kept : t.rowCount;
  return h(
    'article',
    {
      class: `card collection${warnings.some((w) => w.severity === 'error') ? ' has-error' : ''}`,
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
      textInput(c.collection, {
        class: 'collection-name',
        'data-edit': 'collection-name',
        'data-table': t.name,
        'aria-label': `Collection name for ${t.name}`,
      }),
      h('span', { class: 'dim' }, ` ← ${t.name} · ${plural(documents, 'document')}`),
    ),
    warningList(warnings.filter((w) => !isInlineWarning(w))),
    h(
      'details',
      { class: 'fields-details' },
      h('summary', null, `Fields (${c.fields.length} of ${plural(t.columns.length, 'column')})`),
      fieldsTable(d, c, warned),
    ),
    embedsView(d, c),
    rulesView(d, c, warnings),
    h(
      'div',
      { class: 'preview' },
      h('div', { class: 'dim preview-title' }, icon('eye'), ' Sample document (first row, as migrated)'),
      jsonBlock(readableSample(d.samples[c.collection] ?? '(no sample)')),
      refusedNote(d.previews?.[c.collection]),
      jsonSchemaView(c, d.previews?.[c.collection]),
    ),
  );
}

export function collectionsView(d: DesignState): HTMLElement {
  const byCollection = warningsByCollection(d.warnings);
  const junctions = new Set(d.junctions.filter((j) => j.mode !== 'collection').map((j) => j.table));
  return h(
    'div',
    null,
    optionsBar(d),
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
      return c
        ? collectionCard(d, t, c, include, byCollection.get(c.collection) ?? [])
        : skippedCard(d, t, include, junctions.has(t.name));
    }),
  );
}

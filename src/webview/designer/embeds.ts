/**
 * A collection's embedded data: embeds (with the embeds nested inside them, any depth: add one under an embed,
 * remove it) and junction arrays (elements as ids or as sub-documents of the referenced row).
 */
import type { ArrayFieldPlan, CollectionPlan, DesignState, EmbedPlan } from '../../core';
import { h, icon, type Child } from '../common/dom';
import { actionButton, selectOf, textInput } from './controls';

/** What can be embedded inside an embedded `e` (value `<as>|<relationship id>`): its own lookups and its children. */
export function nestedOptions(d: DesignState, e: EmbedPlan): Array<[string, string]> {
  const options: Array<[string, string]> = [];
  const used = new Set((e.embeds ?? []).map((x) => `${x.table}|${x.parentColumns.join(',')}`));
  for (const r of d.relationships) {
    // The join that brought e here is not offered back.
    const isOwnJoin =
      (e.kind === 'array' && r.child === e.table && r.columns.join() === e.childColumns.join()) ||
      (e.kind === 'document' && r.parent === e.table && r.refColumns.join() === e.childColumns.join());
    if (isOwnJoin) continue;
    if (r.child === e.table && !used.has(`${r.parent}|${r.columns.join(',')}`))
      options.push([`document|${r.id}`, `document: the ${r.parent} row ${r.columns.join(', ')} points to`]);
    if (r.parent === e.table && !used.has(`${r.child}|${r.refColumns.join(',')}`))
      options.push([`array|${r.id}`, `array: the ${r.child} rows pointing to it`]);
  }
  return options;
}

function embedText(e: EmbedPlan): string {
  const join = `${e.table}.${e.childColumns.join(', ')} = ${e.parentColumns.join(', ')}`;
  return e.kind === 'array' ? `array of the ${e.table} rows where ${join}` : `the ${e.table} row where ${join}`;
}

function embedItem(d: DesignState, c: CollectionPlan, e: EmbedPlan, path: string[]): HTMLElement {
  const here = [...path, e.field];
  const nested = path.length > 0;
  const choices = nestedOptions(d, e);
  const data = { 'data-collection': c.collection, 'data-field': e.field };
  return h(
    'li',
    { class: `embed${nested ? ' nested' : ''}`, 'data-embed': here.join('.') },
    h(
      'div',
      { class: 'embed-line' },
      icon(e.kind === 'array' ? 'symbol-array' : 'symbol-object'),
      e.merge
        ? h('span', null, `fields of ${embedText(e)}, merged as `, h('code', null, `${e.mergePrefix ?? ''}…`))
        : nested
          ? [h('code', null, e.field), h('span', { class: 'dim' }, embedText(e))]
          : [
              textInput(e.field, {
                class: 'embed-field',
                'data-edit': 'embed-field',
                ...data,
                'aria-label': `Name of the embedded ${e.table}`,
              }),
              h('span', { class: 'dim' }, embedText(e)),
            ],
      e.kind === 'array' && !nested
        ? selectOf(
            e.onTooLarge ?? 'fail',
            [
              ['fail', 'over 16 MiB: fail'],
              ['reference', 'over 16 MiB: keep ids'],
            ],
            { 'data-edit': 'embed-policy', ...data, class: 'policy', 'aria-label': 'Over 16 MiB' },
          )
        : null,
      nested
        ? actionButton('trash', 'Remove', {
            'data-action': 'nested-remove',
            'data-collection': c.collection,
            'data-path': JSON.stringify(here),
          })
        : null,
      !e.merge && choices.length > 0
        ? selectOf('', [['', `Embed in each ${e.table}…`], ...choices], {
            'data-edit': 'nested-embed',
            'data-collection': c.collection,
            'data-path': JSON.stringify(here),
            class: 'nested-add',
            'aria-label': `Embed inside ${here.join('.')}`,
          })
        : null,
    ),
    e.embeds?.length
      ? h(
          'ul',
          { class: 'embeds nested' },
          e.embeds.map((x) => embedItem(d, c, x, here)),
        )
      : null,
  );
}

function arrayItem(c: CollectionPlan, a: ArrayFieldPlan, referenced: string | undefined): HTMLElement {
  return h(
    'li',
    { class: 'array', 'data-array': a.field },
    h(
      'div',
      { class: 'embed-line' },
      icon('symbol-array'),
      h('code', null, `${a.field}[]`),
      h('span', { class: 'dim' }, `from junction ${a.junctionTable}.${a.valueColumn}`),
      referenced
        ? selectOf(
            a.valueDocument ? 'documents' : 'ids',
            [
              ['ids', 'elements: ids'],
              ['documents', `elements: ${referenced} sub-documents`],
            ],
            {
              'data-edit': 'junction-documents',
              'data-collection': c.collection,
              'data-field': a.field,
              'aria-label': `Elements of ${a.field}`,
            },
          )
        : null,
    ),
  );
}

/** The table a junction array's values reference (its elements' sub-documents come from there). */
function referencedTable(d: DesignState, a: ArrayFieldPlan): string | undefined {
  const junction = d.schema.tables.find((t) => t.name === a.junctionTable);
  return junction?.foreignKeys.find((f) => f.columns.length === 1 && f.columns[0] === a.valueColumn)?.refTable;
}

export function embedsView(d: DesignState, c: CollectionPlan): Child {
  if ((c.embeds?.length ?? 0) + c.arrays.length === 0) return null;
  return h(
    'ul',
    { class: 'embeds' },
    (c.embeds ?? []).map((e) => embedItem(d, c, e, [])),
    c.arrays.map((a) => arrayItem(c, a, referencedTable(d, a))),
  );
}

/**
 * A collection's rules beyond columns, with their effect: the row filter (rows kept and skipped), computed fields
 * (expression errors inline, rows refused among the first rows), and the generated `$jsonSchema` validator.
 */
import type { CollectionPlan, CollectionPreview, DesignState, PlanWarning } from '../../core';
import { h, icon, jsonBlock, type Child } from '../common/dom';
import { fmt, plural } from '../common/format';
import { actionButton, textInput } from './controls';

/** The plan check's sentence about computed field `field` starts like this (plan/checkRules.ts). */
const computedPrefix = (field: string) => `computed field ${JSON.stringify(field)}`;

/** Warnings shown next to their control (filter, computed fields) rather than in the card's list. */
export function isInlineWarning(w: PlanWarning): boolean {
  return w.kind === 'problem' && (w.message.startsWith('computed field ') || w.message.startsWith('filter'));
}

function inlineErrors(warnings: PlanWarning[], prefix: string): Child {
  const mine = warnings.filter((w) => w.kind === 'problem' && w.message.startsWith(prefix));
  if (mine.length === 0) return null;
  return h(
    'ul',
    { class: 'warnings inline' },
    mine.map((w) => h('li', { class: 'warning error', 'data-kind': 'problem' }, icon('error', 'bad'), ' ', w.message)),
  );
}

function filterSection(c: CollectionPlan, preview: CollectionPreview | undefined, warnings: PlanWarning[]) {
  const counts = preview?.filter;
  return h(
    'div',
    { class: 'rule filter-rule' },
    h('label', { class: 'rule-label' }, icon('filter'), ' Rows where (SQL)'),
    textInput(c.filter ?? '', {
      class: 'filter-input',
      placeholder: 'all rows, e.g. deleted_at IS NULL',
      'data-edit': 'filter',
      'data-collection': c.collection,
      'aria-label': `Row filter of ${c.collection}`,
    }),
    counts && 'kept' in counts
      ? h(
          'span',
          { class: 'dim filter-counts' },
          `keeps ${plural(counts.kept, 'row')}, skips ${plural(counts.skipped, 'row')}`,
        )
      : null,
    counts && 'error' in counts ? h('span', { class: 'bad filter-counts' }, counts.error) : null,
    inlineErrors(warnings, 'filter'),
  );
}

function computedRow(c: CollectionPlan, f: { field: string; expression: string }, warnings: PlanWarning[]) {
  const data = { 'data-collection': c.collection, 'data-field': f.field };
  return h(
    'li',
    { class: 'computed', 'data-computed': f.field },
    h(
      'div',
      { class: 'computed-row' },
      icon('symbol-operator', 'dim'),
      textInput(f.field, { class: 'computed-name', 'data-edit': 'computed-name', ...data, 'aria-label': 'Field' }),
      h('span', { class: 'dim' }, '='),
      textInput(f.expression, {
        class: 'computed-expression',
        'data-edit': 'computed-expression',
        ...data,
        'aria-label': `Expression of ${f.field}`,
      }),
      actionButton('trash', 'Remove', { 'data-action': 'computed-remove', ...data }),
    ),
    inlineErrors(warnings, computedPrefix(f.field)),
  );
}

export function refusedNote(preview: CollectionPreview | undefined): Child {
  const r = preview?.refused;
  if (!r || r.count === 0) return null;
  return h(
    'div',
    { class: 'result result-error refused', role: 'status' },
    icon('warning'),
    ` ${fmt(r.count)} of the first ${plural(r.checked, 'row')} ${r.count === 1 ? 'is' : 'are'} refused (the migration reports them like rows it cannot write):`,
    h(
      'ul',
      null,
      r.examples.map((x) => h('li', null, h('code', null, `key ${x.key}`), ` ${x.reason}`)),
    ),
  );
}

function computedSection(d: DesignState, c: CollectionPlan, warnings: PlanWarning[]): HTMLElement {
  const list = c.computed ?? [];
  return h(
    'div',
    { class: 'rule computed-rule' },
    h('div', { class: 'rule-label' }, icon('symbol-operator'), ` Computed fields (${list.length})`),
    d.expressionsEvaluated
      ? null
      : h(
          'p',
          { class: 'dim restricted' },
          icon('shield'),
          ' Restricted Mode: computed fields are shown but not run until you trust this workspace.',
        ),
    h(
      'ul',
      { class: 'computed-list' },
      list.map((f) => computedRow(c, f, warnings)),
    ),
    h(
      'div',
      { class: 'computed-add', 'data-collection': c.collection },
      textInput('', { class: 'new-computed-name', placeholder: 'field', 'aria-label': 'New computed field name' }),
      h('span', { class: 'dim' }, '='),
      textInput('', {
        class: 'new-computed-expression',
        placeholder: "expression, e.g. lower(email) or name || ' ' || city",
        'aria-label': 'New computed field expression',
      }),
      actionButton('add', 'Add', { 'data-action': 'computed-add', 'data-collection': c.collection }),
    ),
  );
}

/** The JSON Schema section, folded: its text is built when it is opened (see fillJsonSchema), not on every redraw. */
export function jsonSchemaView(c: CollectionPlan, preview: CollectionPreview | undefined): Child {
  if (!preview) return null;
  return h(
    'details',
    { class: 'json-schema', 'data-collection': c.collection },
    h('summary', null, icon('json'), ' JSON Schema ($jsonSchema validator)'),
  );
}

/** Shows the generated validator inside an opened JSON Schema section (once per redraw). */
export function fillJsonSchema(details: HTMLDetailsElement, d: DesignState): void {
  if (!details.open || details.querySelector('.schema-body')) return;
  const s = d.previews?.[details.dataset.collection ?? '']?.jsonSchema;
  if (!s) return;
  details.append(
    h(
      'div',
      { class: 'schema-body' },
      'error' in s
        ? h('p', { class: 'bad' }, `Cannot generate it: ${String(s.error)}`)
        : jsonBlock(JSON.stringify(s, null, 2)),
    ),
  );
}

/** "filter, 2 computed fields" — what a card's rules section holds, in its summary. */
export function rulesSummary(c: CollectionPlan): string {
  const n = c.computed?.length ?? 0;
  const parts = [c.filter ? 'row filter' : '', n ? `${n} computed field${n === 1 ? '' : 's'}` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
}

/** The filter and computed fields of one collection card, open when it has any (or an error in them). */
export function rulesView(d: DesignState, c: CollectionPlan, warnings: PlanWarning[]): HTMLElement {
  const used = !!c.filter || !!c.computed?.length || warnings.some(isInlineWarning);
  return h(
    'details',
    { class: 'rules-details', open: used },
    h('summary', null, `Row filter and computed fields (${rulesSummary(c)})`),
    filterSection(c, d.previews?.[c.collection], warnings),
    computedSection(d, c, warnings),
  );
}

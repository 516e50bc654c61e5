/** The plan-wide options above the collections: null handling, time zone of text dates, naming convention. */
import type { DesignState } from '../../core';
import { h, icon } from '../common/dom';
import { selectOf, textInput } from './controls';

const NAMING_OPTIONS: Array<[string, string]> = [
  ['as-is', 'names as in SQLite'],
  ['camelCase', 'camelCase names'],
  ['snake_case', 'snake_case names'],
];

/** IANA zone names for the time zone input's suggestions (the browser's list; UTC and an offset first). */
export function zoneNames(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return ['UTC', '+02:00', ...(intl.supportedValuesOf?.('timeZone') ?? []).filter((z) => z !== 'UTC')];
}

export function optionsBar(d: DesignState): HTMLElement {
  const o = d.plan.options;
  return h(
    'div',
    { id: 'plan-options', class: 'plan-options' },
    h(
      'label',
      null,
      icon('circle-slash', 'dim'),
      selectOf(
        o.nulls,
        [
          ['keep', 'nulls: keep field: null'],
          ['omit', 'nulls: omit the field'],
        ],
        { 'data-edit': 'option-nulls', 'aria-label': 'Null handling (plan-wide)' },
      ),
    ),
    h(
      'label',
      { title: 'Text dates without a zone are read in this time zone (IANA name like Europe/Paris, or +02:00)' },
      icon('globe', 'dim'),
      ' Time zone ',
      textInput(o.timezone, {
        class: 'timezone',
        list: 'zone-names',
        'data-edit': 'option-timezone',
        'aria-label': 'Time zone of text dates',
      }),
      h(
        'datalist',
        { id: 'zone-names' },
        zoneNames().map((z) => h('option', { value: z })),
      ),
    ),
    h(
      'label',
      null,
      icon('case-sensitive', 'dim'),
      selectOf(o.naming ?? 'as-is', NAMING_OPTIONS, {
        'data-edit': 'option-naming',
        'aria-label': 'Naming convention of collections and fields',
      }),
    ),
  );
}

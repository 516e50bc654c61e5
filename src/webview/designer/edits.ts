/**
 * What a designer control asks the engine to do: a change on a `data-edit` control or a click on a `data-action`
 * button becomes one PlanEdit (or nothing, e.g. an emptied name). Pure functions of the element and the design.
 */
import type { DesignState, FieldType, NamingConvention, PlanEdit } from '../../core';

type Control = HTMLInputElement | HTMLSelectElement;
type Mode<K extends PlanEdit['kind']> = Extract<PlanEdit, { kind: K }>;

function columnEdit(d: DOMStringMap, value: string, checked: boolean): PlanEdit | undefined {
  const at = { kind: 'column' as const, table: d.table!, column: d.column! };
  switch (d.edit) {
    case 'include-column':
      return { ...at, include: checked };
    case 'field-name':
      return value ? { ...at, field: value } : undefined;
    case 'field-type':
      return { ...at, type: value as FieldType };
    case 'field-nulls':
      return { ...at, nulls: value === 'keep' || value === 'omit' ? value : 'default' };
    case 'field-epoch':
      return { ...at, epoch: value === 'seconds' || value === 'milliseconds' ? value : 'none' };
  }
  return undefined;
}

function ruleEdit(el: Control, d: DOMStringMap, value: string): PlanEdit | undefined {
  switch (d.edit) {
    case 'filter':
      return { kind: 'filter', collection: d.collection!, filter: value };
    case 'computed-name':
      return value && value !== d.field
        ? {
            kind: 'computed',
            collection: d.collection!,
            field: d.field!,
            expression: siblingExpression(el),
            rename: value,
          }
        : undefined;
    case 'computed-expression':
      return value ? { kind: 'computed', collection: d.collection!, field: d.field!, expression: value } : undefined;
    case 'option-nulls':
      return { kind: 'options', nulls: value === 'omit' ? 'omit' : 'keep' };
    case 'option-timezone':
      return value ? { kind: 'options', timezone: value } : undefined;
    case 'option-naming':
      return { kind: 'options', naming: value as NamingConvention };
  }
  return undefined;
}

/** The expression next to a computed field's name input (a rename keeps it). */
function siblingExpression(el: Element): string {
  return el.closest('.computed')?.querySelector<HTMLInputElement>('.computed-expression')?.value ?? '';
}

function structureEdit(d: DOMStringMap, value: string, checked: boolean): PlanEdit | undefined {
  switch (d.edit) {
    case 'relationship':
      return { kind: 'relationship', id: d.id!, mode: value as Mode<'relationship'>['mode'] };
    case 'junction':
      return { kind: 'junction', table: d.table!, mode: value as Mode<'junction'>['mode'] };
    case 'include-table':
      return { kind: 'table', table: d.table!, include: checked };
    case 'collection-name':
      return value ? { kind: 'collectionName', table: d.table!, name: value } : undefined;
    case 'embed-field':
      return value ? { kind: 'embedField', collection: d.collection!, field: d.field!, name: value } : undefined;
    case 'embed-policy':
      return {
        kind: 'embedPolicy',
        collection: d.collection!,
        field: d.field!,
        onTooLarge: value === 'reference' ? 'reference' : 'fail',
      };
    case 'id-rule': {
      const [rule, ...column] = value.split(':');
      if (rule === 'column') return { kind: 'id', table: d.table!, rule: 'column', column: column.join(':') };
      return rule === 'composite' || rule === 'rowid' ? { kind: 'id', table: d.table!, rule } : undefined;
    }
    case 'nested-embed': {
      const [as, ...id] = value.split('|');
      if (as !== 'array' && as !== 'document') return undefined;
      const path = JSON.parse(d.path!) as string[];
      return { kind: 'nestedEmbed', collection: d.collection!, path, id: id.join('|'), as };
    }
    case 'junction-documents':
      return {
        kind: 'junctionDocuments',
        collection: d.collection!,
        field: d.field!,
        documents: value === 'documents',
      };
  }
  return undefined;
}

/** The edit a change on a `data-edit` control makes. */
export function editFor(el: Control): PlanEdit | undefined {
  const d = el.dataset;
  const checked = el instanceof HTMLInputElement && el.checked;
  const value = el.value.trim();
  return columnEdit(d, value, checked) ?? ruleEdit(el, d, value) ?? structureEdit(d, value, checked);
}

function declaredFromForm(button: Element): PlanEdit | undefined {
  const form = button.closest('#declare-relationship');
  const pick = (id: string) =>
    JSON.parse(form?.querySelector<HTMLSelectElement>(`#${id}`)?.value || 'null') as [string, string] | null;
  const from = pick('declare-from');
  const to = pick('declare-to');
  if (!from || !to) return undefined;
  return {
    kind: 'declareRelationship',
    relationship: { table: from[0], columns: [from[1]], refTable: to[0], refColumns: [to[1]] },
  };
}

/** The edit a click on a `data-action` button makes. */
export function actionFor(button: HTMLElement, design: DesignState | undefined): PlanEdit | undefined {
  const d = button.dataset;
  switch (d.action) {
    case 'accept-suggestion': {
      const s = design?.suggestions[Number(d.index)];
      return s
        ? {
            kind: 'declareRelationship',
            relationship: { table: s.table, columns: s.columns, refTable: s.refTable, refColumns: s.refColumns },
          }
        : undefined;
    }
    case 'reject-suggestion':
      return { kind: 'rejectRelationship', id: d.id! };
    case 'undeclare-relationship':
      return { kind: 'undeclareRelationship', id: d.id! };
    case 'declare-relationship':
      return declaredFromForm(button);
    case 'computed-remove':
      return { kind: 'computed', collection: d.collection!, field: d.field! };
    case 'computed-add': {
      const row = button.closest('.computed-add');
      const name = row?.querySelector<HTMLInputElement>('.new-computed-name')?.value.trim();
      const expression = row?.querySelector<HTMLInputElement>('.new-computed-expression')?.value.trim();
      return name && expression ? { kind: 'computed', collection: d.collection!, field: name, expression } : undefined;
    }
    case 'nested-remove':
      return { kind: 'removeNestedEmbed', collection: d.collection!, path: JSON.parse(d.path!) as string[] };
  }
  return undefined;
}

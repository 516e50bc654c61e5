/**
 * The mapping designer (browser code). Like the migration panel it talks to the host only through ./protocol.ts:
 * `ready` first, then edits by request id; each answer is a whole new design (plan, samples, warnings) that the
 * page is rebuilt from. Everything shown is kept in one state object persisted with setState.
 */
import type { PlanEdit } from '../../core';
import { button, byId, h, icon, replaceChildren } from '../common/dom';
import { errorNotice } from '../common/errorView';
import { bytes, plural } from '../common/format';
import { vscodeApi } from '../common/vscodeApi';
import { FromDesigner, ToDesigner, type FromDesignerMessage, type ToDesignerMessage } from './protocol';
import { initialDesignerState, planStatus, warningCounts, type DesignerViewState } from './state';
import { actionFor, editFor } from './edits';
import { fillJsonSchema } from './rules';
import { collectionsView, schemaView } from './views';

const vscode = vscodeApi<FromDesignerMessage, DesignerViewState & { openFields?: string[] }>();
const restored = vscode.getState();
const state: DesignerViewState = restored
  ? { ...initialDesignerState(), ...restored, busy: false }
  : initialDesignerState();
/** Tables whose field list is expanded. */
const openFields = new Set<string>(restored?.openFields ?? []);
let nextRequest = 1;
let latestRequest = 0;

function post(m: FromDesignerMessage): void {
  vscode.postMessage(m);
}

function save(): void {
  vscode.setState({ ...state, openFields: [...openFields] });
}

/** The table whose collection card an edit changes (shown once the new design arrives). */
let focusTable: string | undefined;

function tableAffectedBy(e: PlanEdit): string | undefined {
  const d = state.design;
  if (e.kind === 'relationship') {
    const r = d?.relationships.find((x) => x.id === e.id);
    if (!r) return undefined;
    return e.mode === 'array' || e.mode === 'array-keep' ? r.parent : r.child;
  }
  if (e.kind === 'junction')
    return d?.junctions.find((j) => j.table === e.table)?.[
      e.mode === 'other' ? 'other' : e.mode === 'collection' ? 'table' : 'owner'
    ];
  if (e.kind === 'id') return e.table;
  if ('collection' in e) return d?.plan.collections.find((c) => c.collection === e.collection)?.table;
  return undefined;
}

/** Brings the changed collection's card into view and marks it for a moment (with 13 tables, no hunting). */
function revealFocus(): void {
  const table = focusTable;
  focusTable = undefined;
  if (!table) return;
  const card = byId('collections-body').querySelector<HTMLElement>(`article[data-table="${CSS.escape(table)}"]`);
  if (!card) return;
  card.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  card.classList.add('flash');
  setTimeout(() => card.classList.remove('flash'), 1500);
}

function edit(e: PlanEdit): void {
  focusTable = tableAffectedBy(e);
  latestRequest = nextRequest++;
  state.busy = true;
  state.notice = undefined;
  state.savedMessage = undefined;
  post({ type: FromDesigner.edit, requestId: latestRequest, edit: e });
  renderHeader();
  byId('collections-body').classList.add('stale');
}

/** Sections of a card that stay open across redraws: the fields (keyed by table), rules and JSON Schema. */
const KEPT_OPEN = ['fields-details', 'rules-details', 'json-schema'];

function detailsKey(details: HTMLDetailsElement): string | undefined {
  const table = details.closest('[data-table]')?.getAttribute('data-table');
  const kind = KEPT_OPEN.find((k) => details.classList.contains(k));
  if (!table || !kind) return undefined;
  return kind === 'fields-details' ? table : `${kind}:${table}`;
}

function buildLayout(): void {
  replaceChildren(
    byId('app'),
    h(
      'header',
      { class: 'top one-line' },
      h(
        'div',
        { class: 'title' },
        h('h1', null, icon('type-hierarchy-sub'), ' Design mapping'),
        h('div', { id: 'source-path', class: 'subtitle' }),
      ),
      h(
        'div',
        { class: 'actions' },
        h('span', { id: 'plan-status', class: 'dim', role: 'status' }),
        button('revert', 'discard', 'Revert'),
        button('openPlan', 'go-to-file', 'Open plan file'),
        button('migrate', 'play', 'Migrate…'),
        button('save', 'save', 'Save plan', 'primary'),
      ),
    ),
    h('div', { id: 'notice' }),
    h(
      'div',
      { class: 'layout designer' },
      h('section', { id: 'schema' }, h('h2', null, 'SQLite schema'), h('div', { id: 'schema-body' })),
      h(
        'section',
        { id: 'collections' },
        h(
          'div',
          { class: 'section-head' },
          h('h2', null, 'MongoDB collections'),
          h('span', { id: 'warning-count', class: 'dim' }),
        ),
        h('div', { id: 'collections-body' }),
      ),
    ),
  );
  byId('save').addEventListener('click', () => {
    state.busy = true;
    renderHeader();
    post({ type: FromDesigner.save, requestId: nextRequest++ });
  });
  byId('revert').addEventListener('click', () => {
    latestRequest = nextRequest++;
    state.busy = true;
    renderHeader();
    post({ type: FromDesigner.revert, requestId: latestRequest });
  });
  byId('migrate').addEventListener('click', () => post({ type: FromDesigner.openMigration }));
  byId('openPlan').addEventListener('click', () => post({ type: FromDesigner.openPlanFile }));
  // One listener for every control: its data-edit says which edit it makes.
  byId('app').addEventListener('change', (ev) => {
    const el = ev.target as HTMLInputElement | HTMLSelectElement;
    // The new-computed-field inputs and the declare form wait for their button.
    if (!el.dataset?.edit) return;
    const e = editFor(el);
    if (e) edit(e);
  });
  byId('app').addEventListener('click', (ev) => {
    const button = (ev.target as Element).closest<HTMLElement>('button[data-action]');
    const e = button && !state.busy ? actionFor(button, state.design) : undefined;
    if (e) edit(e);
  });
  byId('app').addEventListener(
    'toggle',
    (ev) => {
      const details = ev.target as HTMLDetailsElement;
      if (state.design && details.classList.contains('json-schema')) fillJsonSchema(details, state.design);
      const key = detailsKey(details);
      if (!key) return;
      if ((ev.target as HTMLDetailsElement).open) openFields.add(key);
      else openFields.delete(key);
      save();
    },
    true,
  );
}

// ------------------------------------------------------------------------------------------------ render
function renderHeader(): void {
  const d = state.design;
  replaceChildren(
    byId('source-path'),
    h('span', { class: 'path', title: state.sourcePath }, state.sourcePath || '…'),
    d ? h('span', { class: 'dim' }, ` · ${bytes(d.sizeBytes)} · ${plural(d.schema.tables.length, 'table')}`) : null,
  );
  // One line whatever the status says: an icon and a short text, cut with an ellipsis, the whole text as tooltip.
  const status = byId('plan-status');
  const text = state.busy ? 'Updating…' : planStatus(state);
  status.title = text;
  replaceChildren(
    status,
    state.busy ? icon('loading', 'codicon-modifier-spin') : icon(state.dirty ? 'circle-filled' : 'check'),
    h('span', { class: 'status-text' }, text),
  );
  status.dataset.dirty = String(state.dirty);
  byId<HTMLButtonElement>('save').disabled = state.busy || !d || !state.dirty;
  byId<HTMLButtonElement>('revert').disabled = state.busy || !state.dirty;
  byId<HTMLButtonElement>('openPlan').hidden = !state.planFileExists;
  if (d) {
    const n = warningCounts(d.warnings);
    byId('warning-count').replaceChildren(
      ...(n.errors + n.warnings === 0
        ? [icon('pass', 'ok'), ' no warnings']
        : [
            n.errors ? icon('error', 'bad') : icon('warning', 'warn'),
            ` ${n.errors ? `${n.errors} error${n.errors === 1 ? '' : 's'}, ` : ''}${n.warnings} warning${n.warnings === 1 ? '' : 's'}`,
          ]),
    );
  }
}

function render(): void {
  renderHeader();
  const notice = state.error
    ? errorNotice(state.error)
    : state.notice
      ? h('div', { class: 'result result-error', role: 'alert', id: 'edit-error' }, icon('warning'), ' ', state.notice)
      : null;
  replaceChildren(byId('notice'), notice);
  const d = state.design;
  if (!d) {
    replaceChildren(
      byId('schema-body'),
      h('p', { class: 'dim' }, icon('loading', 'codicon-modifier-spin'), ' Reading the schema…'),
    );
    replaceChildren(byId('collections-body'), h('p', { class: 'dim' }, 'Building the plan…'));
    return;
  }
  replaceChildren(byId('schema-body'), schemaView(d));
  const body = byId('collections-body');
  replaceChildren(body, collectionsView(d));
  body.classList.toggle('stale', state.busy);
  body.querySelectorAll<HTMLDetailsElement>('details').forEach((details) => {
    const key = detailsKey(details);
    if (key && openFields.has(key)) details.open = true;
    if (details.classList.contains('json-schema')) fillJsonSchema(details, d);
  });
}

// ------------------------------------------------------------------------------------------------ messages
function onMessage(m: ToDesignerMessage): void {
  switch (m.type) {
    case ToDesigner.init:
      state.sourcePath = m.sourcePath;
      state.planFile = m.planFile;
      state.planFileExists = m.planFileExists;
      // A tab shown again already shows its design (restored state, then the host's copy): no "Updating…" for it.
      state.busy = !state.design;
      break;
    case ToDesigner.design:
      // Edits are answered in order: only the newest answer is shown.
      if (m.requestId !== 0 && m.requestId !== latestRequest) return;
      state.busy = false;
      if (m.ok) {
        state.design = m.design;
        state.dirty = m.dirty;
        state.error = undefined;
        state.notice = m.design.editError;
      } else state.error = m.error;
      break;
    case ToDesigner.saved:
      state.busy = false;
      if (m.ok) {
        state.dirty = false;
        state.planFileExists = true;
        state.planFile = m.planFile;
        state.savedMessage = `Saved to ${m.planFile}`;
      } else state.error = m.error;
      break;
  }
  save();
  render();
  if (m.type === ToDesigner.design && !state.busy) revealFocus();
}

window.addEventListener('message', (e: MessageEvent<ToDesignerMessage>) => onMessage(e.data));

buildLayout();
render();
post({ type: FromDesigner.ready, restored: !!restored, plan: restored?.design?.plan, dirty: restored?.dirty });

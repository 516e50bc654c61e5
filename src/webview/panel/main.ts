/**
 * The migration panel (browser code). It talks to the extension host only through ./protocol.ts: it posts `ready`
 * first, then requests by id; it keeps everything it shows in one state object persisted with setState.
 */
import type { IfExists } from '../../core';
import { hasPassword } from '../../core/maskUrl';
import { button, byId, h, icon, replaceChildren } from '../common/dom';
import { vscodeApi } from '../common/vscodeApi';
import { FromPanel, ToPanel, type FromPanelMessage, type PlanSettings, type ToPanelMessage } from './protocol';
import { applyDefaults, applyRunEvent, finishRun, initialState, interruptRun, newRun, type FormState, type ViewState } from './state';
import { connectionView, planView, progressView, sourceHeader, sourceView, summaryView } from './views';

const vscode = vscodeApi<FromPanelMessage, ViewState>();
const restored = vscode.getState();
const state: ViewState = restored ? { ...initialState(), ...restored, inspecting: false } : initialState();
let nextRequest = 1;
const pending = new Map<number, string>();

function post(m: FromPanelMessage): void {
  vscode.postMessage(m);
}

function request(kind: string): number {
  const id = nextRequest++;
  pending.set(id, kind);
  return id;
}

/** Persists the state; the URL only when it has no password (secrets stay in the host's SecretStorage). */
function save(): void {
  const form = { ...state.form, url: hasPassword(state.form.url) ? '' : state.form.url };
  vscode.setState({ ...state, form });
}

let saveTimer: ReturnType<typeof setTimeout> | undefined;
function saveSoon(): void {
  saveTimer ??= setTimeout(() => {
    saveTimer = undefined;
    save();
  }, 500);
}

function planSettings(f: FormState): PlanSettings {
  return { nulls: f.nulls, detectTextDates: f.detectTextDates, timezone: f.timezone.trim() || 'UTC' };
}

// ------------------------------------------------------------------------------------------------ layout
function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  return h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hint ? h('div', { class: 'field-hint' }, hint) : null);
}

function select(id: string, options: Array<[string, string]>): HTMLSelectElement {
  return h('select', { id }, options.map(([value, text]) => h('option', { value }, text)));
}

function checkbox(id: string, label: string, hint?: string): HTMLElement {
  return h('div', { class: 'check' }, h('input', { type: 'checkbox', id }), h('label', { for: id }, label), hint ? h('div', { class: 'field-hint' }, hint) : null);
}

function buildLayout(): void {
  const app = byId('app');
  replaceChildren(
    app,
    h('header', { class: 'top' },
      h('div', { class: 'title' }, h('h1', null, icon('database'), ' Migrate to MongoDB'), h('div', { id: 'source-path', class: 'subtitle' })),
      h('div', { class: 'actions' }, h('span', { id: 'start-hint', class: 'dim' }), button('cancel', 'debug-stop', 'Cancel'), button('start', 'play', 'Start migration', 'primary')),
    ),
    h('section', { id: 'run', hidden: true },
      h('h2', null, 'Migration'),
      h('div', { id: 'run-status', role: 'status' }),
      h('div', { id: 'run-steps' }),
      h('div', { id: 'run-summary' }),
      h('div', { id: 'run-logs' }),
      h('div', { class: 'row', id: 'run-actions' }, button('openReport', 'json', 'Open report'), button('showValidation', 'list-tree', 'Show validation'), button('showLog', 'output', 'Show log'), button('keepInSync', 'sync', 'Keep in Sync')),
    ),
    h('div', { class: 'layout' },
      h('div', { class: 'col' },
        h('section', { id: 'source' }, h('h2', null, 'Source'), h('div', { id: 'source-body' })),
        h('section', { id: 'target' },
          h('h2', null, 'MongoDB target'),
          h('div', { id: 'recent-row', class: 'field' }, h('label', { for: 'recent' }, 'Recent connections'), h('select', { id: 'recent' })),
          field('Connection string', h('input', { id: 'url', type: 'text', spellcheck: 'false', autocomplete: 'off', placeholder: 'mongodb://user:password@host:27017/?authSource=admin' }), 'Stored in VS Code’s secret storage, never in settings; logs show it with the password masked.'),
          field('Database', h('input', { id: 'database', type: 'text', spellcheck: 'false', autocomplete: 'off' })),
          h('div', { class: 'row' }, button('test', 'plug', 'Test connection')),
          h('div', { id: 'connection-result' }),
        ),
        h('section', { id: 'options' },
          h('h2', null, 'Options'),
          h('div', { class: 'options-grid' },
            field('Batch size', h('input', { id: 'batchSize', type: 'number', min: 1, step: 100 }), 'Documents per bulk write'),
            field('If collections exist', select('ifExists', [['ask', 'Ask'], ['drop', 'Drop and replace'], ['append', 'Append'], ['upsert', 'Upsert by _id'], ['fail', 'Fail (write nothing)']])),
            field('Null values', select('nulls', [['keep', 'Keep as null'], ['omit', 'Omit the field']])),
            field('Refused rows', select('onError', [['stop', 'Stop the migration'], ['skip', 'Skip and list them']])),
            field('Time zone of text dates', h('input', { id: 'timezone', type: 'text', spellcheck: 'false', placeholder: 'UTC, +02:00 or Europe/Paris' })),
          ),
          checkbox('detectTextDates', 'Detect dates stored as text'),
          checkbox('dryRun', 'Dry run', 'Read, convert and report everything; write nothing to MongoDB.'),
          checkbox('keepFile', 'Keep the intermediate file'),
          h('div', { id: 'output-row', class: 'row' }, h('input', { id: 'outputFile', type: 'text', spellcheck: 'false', 'aria-label': 'Intermediate file' }), button('browse', 'folder-opened', 'Browse…')),
        ),
      ),
      h('div', { class: 'col' },
        h('section', { id: 'plan' },
          h('div', { class: 'section-head' }, h('h2', null, 'Mapping plan'), button('design', 'type-hierarchy-sub', 'Design mapping…')),
          h('div', { id: 'plan-file' }),
          h('div', { id: 'plan-body' }),
        ),
      ),
    ),
  );
}

// ------------------------------------------------------------------------------------------------ form
const input = (id: string) => byId<HTMLInputElement>(id);
const selectEl = (id: string) => byId<HTMLSelectElement>(id);

function writeForm(): void {
  const f = state.form;
  input('url').value = f.url;
  input('database').value = f.database;
  input('batchSize').value = String(f.batchSize);
  selectEl('ifExists').value = f.ifExists;
  selectEl('nulls').value = f.nulls;
  selectEl('onError').value = f.onError;
  input('timezone').value = f.timezone;
  input('detectTextDates').checked = f.detectTextDates;
  input('dryRun').checked = f.dryRun;
  input('keepFile').checked = f.keepFile;
  input('outputFile').value = f.outputFile;
}

function wireForm(): void {
  const onInput = (id: string, apply: (el: HTMLInputElement) => void, event: 'input' | 'change' = 'input') =>
    input(id).addEventListener(event, () => {
      apply(input(id));
      save();
      renderControls();
    });
  onInput('url', (el) => {
    state.form.url = el.value.trim();
    state.form.targetId = undefined;
    state.connection = undefined;
    renderConnection();
  });
  onInput('database', (el) => {
    state.form.database = el.value.trim();
    state.connection = undefined;
    renderConnection();
  });
  onInput('batchSize', (el) => (state.form.batchSize = Math.max(1, Math.floor(Number(el.value) || 1000))), 'change');
  onInput('dryRun', (el) => (state.form.dryRun = el.checked), 'change');
  onInput('keepFile', (el) => (state.form.keepFile = el.checked), 'change');
  onInput('outputFile', (el) => (state.form.outputFile = el.value.trim()));
  const planChanged = () => {
    save();
    inspect();
  };
  selectEl('ifExists').addEventListener('change', () => {
    state.form.ifExists = selectEl('ifExists').value as IfExists;
    save();
    renderConnection();
  });
  selectEl('onError').addEventListener('change', () => {
    state.form.onError = selectEl('onError').value === 'skip' ? 'skip' : 'stop';
    save();
  });
  selectEl('nulls').addEventListener('change', () => {
    state.form.nulls = selectEl('nulls').value === 'omit' ? 'omit' : 'keep';
    planChanged();
  });
  input('detectTextDates').addEventListener('change', () => {
    state.form.detectTextDates = input('detectTextDates').checked;
    planChanged();
  });
  input('timezone').addEventListener('change', () => {
    state.form.timezone = input('timezone').value.trim() || 'UTC';
    planChanged();
  });
  selectEl('recent').addEventListener('change', () => {
    const id = selectEl('recent').value;
    if (id) post({ type: FromPanel.useRecentTarget, requestId: request('recent'), targetId: id });
  });
  byId('test').addEventListener('click', () => {
    if (!state.form.url) return;
    state.connection = { phase: 'testing' };
    renderConnection();
    post({ type: FromPanel.testConnection, requestId: request('test'), url: state.form.url, database: state.form.database });
  });
  byId('browse').addEventListener('click', () => post({ type: FromPanel.pickOutputFile, requestId: request('browse'), current: state.form.outputFile }));
  byId('start').addEventListener('click', start);
  byId('cancel').addEventListener('click', () => {
    if (state.run?.phase !== 'running') return;
    state.run.phase = 'cancelling';
    post({ type: FromPanel.cancel });
    render();
  });
  byId('openReport').addEventListener('click', () => {
    if (state.run?.reportUri) post({ type: FromPanel.openReport, reportUri: state.run.reportUri });
  });
  byId('showValidation').addEventListener('click', () => post({ type: FromPanel.showValidation }));
  byId('showLog').addEventListener('click', () => post({ type: FromPanel.showLog }));
  byId('design').addEventListener('click', () => post({ type: FromPanel.openDesigner }));
  byId('keepInSync').addEventListener('click', () => post({ type: FromPanel.keepInSync }));
}

function start(): void {
  const f = state.form;
  if (!canStart()) return;
  post({
    type: FromPanel.start,
    request: {
      url: f.url,
      database: f.database,
      batchSize: f.batchSize,
      ifExists: f.ifExists,
      onError: f.onError,
      dryRun: f.dryRun,
      outputFile: f.keepFile && f.outputFile ? f.outputFile : undefined,
      plan: planSettings(f),
    },
  });
}

function running(): boolean {
  return state.run?.phase === 'running' || state.run?.phase === 'cancelling';
}

function canStart(): boolean {
  return !!state.sourcePath && !!state.inspection && !state.inspecting && !!state.form.url && !!state.form.database && !running() && (!state.form.keepFile || !!state.form.outputFile);
}

function inspect(): void {
  if (!state.sourcePath) return;
  state.inspecting = true;
  renderSource();
  post({ type: FromPanel.inspect, requestId: request('inspect'), plan: planSettings(state.form) });
}

// ------------------------------------------------------------------------------------------------ render
function renderControls(): void {
  const busy = running();
  for (const id of ['url', 'database', 'batchSize', 'ifExists', 'nulls', 'onError', 'timezone', 'detectTextDates', 'dryRun', 'keepFile', 'outputFile', 'browse', 'recent']) {
    (byId(id) as HTMLInputElement).disabled = busy;
  }
  byId<HTMLButtonElement>('test').disabled = busy || !state.form.url || state.connection?.phase === 'testing';
  byId('output-row').hidden = !state.form.keepFile;
  const start = byId<HTMLButtonElement>('start');
  start.disabled = !canStart();
  start.querySelector('span:last-child')!.textContent = state.form.dryRun ? 'Start dry run' : 'Start migration';
  const cancel = byId<HTMLButtonElement>('cancel');
  cancel.hidden = !busy;
  cancel.disabled = state.run?.phase !== 'running';
  const hint = !state.inspection
    ? state.inspectionError ? 'The source cannot be read.' : 'Reading the source…'
    : !state.form.url ? 'Enter a connection string.' : !state.form.database ? 'Enter a database name.' : busy ? '' : '';
  byId('start-hint').textContent = hint;
  const recent = selectEl('recent');
  byId('recent-row').hidden = state.recentTargets.length === 0;
  recent.replaceChildren(
    h('option', { value: '' }, `${state.recentTargets.length} saved connection${state.recentTargets.length === 1 ? '' : 's'}…`),
    ...state.recentTargets.map((t) => h('option', { value: t.id }, `${t.label} · ${t.database}`)),
  );
  recent.value = '';
}

function renderSource(): void {
  replaceChildren(byId('source-path'), sourceHeader(state.sourcePath || '…', state.inspection));
  const body = byId('source-body');
  if (state.inspectionError) {
    replaceChildren(body, h('div', { class: 'result result-error', role: 'alert' }, icon('error'), ' ', state.inspectionError.message, state.inspectionError.hint ? h('div', { class: 'hint' }, state.inspectionError.hint) : null));
    replaceChildren(byId('plan-body'), h('p', { class: 'dim' }, 'No plan: the source cannot be read.'));
    return;
  }
  if (!state.inspection) {
    replaceChildren(body, h('p', { class: 'dim' }, icon('loading', 'codicon-modifier-spin'), ' Reading tables…'));
    replaceChildren(byId('plan-body'), h('p', { class: 'dim' }, 'Building the plan…'));
    return;
  }
  replaceChildren(body, sourceView(state.inspection));
  replaceChildren(byId('plan-file'), state.planFile
    ? h('div', { class: 'result result-ok', id: 'plan-file-note', role: 'status' }, icon('file-code'), ' ', h('span', null, 'Using plan ', h('code', null, state.planFile)),
        h('div', { class: 'hint' }, 'Saved by the mapping designer; its own null, date and time-zone settings apply.'))
    : null);
  const plan = planView(state.inspection);
  plan.classList.toggle('stale', state.inspecting);
  replaceChildren(byId('plan-body'), plan);
}

function renderConnection(): void {
  replaceChildren(byId('connection-result'), connectionView(state.connection, state.form));
  renderControls();
}

function renderRun(): void {
  const run = state.run;
  const section = byId('run');
  section.hidden = !run;
  if (!run) return;
  const status = byId('run-status');
  const text =
    run.phase === 'running' ? 'Running…' : run.phase === 'cancelling' ? 'Cancelling… (stopping at the next safe point)' : run.phase === 'interrupted' ? 'Interrupted: the window was reloaded while this migration ran. Resume it from the History view (Migration sidebar) to finish without duplicates.' : '';
  status.textContent = text;
  status.dataset.phase = run.phase;
  status.hidden = !text;
  replaceChildren(byId('run-steps'), progressView(run));
  replaceChildren(byId('run-summary'), summaryView(run));
  const issues = run.logs.filter((l) => l.level !== 'info').slice(-5);
  replaceChildren(byId('run-logs'), issues.length > 0 && run.phase !== 'finished' ? h('ul', { class: 'issues' }, issues.map((l) => h('li', null, icon(l.level === 'error' ? 'error' : 'warning', l.level === 'error' ? 'bad' : 'warn'), ` ${l.message}`))) : null);
  byId('run-actions').hidden = run.phase !== 'finished';
  byId('openReport').hidden = !run.reportUri;
  byId('showValidation').hidden = !run.report?.collections.some((c) => c.validation);
  byId('keepInSync').hidden = run.report?.status !== 'succeeded' || !!run.report.options.dryRun;
}

function render(): void {
  renderSource();
  renderConnection();
  renderRun();
  renderControls();
}

// ------------------------------------------------------------------------------------------------ messages
function onMessage(m: ToPanelMessage): void {
  switch (m.type) {
    case ToPanel.init: {
      const fresh = state.sourcePath !== m.sourcePath;
      state.sourcePath = m.sourcePath;
      state.recentTargets = m.recentTargets;
      if (fresh || !state.defaultsApplied) applyDefaults(state, m.defaults, m.defaultDatabase, m.defaultOutputFile);
      if (fresh && m.recentTargets.length > 0 && state.form.url === 'mongodb://localhost:27017') {
        // Offer the most recent target again.
        post({ type: FromPanel.useRecentTarget, requestId: request('recent'), targetId: m.recentTargets[0].id });
      } else if (!state.form.url && state.form.targetId) {
        post({ type: FromPanel.useRecentTarget, requestId: request('recent'), targetId: state.form.targetId });
      }
      if (state.run && (state.run.phase === 'running' || state.run.phase === 'cancelling') && m.activeRunId !== state.run.runId) interruptRun(state.run);
      writeForm();
      inspect();
      break;
    }
    case ToPanel.inspection:
      if (!pending.delete(m.requestId)) return;
      if ([...pending.values()].includes('inspect')) return; // a newer request is on its way
      state.inspecting = false;
      if (m.ok) {
        state.inspection = m.inspection;
        state.planFile = m.planFile;
        state.inspectionError = undefined;
      } else {
        state.inspection = undefined;
        state.inspectionError = m.error;
      }
      break;
    case ToPanel.planChanged:
      inspect();
      return;
    case ToPanel.connectionResult:
      if (!pending.delete(m.requestId)) return;
      state.connection = m.ok ? { phase: 'ok', serverVersion: m.serverVersion, existingCollections: m.existingCollections, database: state.form.database } : { phase: 'failed', error: m.error };
      break;
    case ToPanel.outputFilePicked:
      if (!pending.delete(m.requestId) || !m.path) return;
      state.form.outputFile = m.path;
      writeForm();
      break;
    case ToPanel.targetUrl:
      if (!pending.delete(m.requestId) || !m.url) return;
      state.form.url = m.url;
      state.form.targetId = m.targetId;
      if (m.database) state.form.database = m.database;
      state.connection = undefined;
      writeForm();
      break;
    case ToPanel.runStarted:
      state.run = newRun(m.runId, m.steps);
      window.scrollTo({ top: 0, behavior: 'smooth' });
      break;
    case ToPanel.runEvent:
      if (state.run?.runId !== m.runId) return;
      applyRunEvent(state.run, m.event);
      // Progress comes up to ten times a second per step: redraw only the run, persist a little later.
      saveSoon();
      renderRun();
      return;
    case ToPanel.runFinished:
      if (state.run?.runId !== m.runId) return;
      if (m.ok) {
        state.run.reportUri = m.reportUri;
        finishRun(state.run, m.report);
      } else finishRun(state.run, undefined, m.error);
      break;
  }
  save();
  render();
}

window.addEventListener('message', (e: MessageEvent<ToPanelMessage>) => onMessage(e.data));

buildLayout();
wireForm();
if (restored) {
  writeForm();
  render();
}
post({ type: FromPanel.ready, restored: !!restored });

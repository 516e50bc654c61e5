/**
 * The migration panel (browser code). It talks to the extension host only through ./protocol.ts: it posts `ready`
 * first, then requests by id; it keeps everything it shows in one state object persisted with setState.
 */
import type { IfExists } from '../../core';
import { hasPassword } from '../../core/maskUrl';
import { byId, h, icon, replaceChildren } from '../common/dom';
import { vscodeApi } from '../common/vscodeApi';
import { FromPanel, ToPanel, type FromPanelMessage, type PlanSettings, type ToPanelMessage } from './protocol';
import { applyDefaults, applyRunEvent, endedBeforeAnyStep, finishRun, initialState, interruptRun, isConnecting, newRun, openCardsOf, type FormState, type RunView, type ViewState } from './state';
import { buildLayout } from './layout';
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
  return { nulls: f.nulls, detectTextDates: f.detectTextDates, timezone: f.timezone.trim() || 'UTC', includeViews: f.includeViews };
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
  input('connectTimeout').value = String(f.connectTimeoutSeconds);
  input('includeViews').checked = f.includeViews;
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
    clearFinishedRun();
    renderConnection();
  });
  onInput('database', (el) => {
    state.form.database = el.value.trim();
    state.connection = undefined;
    clearFinishedRun();
    renderConnection();
  });
  onInput('batchSize', (el) => (state.form.batchSize = Math.max(1, Math.floor(Number(el.value) || 1000))), 'change');
  onInput('dryRun', (el) => (state.form.dryRun = el.checked), 'change');
  onInput('connectTimeout', (el) => (state.form.connectTimeoutSeconds = Math.min(300, Math.max(1, Math.round(Number(el.value) || 10)))), 'change');
  onInput('keepFile', (el) => (state.form.keepFile = el.checked), 'change');
  onInput('outputFile', (el) => (state.form.outputFile = el.value.trim()));
  const planChanged = () => {
    clearFinishedRun();
    save();
    inspect();
  };
  input('includeViews').addEventListener('change', () => {
    state.form.includeViews = input('includeViews').checked;
    planChanged();
  });
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
    post({ type: FromPanel.testConnection, requestId: request('test'), url: state.form.url, database: state.form.database, timeoutMs: state.form.connectTimeoutSeconds * 1000 });
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
  wirePlanTools();
}

/** The plan's filter, Expand/Collapse all, cards opened by hand, and the source table's jump links. */
function wirePlanTools(): void {
  input('planFilter').addEventListener('input', () => {
    state.planFilter = input('planFilter').value;
    saveSoon();
    renderPlan();
  });
  const setAll = (open: boolean) => {
    state.openCards = open ? (state.inspection?.plan.collections.map((c) => c.collection) ?? []) : [];
    save();
    renderPlan();
  };
  byId('expandAll').addEventListener('click', () => setAll(true));
  byId('collapseAll').addEventListener('click', () => setAll(false));
  byId('plan-body').addEventListener('toggle', (ev) => {
    const card = ev.target as HTMLElement;
    const name = card.dataset?.collection;
    if (!name) return;
    const open = openCardsOf(state);
    if ((card as HTMLDetailsElement).open) open.add(name);
    else open.delete(name);
    state.openCards = [...open];
    saveSoon();
  }, true);
  byId('source-body').addEventListener('click', (ev) => {
    const link = (ev.target as HTMLElement).closest<HTMLElement>('[data-jump]');
    if (!link) return;
    ev.preventDefault();
    jumpToCard(link.dataset.jump!);
  });
}

/** Opens a collection's plan card (clearing a filter that hides it), scrolls to it and marks it for a moment. */
function jumpToCard(collection: string): void {
  state.openCards = [...openCardsOf(state).add(collection)];
  if (state.planFilter) {
    state.planFilter = '';
    input('planFilter').value = '';
  }
  save();
  renderPlan();
  const card = document.getElementById(`card-${collection}`);
  if (!card) return;
  card.scrollIntoView({ block: 'start', behavior: 'smooth' });
  card.classList.add('flash');
  setTimeout(() => card.classList.remove('flash'), 1500);
}

/** A finished run's results no longer describe what Start would do once the plan or target changed. */
function clearFinishedRun(): void {
  if (state.run && (state.run.phase === 'finished' || state.run.phase === 'interrupted')) {
    state.run = undefined;
    renderRun();
  }
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
      connectTimeoutMs: f.connectTimeoutSeconds * 1000,
      plan: planSettings(f),
    },
  });
  // The previous run's results go at once: the new run's steps replace them when the host confirms the start.
  clearFinishedRun();
  renderControls();
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
  for (const id of ['url', 'database', 'batchSize', 'ifExists', 'nulls', 'onError', 'timezone', 'connectTimeout', 'detectTextDates', 'includeViews', 'dryRun', 'keepFile', 'outputFile', 'browse', 'recent']) {
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
  renderPlan();
}

function renderPlan(): void {
  if (!state.inspection) return;
  const plan = planView(state.inspection, { open: openCardsOf(state), filter: state.planFilter });
  plan.classList.toggle('stale', state.inspecting);
  replaceChildren(byId('plan-body'), plan);
  byId('plan-tools').hidden = state.inspection.plan.collections.length < 2;
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
  const connecting = isConnecting(run);
  tickWhileConnecting(connecting);
  const text =
    connecting ? connectingText(run) : run.phase === 'running' ? 'Running…' : run.phase === 'cancelling' ? 'Cancelling… (stopping at the next safe point)' : run.phase === 'interrupted' ? 'Interrupted: the window was reloaded while this migration ran. Resume it from the History view (Migration sidebar) to finish without duplicates.' : '';
  status.textContent = text;
  status.dataset.phase = connecting ? 'connecting' : run.phase;
  status.hidden = !text;
  // A run that ended before any step (server unreachable…) is its error alone: no table of zeros and dashes.
  replaceChildren(byId('run-steps'), endedBeforeAnyStep(run) ? null : progressView(run));
  replaceChildren(byId('run-summary'), summaryView(run, state.historyCollection));
  const issues = run.logs.filter((l) => l.level !== 'info').slice(-5);
  replaceChildren(byId('run-logs'), issues.length > 0 && run.phase !== 'finished' ? h('ul', { class: 'issues' }, issues.map((l) => h('li', null, icon(l.level === 'error' ? 'error' : 'warning', l.level === 'error' ? 'bad' : 'warn'), ` ${l.message}`))) : null);
  byId('run-actions').hidden = run.phase !== 'finished';
  byId('openReport').hidden = !run.reportUri;
  byId('showValidation').hidden = !run.report?.collections.some((c) => c.validation);
}

function connectingText(run: RunView): string {
  const seconds = Math.max(0, Math.floor((Date.now() - run.startedAt) / 1000));
  const where = run.target ? `${run.target.host}` : 'the MongoDB server';
  return `Connecting to ${where}… ${seconds} s (waits up to ${state.form.connectTimeoutSeconds} s; Cancel stops it now)`;
}

let connectingTicker: ReturnType<typeof setInterval> | undefined;
/** While connecting, the elapsed time goes up every second (nothing else would redraw the run). */
function tickWhileConnecting(connecting: boolean): void {
  if (connecting && !connectingTicker) {
    connectingTicker = setInterval(() => {
      if (state.run && isConnecting(state.run)) byId('run-status').textContent = connectingText(state.run);
      else tickWhileConnecting(false);
    }, 1000);
  } else if (!connecting && connectingTicker) {
    clearInterval(connectingTicker);
    connectingTicker = undefined;
  }
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
      state.historyCollection = m.historyCollection;
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
      clearFinishedRun();
      save();
      inspect();
      return;
    case ToPanel.connectionResult:
      if (!pending.delete(m.requestId)) return;
      state.connection = m.ok
        ? { phase: 'ok', serverVersion: m.serverVersion, existingCollections: m.existingCollections, database: state.form.database, historyRuns: m.historyRuns, historyCollection: state.historyCollection }
        : { phase: 'failed', error: m.error };
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
      state.run = newRun(m.runId, m.steps, m.target);
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

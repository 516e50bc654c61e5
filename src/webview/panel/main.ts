/**
 * The migration panel (browser code). It talks to the extension host only through ./protocol.ts: it posts `ready`
 * first, then requests by id; it keeps everything it shows in one state object persisted with setState.
 */
import type { IfExists } from '../../core';
import { byId } from '../common/dom';
import { FromPanel, ToPanel, type PlanSettings, type ToPanelMessage } from './protocol';
import { applyDefaults, applyRunEvent, finishRun, interruptRun, newRun, openCardsOf, type FormState } from './state';
import { buildLayout } from './layout';
import { input, pending, post, request, restored, save, saveSoon, selectEl, state } from './page';
import { canStart, render, renderConnection, renderControls, renderPlan, renderRun, renderSource } from './render';

function planSettings(f: FormState): PlanSettings {
  return {
    nulls: f.nulls,
    detectTextDates: f.detectTextDates,
    timezone: f.timezone.trim() || 'UTC',
    includeViews: f.includeViews,
  };
}

// ------------------------------------------------------------------------------------------------ form

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
  onInput(
    'connectTimeout',
    (el) => (state.form.connectTimeoutSeconds = Math.min(300, Math.max(1, Math.round(Number(el.value) || 10)))),
    'change',
  );
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
    post({
      type: FromPanel.testConnection,
      requestId: request('test'),
      url: state.form.url,
      database: state.form.database,
      timeoutMs: state.form.connectTimeoutSeconds * 1000,
    });
  });
  byId('browse').addEventListener('click', () =>
    post({ type: FromPanel.pickOutputFile, requestId: request('browse'), current: state.form.outputFile }),
  );
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
  byId('keepInSync').addEventListener('click', () => post({ type: FromPanel.keepInSync }));
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
  byId('plan-body').addEventListener(
    'toggle',
    (ev) => {
      const card = ev.target as HTMLElement;
      const name = card.dataset?.collection;
      if (!name) return;
      const open = openCardsOf(state);
      if ((card as HTMLDetailsElement).open) open.add(name);
      else open.delete(name);
      state.openCards = [...open];
      saveSoon();
    },
    true,
  );
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

function inspect(): void {
  if (!state.sourcePath) return;
  state.inspecting = true;
  renderSource();
  post({ type: FromPanel.inspect, requestId: request('inspect'), plan: planSettings(state.form) });
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
      if (
        state.run &&
        (state.run.phase === 'running' || state.run.phase === 'cancelling') &&
        m.activeRunId !== state.run.runId
      )
        interruptRun(state.run);
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
        ? {
            phase: 'ok',
            serverVersion: m.serverVersion,
            existingCollections: m.existingCollections,
            database: state.form.database,
            historyRuns: m.historyRuns,
            historyCollection: state.historyCollection,
          }
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

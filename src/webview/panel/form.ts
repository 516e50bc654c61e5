/** The panel's form: writing the state into it, wiring its inputs and buttons, Start, and asking for the plan. */
import type { IfExists } from '../../core';
import { byId } from '../common/dom';
import { FromPanel, type PlanSettings } from './protocol';
import type { FormState } from './state';
import { input, post, request, save, selectEl, state } from './page';
import { wirePlanTools } from './planTools';
import { canStart, render, renderConnection, renderControls, renderRun, renderSource } from './render';

function planSettings(f: FormState): PlanSettings {
  return {
    nulls: f.nulls,
    detectTextDates: f.detectTextDates,
    timezone: f.timezone.trim() || 'UTC',
    includeViews: f.includeViews,
  };
}

export function writeForm(): void {
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

export function wireForm(): void {
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

export /** A finished run's results no longer describe what Start would do once the plan or target changed. */
function clearFinishedRun(): void {
  if (state.run && (state.run.phase === 'finished' || state.run.phase === 'interrupted')) {
    state.run = undefined;
    renderRun();
  }
}

export function start(): void {
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

export function inspect(): void {
  if (!state.sourcePath) return;
  state.inspecting = true;
  renderSource();
  post({ type: FromPanel.inspect, requestId: request('inspect'), plan: planSettings(state.form) });
}

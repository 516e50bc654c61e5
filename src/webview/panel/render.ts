/** Draws the migration panel page from the state (main.ts calls these after each change). */
import { byId, h, icon, replaceChildren } from '../common/dom';
import { errorNotice } from '../common/errorView';
import { selectEl, state } from './page';
import { endedBeforeAnyStep, isConnecting, openCardsOf, type RunView } from './state';
import { connectionView } from './connectionView';
import { planView } from './planView';
import { progressView, summaryView } from './runView';
import { sourceHeader, sourceView } from './sourceView';

export function canStart(): boolean {
  return (
    !!state.sourcePath &&
    !!state.inspection &&
    !state.inspecting &&
    !!state.form.url &&
    !!state.form.database &&
    !running() &&
    (!state.form.keepFile || !!state.form.outputFile)
  );
}

export function running(): boolean {
  return state.run?.phase === 'running' || state.run?.phase === 'cancelling';
}

export function renderControls(): void {
  const busy = running();
  for (const id of [
    'url',
    'database',
    'batchSize',
    'ifExists',
    'nulls',
    'onError',
    'timezone',
    'connectTimeout',
    'detectTextDates',
    'includeViews',
    'dryRun',
    'keepFile',
    'outputFile',
    'browse',
    'recent',
  ]) {
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
    ? state.inspectionError
      ? 'The source cannot be read.'
      : 'Reading the source…'
    : !state.form.url
      ? 'Enter a connection string.'
      : !state.form.database
        ? 'Enter a database name.'
        : busy
          ? ''
          : '';
  byId('start-hint').textContent = hint;
  const recent = selectEl('recent');
  byId('recent-row').hidden = state.recentTargets.length === 0;
  recent.replaceChildren(
    h(
      'option',
      { value: '' },
      `${state.recentTargets.length} saved connection${state.recentTargets.length === 1 ? '' : 's'}…`,
    ),
    ...state.recentTargets.map((t) => h('option', { value: t.id }, `${t.label} · ${t.database}`)),
  );
  recent.value = '';
}

export function renderSource(): void {
  replaceChildren(byId('source-path'), sourceHeader(state.sourcePath || '…', state.inspection));
  const body = byId('source-body');
  if (state.inspectionError) {
    replaceChildren(body, errorNotice(state.inspectionError));
    replaceChildren(byId('plan-body'), h('p', { class: 'dim' }, 'No plan: the source cannot be read.'));
    return;
  }
  if (!state.inspection) {
    replaceChildren(body, h('p', { class: 'dim' }, icon('loading', 'codicon-modifier-spin'), ' Reading tables…'));
    replaceChildren(byId('plan-body'), h('p', { class: 'dim' }, 'Building the plan…'));
    return;
  }
  replaceChildren(body, sourceView(state.inspection));
  replaceChildren(
    byId('plan-file'),
    state.planFile
      ? h(
          'div',
          { class: 'result result-ok', id: 'plan-file-note', role: 'status' },
          icon('file-code'),
          ' ',
          h('span', null, 'Using plan ', h('code', null, state.planFile)),
          h(
            'div',
            { class: 'hint' },
            'Saved by the mapping designer; its own null, date and time-zone settings apply.',
          ),
        )
      : null,
  );
  renderPlan();
}

export function renderPlan(): void {
  if (!state.inspection) return;
  const plan = planView(state.inspection, { open: openCardsOf(state), filter: state.planFilter });
  plan.classList.toggle('stale', state.inspecting);
  replaceChildren(byId('plan-body'), plan);
  byId('plan-tools').hidden = state.inspection.plan.collections.length < 2;
}

export function renderConnection(): void {
  replaceChildren(byId('connection-result'), connectionView(state.connection, state.form));
  renderControls();
}

export function renderRun(): void {
  const run = state.run;
  const section = byId('run');
  section.hidden = !run;
  if (!run) return;
  const status = byId('run-status');
  const connecting = isConnecting(run);
  tickWhileConnecting(connecting);
  const text = connecting
    ? connectingText(run)
    : run.phase === 'running'
      ? 'Running…'
      : run.phase === 'cancelling'
        ? 'Cancelling… (stopping at the next safe point)'
        : run.phase === 'interrupted'
          ? 'Interrupted: the window was reloaded while this migration ran. Resume it from the History view (Migration sidebar) to finish without duplicates.'
          : '';
  status.textContent = text;
  status.dataset.phase = connecting ? 'connecting' : run.phase;
  status.hidden = !text;
  // A run that ended before any step (server unreachable…) is its error alone: no table of zeros and dashes.
  replaceChildren(byId('run-steps'), endedBeforeAnyStep(run) ? null : progressView(run));
  replaceChildren(byId('run-summary'), summaryView(run, state.historyCollection));
  const issues = run.logs.filter((l) => l.level !== 'info').slice(-5);
  replaceChildren(
    byId('run-logs'),
    issues.length > 0 && run.phase !== 'finished'
      ? h(
          'ul',
          { class: 'issues' },
          issues.map((l) =>
            h(
              'li',
              null,
              icon(l.level === 'error' ? 'error' : 'warning', l.level === 'error' ? 'bad' : 'warn'),
              ` ${l.message}`,
            ),
          ),
        )
      : null,
  );
  byId('run-actions').hidden = run.phase !== 'finished';
  byId('openReport').hidden = !run.reportUri;
  byId('showValidation').hidden = !run.report?.collections.some((c) => c.validation);
  byId('keepInSync').hidden = run.report?.status !== 'succeeded' || !!run.report.options.dryRun;
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

export function render(): void {
  renderSource();
  renderConnection();
  renderRun();
  renderControls();
}

/** The run: its steps with progress, and the summary when it is done. */
import type { MigrationReport } from '../../core';
import { h, icon } from '../common/dom';
import { hintOf } from '../common/errorView';
import { duration, eta, fmt, plural } from '../common/format';
import type { RunView, StepView } from './state';

/** What each step counts: [one, many]. */
const UNITS: Record<string, [string, string]> = {
  export: ['row', 'rows'],
  import: ['document', 'documents'],
  indexes: ['index', 'indexes'],
  validate: ['document', 'documents'],
};

const STEP_ICONS: Record<StepView['status'], [string, string]> = {
  pending: ['circle-large-outline', 'dim'],
  running: ['loading', 'codicon-modifier-spin'],
  done: ['pass-filled', 'ok'],
  skipped: ['circle-slash', 'dim'],
  failed: ['error', 'bad'],
  cancelled: ['debug-stop', 'warn'],
  'not-run': ['circle-large-outline', 'dim'],
};

function stepView(s: StepView, i: number): HTMLElement {
  const [name, cls] = STEP_ICONS[s.status];
  const pct = s.status === 'done' ? 100 : s.total > 0 ? Math.min(100, (s.done / s.total) * 100) : 0;
  const [one, many] = UNITS[s.name] ?? ['item', 'items'];
  const count = (n: number) => plural(n, one, many);
  let detail: string;
  if (s.status === 'pending') detail = 'waiting';
  else if (s.status === 'not-run') detail = 'not run';
  else if (s.status === 'cancelled' || s.status === 'failed')
    detail = `${fmt(s.done)} / ${count(s.total)} · ${s.status === 'cancelled' ? 'cancelled' : 'stopped'}`;
  else if (s.status === 'skipped') detail = `skipped: ${s.skipped ?? ''}`;
  else if (s.status === 'done')
    detail = `${count(s.done)} in ${duration(s.durationMs ?? 0)}${s.ratePerSec > 0 ? ` · ${fmt(s.ratePerSec)} ${many}/s` : ''}`;
  else {
    const left = eta(s.done, s.total, s.ratePerSec);
    detail = `${fmt(s.done)} / ${count(s.total)} · ${fmt(s.ratePerSec)}/s${left ? ` · ETA ${left}` : ''}${s.collection ? ` · ${s.collection}` : ''}`;
  }
  const bar = h('div', {
    class: `bar ${s.status}`,
    role: 'progressbar',
    'aria-valuemin': 0,
    'aria-valuemax': 100,
    'aria-valuenow': Math.round(pct),
    'aria-label': s.label,
  });
  const fill = h('div', { class: 'fill' });
  fill.style.width = `${pct}%`;
  bar.append(fill);
  return h(
    'li',
    { class: `step ${s.status}`, 'data-step': s.name, 'data-status': s.status },
    h(
      'div',
      { class: 'step-head' },
      h('span', { class: `step-icon ${cls}` }, icon(name)),
      h('span', { class: 'step-label' }, `${i + 1}. ${s.label}`),
      h(
        'span',
        { class: 'step-pct' },
        s.status === 'pending' || s.status === 'skipped' || s.status === 'not-run' ? '' : `${Math.floor(pct)}%`,
      ),
    ),
    bar,
    h('div', { class: 'step-detail' }, detail),
  );
}

export function progressView(run: RunView): HTMLElement {
  return h('ol', { class: 'steps', id: 'steps' }, run.steps.map(stepView));
}

function summaryBanner(r: MigrationReport, where: string): HTMLElement {
  const t = r.totals;
  switch (r.status) {
    case 'succeeded':
      return h(
        'div',
        { class: 'banner banner-ok', role: 'status' },
        icon('pass-filled'),
        ' ',
        h('strong', null, `Migrated and validated ${plural(t.validated, 'document')}${where}.`),
      );
    case 'dry-run':
      return h(
        'div',
        { class: 'banner banner-ok', role: 'status' },
        icon('pass'),
        ' ',
        h(
          'strong',
          null,
          `Dry run: ${plural(t.exported, 'document')} would be written; nothing was written to MongoDB.`,
        ),
      );
    case 'cancelled':
      return h(
        'div',
        { class: 'banner banner-warn', role: 'status' },
        icon('debug-stop'),
        ' ',
        h('strong', null, `Cancelled. ${plural(t.imported, 'document')} had been written`),
        t.imported > 0
          ? ` (${r.collections
              .filter((c) => c.imported > 0)
              .map((c) => `${c.collection}: ${fmt(c.imported)}`)
              .join(', ')}); resume it from the History view (Migration sidebar) to finish without duplicates.`
          : '; nothing to clean up.',
      );
    default:
      return h(
        'div',
        { class: 'banner banner-bad', role: 'alert' },
        icon('error'),
        ' ',
        h('strong', null, r.error?.message ?? 'Failed.'),
        hintOf(r.error),
      );
  }
}

/** What the summary's two counts mean when they differ: rows folded into other documents. */
const ROWS_VS_DOCUMENTS =
  'Rows are what SQLite holds; documents are what MongoDB holds. They differ where child rows are embedded in their parent’s document and junction rows become arrays of ids.';

export function summaryView(run: RunView, historyCollection: string): HTMLElement | null {
  const r = run.report;
  const failedEarly = r && r.status === 'failed' && r.totals.exported === 0 && r.totals.imported === 0;
  if (!r || failedEarly) {
    const error = run.error ?? r?.error;
    if (!error) return null;
    const cancelled = error.code === 'CANCELLED';
    return h(
      'div',
      {
        class: `banner ${cancelled ? 'banner-warn' : 'banner-bad'}`,
        role: cancelled ? 'status' : 'alert',
        id: 'run-error',
        'data-code': error.code,
      },
      icon(cancelled ? 'debug-stop' : 'error'),
      ' ',
      h('strong', null, error.message),
      hintOf(error),
    );
  }
  const where = run.target ? ` in ${run.target.database} on ${run.target.host}` : '';
  // Every run that reached the import step recorded itself, whatever it wrote.
  const recorded = r.status !== 'dry-run' && !!r.steps.import && !r.steps.import.skipped;
  const t = r.totals;
  const cols = ['Collection', 'Rows', 'Exported', 'Imported', 'Refused', 'Validated', 'Mismatches', 'Warnings'];
  const steps = Object.entries(r.steps)
    .map(([name, s]) => `${name} ${s?.skipped ? 'skipped' : duration(s?.durationMs ?? 0)}`)
    .join(' · ');
  return h(
    'div',
    { class: 'summary', id: 'summary', 'data-status': r.status },
    summaryBanner(r, where),
    h(
      'table',
      { class: 'grid' },
      h(
        'thead',
        null,
        h(
          'tr',
          null,
          cols.map((c, i) => h('th', { class: i ? 'num' : '' }, c)),
        ),
      ),
      h(
        'tbody',
        null,
        r.collections.map((c) =>
          h(
            'tr',
            { 'data-collection': c.collection },
            h('td', null, h('code', null, c.collection)),
            h('td', { class: 'num' }, fmt(c.sourceRows)),
            h('td', { class: 'num' }, fmt(c.exported)),
            h('td', { class: 'num' }, fmt(c.imported)),
            h('td', { class: `num${c.failed ? ' bad' : ''}` }, fmt(c.failed)),
            h('td', { class: 'num' }, c.validation ? fmt(c.validation.matched) : '—'),
            h(
              'td',
              { class: `num${c.validation?.mismatches ? ' bad' : ''}` },
              c.validation ? fmt(c.validation.mismatches) : '—',
            ),
            h('td', { class: `num${c.warnings ? ' warn' : ''}` }, fmt(c.warnings)),
          ),
        ),
      ),
    ),
    h(
      'p',
      { class: 'dim' },
      `Total ${duration(r.durationMs)}${steps ? ` (${steps})` : ''} · exported ${fmt(t.exported)} · imported ${fmt(t.imported)} · validated ${fmt(t.validated)} · mismatches ${fmt(t.mismatches)} · warnings ${fmt(t.warnings)} · refused ${fmt(t.failed)}`,
    ),
    Object.entries(r.warnings.byKind).length > 0
      ? h(
          'ul',
          { class: 'issues' },
          Object.entries(r.warnings.byKind).map(([kind, n]) => {
            const w = r.warnings.samples.find((x) => x.kind === kind);
            return h(
              'li',
              null,
              icon('warning', 'warn'),
              ` ${fmt(n)} × ${kind}`,
              w
                ? h(
                    'span',
                    { class: 'dim' },
                    ` (e.g. ${w.table}.${w.column} = ${JSON.stringify(w.value)} at key ${w.key}, kept as is)`,
                  )
                : null,
            );
          }),
        )
      : null,
    r.errors.length > 0
      ? h(
          'ul',
          { class: 'issues' },
          r.errors
            .slice(0, 10)
            .map((e) => h('li', null, icon('error', 'bad'), ` refused ${e.collection} key ${e.key}: ${e.reason}`)),
        )
      : null,
    r.mismatches.length > 0
      ? h(
          'ul',
          { class: 'issues', id: 'mismatches' },
          r.mismatches
            .slice(0, 10)
            .map((m) =>
              h(
                'li',
                null,
                icon('diff', 'bad'),
                ' ',
                h('code', null, `${m.collection} _id ${m.id}`),
                ` ${m.path || '(document)'}: ${m.kind}`,
                m.expected !== undefined ? ` expected ${m.expected}` : '',
                m.actual !== undefined ? ` actual ${m.actual}` : '',
              ),
            ),
        )
      : null,
    r.notes.length > 0
      ? h(
          'ul',
          { class: 'notes' },
          r.notes.map((n) => h('li', null, icon('info'), ' ', n)),
        )
      : null,
    h(
      'ul',
      { class: 'notes', id: 'summary-notes' },
      h('li', null, icon('info'), ' ', ROWS_VS_DOCUMENTS),
      recorded
        ? h(
            'li',
            null,
            icon('history'),
            ' ',
            'The run is recorded in ',
            h('code', null, historyCollection),
            ` in ${r.target.historyDatabase ?? run.target?.database ?? 'the target database'}${r.target.historyDatabase && r.target.historyDatabase !== r.target.database ? ' (the history database, setting sqlite2mongo.historyDatabase)' : ''} (History view): resume or roll it back from there.`,
          )
        : null,
    ),
  );
}

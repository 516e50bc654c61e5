/** Read-only parts of the panel, rebuilt from the state whenever it changes. */
import type { CollectionPlan, MigrationReport, SourceInspection } from '../../core';
import { h, icon, jsonBlock, type Child } from '../common/dom';
import { bytes, duration, eta, fmt, readableSample } from '../common/format';
import type { ConnectionState, FormState, RunView, StepView } from './state';

const UNITS: Record<string, string> = {
  export: 'rows',
  import: 'documents',
  indexes: 'indexes',
  validate: 'documents',
};

export function sourceView(ins: SourceInspection): HTMLElement {
  const becomes = (table: string): Child[] => {
    const c = ins.plan.collections.find((x) => x.table === table);
    if (c)
      return [
        icon('arrow-right', 'dim'),
        ' ',
        h(
          'a',
          {
            href: `#card-${c.collection}`,
            class: 'jump',
            'data-jump': c.collection,
            title: `Show the plan of ${c.collection}`,
          },
          c.collection,
        ),
      ];
    const s = ins.plan.skipped.find((x) => x.table === table);
    return [h('span', { class: 'dim' }, s ? s.reason : 'not migrated')];
  };
  const views = ins.schema.views.filter((v) => !ins.plan.collections.some((c) => c.table === v.name));
  return h(
    'div',
    null,
    h(
      'table',
      { class: 'grid', id: 'source-tables' },
      h(
        'thead',
        null,
        h('tr', null, h('th', null, 'Table'), h('th', { class: 'num' }, 'Rows'), h('th', null, 'Becomes')),
      ),
      h(
        'tbody',
        null,
        ins.schema.tables.map((t) =>
          h(
            'tr',
            { 'data-table': t.name },
            h('td', null, h('code', null, t.name)),
            h('td', { class: 'num' }, fmt(t.rowCount)),
            h('td', null, becomes(t.name)),
          ),
        ),
      ),
    ),
    views.length > 0
      ? h(
          'p',
          { class: 'dim', id: 'views-note' },
          `${views.length} view${views.length === 1 ? '' : 's'}, not migrated: ${views.map((v) => v.name).join(', ')}. Tick “Include views” in Options to make each a collection.`,
        )
      : null,
    ins.schema.tables.some((t) => t.rowCount === 0) ? h('p', { class: 'dim', id: 'empty-note' }, EMPTY_TABLES) : null,
    ins.walFramesApplied > 0
      ? h('p', { class: 'dim' }, `${fmt(ins.walFramesApplied)} committed WAL frames included.`)
      : null,
  );
}

/** What happens to a table without rows, said the same way wherever one shows. */
export const EMPTY_TABLES =
  'Tables without rows have nothing to copy: each becomes an empty collection, with its indexes, so the application finds it in place.';

export function sourceHeader(path: string, ins?: SourceInspection): Child[] {
  return [
    h('span', { class: 'path', title: path }, path),
    ins ? h('span', { class: 'dim' }, ` · ${bytes(ins.sizeBytes)} · ${ins.schema.tables.length} tables`) : null,
  ];
}

function idRule(c: CollectionPlan): Child {
  switch (c.id.kind) {
    case 'column':
      return [h('code', null, '_id'), ' = column ', h('code', null, c.id.column)];
    case 'composite':
      return [
        h('code', null, '_id'),
        ' = { ',
        c.id.columns.map((col, i) => [i ? ', ' : '', h('code', null, col)]),
        ' } (composite key)',
      ];
    case 'rowid':
      return [h('code', null, '_id'), ' = ObjectId from rowid, kept as ', h('code', null, c.id.rowidField)];
  }
}

/** Which plan cards are open and which collections the filter keeps. */
export interface PlanViewOptions {
  open: ReadonlySet<string>;
  filter: string;
}

function planCard(ins: SourceInspection, c: CollectionPlan, open: boolean): HTMLElement {
  const rows = ins.schema.tables.find((t) => t.name === c.table)?.rowCount ?? 0;
  const embeds = c.embeds ?? [];
  const extras = [
    `${c.fields.length} field${c.fields.length === 1 ? '' : 's'}`,
    embeds.length + c.arrays.length > 0 ? `${embeds.length + c.arrays.length} embedded` : '',
    c.indexes.length > 0 ? `${c.indexes.length} index${c.indexes.length === 1 ? '' : 'es'}` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return h(
    'details',
    { class: 'card collection', id: `card-${c.collection}`, 'data-collection': c.collection, open },
    h(
      'summary',
      null,
      icon('database'),
      ' ',
      h('strong', null, c.collection),
      h(
        'span',
        { class: 'dim' },
        ` ← ${c.table} · ${fmt(rows)} row${rows === 1 ? '' : 's'}${rows === 0 ? ' (empty)' : ''} · ${extras}`,
      ),
    ),
    h(
      'dl',
      null,
      h('dt', null, 'Key'),
      h('dd', null, idRule(c)),
      h('dt', null, 'Fields'),
      h(
        'dd',
        null,
        c.fields.length === 0
          ? h('span', { class: 'dim' }, 'none')
          : c.fields.map((f, i) => [
              i ? ', ' : '',
              h('code', null, f.field),
              f.type !== 'auto' ? h('span', { class: 'type' }, ` ${f.type}`) : null,
            ]),
      ),
      embeds.length > 0
        ? [
            h('dt', null, 'Embedded'),
            h(
              'dd',
              { class: 'embedded' },
              embeds.map((e, i) => [
                i ? '; ' : '',
                h('code', null, e.kind === 'array' ? `${e.field}[]` : e.field),
                e.merge ? ` fields merged from ${e.table}` : ` ${e.kind === 'array' ? 'rows' : 'row'} of ${e.table}`,
              ]),
            ),
          ]
        : null,
      c.arrays.length > 0
        ? [
            h('dt', null, 'Arrays'),
            h(
              'dd',
              null,
              c.arrays.map((a, i) => [
                i ? '; ' : '',
                h('code', null, `${a.field}[]`),
                ` from junction ${a.junctionTable}.${a.valueColumn}`,
              ]),
            ),
          ]
        : null,
      c.indexes.length > 0
        ? [
            h('dt', null, 'Indexes'),
            h(
              'dd',
              null,
              c.indexes.map((ix, i) => [
                i ? ', ' : '',
                h('code', null, ix.keys.map(([k, d]) => `${k}${d === -1 ? ' desc' : ''}`).join(', ')),
                ix.unique ? ' unique' : '',
              ]),
            ),
          ]
        : null,
    ),
    h(
      'div',
      { class: 'sample' },
      h('div', { class: 'dim sample-title' }, 'Sample document (first row)'),
      jsonBlock(readableSample(ins.samples[c.collection] ?? '(no sample)')),
    ),
  );
}

export function planView(ins: SourceInspection, opts: PlanViewOptions): HTMLElement {
  const filter = opts.filter.trim().toLowerCase();
  const shown = ins.plan.collections.filter(
    (c) => !filter || c.collection.toLowerCase().includes(filter) || c.table.toLowerCase().includes(filter),
  );
  const views = new Set(ins.schema.views.map((v) => v.name));
  const skipped = ins.plan.skipped.filter((s) => !views.has(s.table));
  return h(
    'div',
    null,
    ins.notes.length > 0
      ? h(
          'ul',
          { class: 'notes' },
          ins.notes.map((n) => h('li', null, icon('info'), ' ', n)),
        )
      : null,
    shown.map((c) => planCard(ins, c, opts.open.has(c.collection))),
    filter && shown.length === 0
      ? h('p', { class: 'dim' }, `No collection or table matches “${opts.filter.trim()}”.`)
      : null,
    skipped.length > 0
      ? h(
          'p',
          { class: 'dim', id: 'not-migrated' },
          'Not migrated as collections: ',
          skipped.map((s, i) => [i ? '; ' : '', h('code', null, s.table), ` (${s.reason})`]),
        )
      : null,
  );
}

export function connectionView(c: ConnectionState | undefined, form: FormState): Child {
  if (!c) return null;
  if (c.phase === 'testing')
    return h(
      'div',
      { class: 'result result-busy', role: 'status' },
      icon('loading', 'codicon-modifier-spin'),
      ' Connecting…',
    );
  if (c.phase === 'failed') {
    return h(
      'div',
      { class: 'result result-error', role: 'alert' },
      icon('error'),
      ' ',
      h('span', null, c.error.message),
      c.error.hint ? h('div', { class: 'hint' }, c.error.hint) : null,
    );
  }
  const existing = c.existingCollections;
  const note =
    existing.length === 0
      ? `database ${c.database} is empty or new`
      : `database ${c.database} has ${existing.length} collection${existing.length === 1 ? '' : 's'} (${existing.slice(0, 6).join(', ')}${existing.length > 6 ? ', …' : ''})`;
  return h(
    'div',
    { class: 'result result-ok', role: 'status' },
    icon('pass-filled'),
    ' ',
    h('span', null, `Connected: ${c.serverVersion}, ${note}.`),
    existing.length > 0
      ? h(
          'div',
          { class: 'hint' },
          `Collections that already hold documents: if-exists policy “${form.ifExists}” applies.`,
        )
      : null,
    c.historyRuns
      ? h('div', { class: 'hint' }, `It also holds the history of earlier migrations (${c.historyCollection}).`)
      : null,
  );
}

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
  const unit = UNITS[s.name] ?? 'items';
  let detail: string;
  if (s.status === 'pending') detail = 'waiting';
  else if (s.status === 'not-run') detail = 'not run';
  else if (s.status === 'cancelled' || s.status === 'failed')
    detail = `${fmt(s.done)} / ${fmt(s.total)} ${unit} · ${s.status === 'cancelled' ? 'cancelled' : 'stopped'}`;
  else if (s.status === 'skipped') detail = `skipped: ${s.skipped ?? ''}`;
  else if (s.status === 'done')
    detail = `${fmt(s.done)} ${unit} in ${duration(s.durationMs ?? 0)}${s.ratePerSec > 0 ? ` · ${fmt(s.ratePerSec)} ${unit}/s` : ''}`;
  else {
    const left = eta(s.done, s.total, s.ratePerSec);
    detail = `${fmt(s.done)} / ${fmt(s.total)} ${unit} · ${fmt(s.ratePerSec)}/s${left ? ` · ETA ${left}` : ''}${s.collection ? ` · ${s.collection}` : ''}`;
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
        h('strong', null, `Migrated and validated ${fmt(t.validated)} documents${where}.`),
      );
    case 'dry-run':
      return h(
        'div',
        { class: 'banner banner-ok', role: 'status' },
        icon('pass'),
        ' ',
        h('strong', null, `Dry run: ${fmt(t.exported)} documents would be written; nothing was written to MongoDB.`),
      );
    case 'cancelled':
      return h(
        'div',
        { class: 'banner banner-warn', role: 'status' },
        icon('debug-stop'),
        ' ',
        h('strong', null, `Cancelled. ${fmt(t.imported)} documents had been written`),
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
        r.error?.hint ? h('div', { class: 'hint' }, r.error.hint) : null,
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
      error.hint ? h('div', { class: 'hint' }, error.hint) : null,
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

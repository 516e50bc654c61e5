import { formatCount as fmt, remainingMs, type MigrationEvent, type MigrationReport } from '../core';

export type OutputMode = 'tty' | 'plain' | 'json' | 'quiet';

const secs = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`);

/** What happened to a value a warning counts (the default: it was kept as it is, unconverted). */
const WARNING_OUTCOME: Record<string, string> = {
  'date-precision': 'digits past the millisecond dropped',
  'date-offset': 'stored as the UTC instant; the offset is not kept',
  'invalid-utf8': 'kept as its exact bytes (binary subtype 0x80)',
  'document-too-large': 'MongoDB refuses documents over 16 MiB',
  'embed-too-large': 'child keys stored instead',
  'dangling-reference': 'the referenced row is missing: the id is kept',
  'lossy-type': 'converted with a loss',
};

/** The table of row accounting: each source table's rows, and where they went. */
function accountingLines(report: MigrationReport): string[] {
  const accounts = report.accounting ?? [];
  if (accounts.length === 0) return [];
  const anyUnaccounted = accounts.some((a) => a.unaccounted !== 0);
  const cols = ['Table', 'Read', 'Written', 'Folded', 'Refused', 'Skipped', ...(anyUnaccounted ? ['Unaccounted'] : [])];
  const rows = accounts.map((a) => [
    a.table === '' ? '""' : a.table,
    ...[a.read, a.written, a.folded, a.refused, a.skipped, ...(anyUnaccounted ? [a.unaccounted] : [])].map(fmt),
  ]);
  const widths = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const pad = (r: string[]) =>
    '  ' + r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const out = [
    '  Rows     read = written + folded into arrays or embedded + refused + skipped',
    pad(cols),
    ...rows.map(pad),
  ];
  for (const a of accounts) for (const reason of a.reasons) out.push(`  skipped  ${a.table}: ${reason}`);
  return out;
}

/** What a run without validation put in place: after a comparing rerun, also what was already up to date. */
function migratedCount(report: MigrationReport): string {
  const { imported, unchanged } = report.totals;
  if (unchanged === 0) return `${fmt(imported)} documents`;
  return `${fmt(imported + unchanged)} documents: ${fmt(imported)} written, ${fmt(unchanged)} already up to date`;
}

function bar(fraction: number, width = 20): string {
  const full = Math.round(Math.max(0, Math.min(1, fraction)) * width);
  return '█'.repeat(full) + '░'.repeat(width - full);
}

/**
 * Terminal output for the CLI: a live, rewritten counter line on a TTY; plain lines (no control characters,
 * a progress line every few seconds) when piped or in CI; one JSON event per line with --json.
 */
export class ConsoleRenderer {
  private readonly prefixes = new Map<string, string>();
  /** The step started last: while export and import stream together, the live line follows the import. */
  private current = '';
  private lastPlain = 0;
  private liveLine = false;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly mode: OutputMode,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  /** The closing line of a run that did not succeed goes to stderr, like every other error. */
  private fail(text: string): void {
    if (this.liveLine) this.out.write('\r\x1b[2K');
    this.liveLine = false;
    this.err.write(text + '\n');
  }

  onEvent = (e: MigrationEvent): void => {
    if (this.mode === 'json') {
      this.out.write(JSON.stringify(e) + '\n');
      return;
    }
    if (this.mode === 'quiet') return;
    switch (e.type) {
      case 'step-start':
        this.prefixes.set(e.step, `[${e.index}/${e.total}] ${e.label}`);
        this.current = e.step;
        if (this.mode === 'plain') this.line(`${this.prefixes.get(e.step)}…`);
        else this.live(`${this.prefixes.get(e.step)}…`);
        break;
      case 'progress': {
        if (e.step !== this.current) break;
        const pct = e.total > 0 ? e.done / e.total : 0;
        const left = remainingMs(e.done, e.total, e.ratePerSec);
        const eta = left !== undefined ? `  ETA ${secs(left)}` : '';
        const text = `${this.prefixes.get(e.step)}  ${e.total > 0 ? `${bar(pct)} ${fmt(e.done)}/${fmt(e.total)} ${(pct * 100).toFixed(0)}%` : fmt(e.done)}  ${fmt(e.ratePerSec)}/s${eta}${e.collection ? `  (${e.collection})` : ''}`;
        if (this.mode === 'tty') this.live(text);
        // Plain output: a line about every 5 s (the engine sends a progress event every second even when stalled).
        else if (Date.now() - this.lastPlain >= 4900) {
          this.lastPlain = Date.now();
          this.line(text);
        }
        break;
      }
      case 'step-end': {
        const prefix = this.prefixes.get(e.step) ?? e.step;
        const text = e.skipped
          ? `${prefix} — skipped: ${e.skipped}`
          : `${prefix} ✓ ${fmt(e.done)} in ${secs(e.durationMs)}${e.durationMs > 0 ? ` (${fmt(Math.round((e.done * 1000) / e.durationMs))}/s)` : ''}`;
        this.line(text);
        break;
      }
      case 'log':
        if (e.level !== 'info') this.line(`${e.level === 'error' ? 'error' : 'warning'}: ${e.message}`);
        break;
      default:
        break;
    }
  };

  private live(text: string): void {
    this.out.write(`\r\x1b[2K${text}`);
    this.liveLine = true;
  }

  line(text: string): void {
    if (this.liveLine) this.out.write('\r\x1b[2K');
    this.liveLine = false;
    this.out.write(text + '\n');
  }

  /** `resumeCommand`: the exact command that continues this run (the same one plus --resume), shown when the server went away. */
  summary(report: MigrationReport, resumeCommand?: string): void {
    if (this.mode === 'json') {
      this.out.write(JSON.stringify({ type: 'report', report }) + '\n');
      return;
    }
    const l = (s = '') => this.line(s);
    // The server went away after the run was recorded: the exact command that continues it.
    const resume =
      report.error?.code === 'TARGET_UNREACHABLE' && report.runId && resumeCommand
        ? `\n  resume: ${resumeCommand}`
        : '';
    const failure = `✗ ${report.error?.message ?? 'Failed.'}${report.error?.hint ? `\n  hint: ${report.error.hint}` : ''}${resume}`;
    if (Object.keys(report.steps).length === 0) {
      // Stopped before any step ended (bad source, unreachable server, lost mid-import…): the error says it all.
      this.fail(failure);
      return;
    }
    l();
    l('Summary');
    l(
      `  Source   ${report.source.inputFile ?? report.source.path}${report.source.sizeBytes ? ` (${fmt(report.source.sizeBytes)} bytes)` : ''}`,
    );
    if (report.steps.import || report.steps.validate)
      l(`  Target   ${report.target.url} → database ${report.target.database}`);
    // A rerun that compared with the target shows, per collection, what it found and wrote.
    const compared = report.collections.some((c) => c.unchanged + c.replaced + c.deleted > 0);
    const cols = [
      'Collection',
      'Rows',
      'Exported',
      'Imported',
      ...(compared ? ['Unchanged', 'Replaced', 'Inserted', 'Deleted'] : []),
      'Failed',
      'Validated',
      'Mismatches',
      'Warnings',
    ];
    const rows = report.collections.map((c) => [
      c.collection,
      fmt(c.sourceRows),
      fmt(c.exported),
      fmt(c.imported),
      ...(compared ? [fmt(c.unchanged), fmt(c.replaced), fmt(c.inserted), fmt(c.deleted)] : []),
      fmt(c.failed),
      fmt(c.validation?.matched ?? 0),
      fmt(c.validation?.mismatches ?? 0),
      fmt(c.warnings),
    ]);
    const widths = cols.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const pad = (r: string[]) =>
      '  ' + r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
    l(pad(cols));
    rows.forEach((r) => l(pad(r)));
    accountingLines(report).forEach((line) => l(line));
    const steps = Object.entries(report.steps)
      .map(([name, s]) => `${name} ${s?.skipped ? 'skipped' : secs(s?.durationMs ?? 0)}`)
      .join(' · ');
    if (steps) l(`  Time     ${steps} · total ${secs(report.durationMs)}`);
    if (report.runId)
      l(
        `  Run      ${report.runId}, recorded in ${report.target.historyDatabase ?? report.target.database}._sqlite2mongo_migrations (sqlite2mongo history / rollback ${report.runId})`,
      );
    const t = report.totals;
    if (compared)
      l(
        `  Rerun    unchanged ${fmt(t.unchanged)} · replaced ${fmt(t.replaced)} · inserted ${fmt(t.inserted)} · deleted ${fmt(t.deleted)} (compared with the target: only differences written)`,
      );
    l(
      `  Totals   exported ${fmt(t.exported)} · imported ${fmt(t.imported)} · validated ok ${fmt(t.validated)} · mismatches ${fmt(t.mismatches)} · warnings ${fmt(t.warnings)} · errors ${fmt(t.failed)}${t.deleted ? ` · deleted ${fmt(t.deleted)}` : ''}`,
    );
    for (const [kind, n] of Object.entries(report.warnings.byKind)) {
      const sample = report.warnings.samples.find((w) => w.kind === kind);
      const where = sample
        ? `${sample.table}${sample.column ? `.${sample.column}` : ''}${sample.column ? ` = ${JSON.stringify(sample.value)}` : ` (${sample.value})`} at key ${sample.key}`
        : '';
      l(`  warning  ${fmt(n)} × ${kind}${sample ? ` (e.g. ${where}: ${WARNING_OUTCOME[kind] ?? 'kept as is'})` : ''}`);
    }
    for (const err of report.errors.slice(0, 10)) l(`  refused  ${err.collection} key ${err.key}: ${err.reason}`);
    if (report.errors.length > 10) l(`  … ${fmt(report.totals.failed - 10)} more refused rows in the report file`);
    for (const m of report.mismatches.slice(0, 10))
      l(
        `  mismatch ${m.collection} _id ${m.id} ${m.path || '(document)'}: ${m.kind}${m.expected !== undefined ? ` expected ${m.expected}` : ''}${m.actual !== undefined ? ` actual ${m.actual}` : ''}`,
      );
    if (report.mismatches.length > 10) l(`  … more mismatches in the report file`);
    for (const c of report.collections) {
      if (c.duplicates > 0)
        l(`  duplicates ${c.collection}: ${fmt(c.duplicates)} (first keys: ${c.duplicateKeys.join('; ')})`);
      for (const ix of c.indexes)
        if (ix.status === 'failed' || ix.status === 'created-non-unique')
          l(`  index    ${c.collection}.${ix.name}: ${ix.status} ${ix.message ?? ''}`);
    }
    for (const note of report.notes) l(`  note     ${note}`);
    const ran = (step: string) =>
      !!report.steps[step as keyof typeof report.steps] && !report.steps[step as keyof typeof report.steps]?.skipped;
    if (report.status === 'succeeded') {
      if (!ran('import') && !ran('validate'))
        l(
          `✓ Exported ${fmt(report.totals.exported)} documents${report.options.outputFile ? ` to ${report.options.outputFile}` : ''}.`,
        );
      else if (!ran('import'))
        l(`✓ Validated ${fmt(report.totals.validated)} documents: the target matches the source.`);
      else if (!ran('validate'))
        l(`✓ Migrated ${migratedCount(report)} (not verified: --no-validate; the run is recorded as unverified).`);
      else l(`✓ Migrated and validated ${fmt(report.totals.validated)} documents.`);
    } else if (report.status === 'dry-run')
      l(`✓ Dry run: ${fmt(report.totals.exported)} documents converted; nothing was written to MongoDB.`);
    else if (report.status === 'cancelled')
      this.fail(
        `✗ Cancelled. ${fmt(report.totals.imported)} documents had been written; rerun with --resume to finish without duplicates.${resumeCommand ? `\n  resume: ${resumeCommand}` : ''}`,
      );
    else this.fail(failure);
  }
}

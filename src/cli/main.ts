import { promises as fs } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import {
  applyNaming,
  checkPlan,
  defaultDatabaseName,
  formatCount,
  defaultPlanFor,
  introspect,
  planJsonSchemas,
  suggestRelationships,
  ErrorCodes,
  type ExistingCollection,
  isMigrationError,
  listHistory,
  type MappingPlan,
  migrate,
  type MigrateOptions,
  MigrationError,
  openSqliteSource,
  readNdjsonHeader,
  resolveSqliteUrl,
  rollback,
  type StepName,
  TOOL_VERSION,
} from '../core';
import { parseCli, USAGE, type CliOptions } from './args';
import { ConsoleRenderer } from './output';
import { syncCommand } from './sync';

async function readPlanFile(file: string): Promise<MappingPlan> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new MigrationError('PLAN_INVALID', `Cannot read plan ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as MappingPlan;
  } catch (e) {
    throw new MigrationError('PLAN_INVALID', `Plan ${file} is not valid JSON: ${(e as Error).message}`);
  }
}

/** On a terminal, asks what to do with collections that already hold documents. */
async function askOnTerminal(existing: ExistingCollection[]): Promise<'drop' | 'append' | 'upsert' | 'cancel'> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const list = existing.map((e) => `  ${e.collection}: ${formatCount(e.documents)} documents`).join('\n');
    for (;;) {
      const answer = (
        await rl.question(
          `The target already has data:\n${list}\n[d]rop and replace, [a]ppend, [u]psert by _id, or [c]ancel? `,
        )
      )
        .trim()
        .toLowerCase();
      const choice = ({ d: 'drop', a: 'append', u: 'upsert', c: 'cancel' } as const)[
        answer[0] as 'd' | 'a' | 'u' | 'c'
      ];
      if (choice) return choice;
    }
  } finally {
    rl.close();
  }
}

async function printPlan(opts: CliOptions): Promise<number> {
  if (!opts.sqliteUrl) throw new MigrationError('USAGE', 'plan needs --sqlite-url.');
  const source = await openSqliteSource(resolveSqliteUrl(opts.sqliteUrl));
  try {
    const schema = introspect(source);
    const built = opts.planFile
      ? { plan: checkPlan(await readPlanFile(opts.planFile), schema), notes: [] as string[] }
      : defaultPlanFor(source, schema, undefined, { includeViews: opts.includeViews });
    const { notes } = built;
    const plan = opts.naming ? applyNaming(built.plan, opts.naming) : built.plan;
    const text = JSON.stringify(plan, null, 2) + '\n';
    if (opts.outputFile) {
      await fs.writeFile(opts.outputFile, text);
      process.stderr.write(`Wrote ${opts.outputFile}\n`);
    } else process.stdout.write(text);
    for (const n of notes) process.stderr.write(`note: ${n}\n`);
    for (const s of suggestRelationships(source, schema)) {
      process.stderr.write(
        `suggestion: ${s.table}.${s.columns.join(', ')} → ${s.refTable}.${s.refColumns.join(', ')} (${s.reason}); declare it under "relationships" to embed along it\n`,
      );
    }
    if (opts.jsonSchemaFile) {
      const validators = Object.fromEntries(planJsonSchemas(plan, schema));
      await fs.writeFile(opts.jsonSchemaFile, JSON.stringify(validators, null, 2) + '\n');
      process.stderr.write(`Wrote the $jsonSchema validators to ${opts.jsonSchemaFile}\n`);
    }
    return 0;
  } finally {
    source.close();
  }
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

async function historyCommand(opts: CliOptions): Promise<number> {
  if (!opts.mongodbDb) throw new MigrationError('USAGE', `${opts.command} needs --mongodb-db.`);
  if (opts.command === 'history') {
    const runs = await listHistory({
      mongoUrl: opts.mongodbUrl,
      database: opts.mongodbDb,
      historyDatabase: opts.historyDb,
      connectTimeoutMs: opts.connectTimeoutMs,
    });
    if (opts.json) {
      process.stdout.write(JSON.stringify(runs.map(({ plan: _plan, ...r }) => r)) + '\n');
      return 0;
    }
    const where = opts.historyDb ? `${opts.mongodbDb} (history in ${opts.historyDb})` : opts.mongodbDb;
    if (runs.length === 0) process.stdout.write(`No migrations recorded for ${where}.\n`);
    for (const r of runs) {
      const docs = r.collections.reduce((n, c) => n + c.imported, 0);
      process.stdout.write(
        `${r._id}  ${r.status.padEnd(11)} ${r.kind.padEnd(11)} ${r.startedAt.toISOString()}  ${formatCount(docs)} documents  ${r.source.path}${r.error ? `  (${r.error.message})` : ''}\n`,
      );
    }
    return 0;
  }
  const runId = opts.runId as string;
  if (!opts.yes) {
    if (!process.stdin.isTTY)
      throw new MigrationError(
        'USAGE',
        `Rolling back ${runId} removes data; pass --yes to confirm without a terminal.`,
      );
    if (
      !(await confirm(
        `Roll back run ${runId} in ${opts.mongodbDb}? Collections it created are dropped and documents it inserted removed.`,
      ))
    )
      return ErrorCodes.CANCELLED;
  }
  const outcome = await rollback({
    mongoUrl: opts.mongodbUrl,
    database: opts.mongodbDb,
    runId,
    force: opts.force,
    connectTimeoutMs: opts.connectTimeoutMs,
    historyDatabase: opts.historyDb,
  });
  if (opts.json) process.stdout.write(JSON.stringify(outcome) + '\n');
  else {
    process.stdout.write(`Rolled back ${runId}.\n`);
    if (outcome.dropped.length) process.stdout.write(`  dropped: ${outcome.dropped.join(', ')}\n`);
    for (const [c, n] of Object.entries(outcome.removed))
      process.stdout.write(`  removed ${n} inserted documents from ${c}\n`);
    for (const limit of outcome.limits) process.stdout.write(`  not undone: ${limit}\n`);
  }
  return 0;
}

/** The command that continues this run: the same one plus --resume (its plan and options come from the run's record). */
function resumeCommand(argv: string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);
  const args = argv.filter((a) => a !== '--resume' && a !== '--json' && a !== '--quiet');
  return ['sqlite2mongo', ...args, '--resume'].map(quote).join(' ');
}

const STEPS_BY_COMMAND: Record<string, StepName[] | undefined> = {
  migrate: undefined,
  export: ['export'],
  import: ['import', 'indexes', 'validate'],
  validate: ['validate'],
};

async function run(argv: string[]): Promise<number> {
  const opts = parseCli(argv);
  if (opts.help) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (opts.version) {
    process.stdout.write(`sqlite2mongo ${TOOL_VERSION}\n`);
    return 0;
  }
  if (opts.command === 'plan') return printPlan(opts);
  if (opts.command === 'history' || opts.command === 'rollback') return historyCommand(opts);
  if (opts.command === 'sync') return syncCommand(opts);
  if (opts.command === 'import' && !opts.inputFile) throw new MigrationError('USAGE', 'import needs --input-file.');
  if (opts.command === 'export' && !opts.outputFile) throw new MigrationError('USAGE', 'export needs --output-file.');
  if (opts.command !== 'import' && !opts.inputFile && !opts.sqliteUrl)
    throw new MigrationError(
      'USAGE',
      `${opts.command} needs --sqlite-url (a path or a URL such as sqlite:///./app.db).`,
    );
  if (!opts.validate && opts.command === 'validate')
    throw new MigrationError('USAGE', '--no-validate makes no sense with validate.');

  const sqlitePath = opts.sqliteUrl ? resolveSqliteUrl(opts.sqliteUrl) : undefined;
  let database = opts.mongodbDb;
  if (!database)
    database = sqlitePath
      ? defaultDatabaseName(sqlitePath)
      : defaultDatabaseName((await readNdjsonHeader(opts.inputFile as string)).source.path);

  const mode = opts.json ? 'json' : opts.quiet ? 'quiet' : process.stdout.isTTY ? 'tty' : 'plain';
  const renderer = new ConsoleRenderer(process.stdout, mode);
  const controller = new AbortController();
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(ErrorCodes.CANCELLED);
    renderer.line('Cancelling… (press Ctrl+C again to quit at once)');
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const migrateOptions: MigrateOptions = {
    sqlitePath,
    inputFile: opts.inputFile,
    mongoUrl: opts.mongodbUrl,
    database,
    historyDatabase: opts.historyDb,
    plan: opts.planFile ? await readPlanFile(opts.planFile) : undefined,
    includeViews: opts.includeViews,
    outputFile: opts.command === 'export' || opts.command === 'migrate' ? opts.outputFile : undefined,
    dryRun: opts.dryRun,
    batchSize: opts.batchSize,
    concurrency: opts.concurrency,
    ifExists: opts.ifExists,
    onError: opts.onError,
    skipValidation: !opts.validate,
    resume: opts.resume,
    incremental: opts.incremental,
    syncDeletes: opts.syncDeletes,
    writeConcern: opts.writeConcern,
    applySchema: opts.applySchema,
    connectTimeoutMs: opts.connectTimeoutMs,
    // Only ask when a person can answer: without a terminal, 'ask' fails and writes nothing.
    askExisting: process.stdin.isTTY && mode !== 'json' ? askOnTerminal : undefined,
    steps: STEPS_BY_COMMAND[opts.command],
    signal: controller.signal,
    onEvent: renderer.onEvent,
  };
  try {
    const report = await migrate(migrateOptions);
    if (opts.reportFile) await fs.writeFile(opts.reportFile, JSON.stringify(report, null, 2) + '\n');
    renderer.summary(report, resumeCommand(argv));
    return report.exitCode;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    if (isMigrationError(e)) {
      process.stderr.write(`sqlite2mongo: ${e.message}\n${e.hint ? `  hint: ${e.hint}\n` : ''}`);
      process.exit(e.exitCode);
    }
    process.stderr.write(`sqlite2mongo: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(ErrorCodes.INTERNAL);
  },
);

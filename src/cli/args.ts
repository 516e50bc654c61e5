import { parseArgs } from 'node:util';
import {
  type IfExists,
  type NamingConvention,
  type WriteConcernOption,
  MigrationError,
  NAMING_CONVENTIONS,
} from '../core';

export const COMMANDS = ['migrate', 'export', 'import', 'validate', 'plan', 'history', 'rollback', 'sync'] as const;
export type Command = (typeof COMMANDS)[number];

export interface CliOptions {
  command: Command;
  sqliteUrl?: string;
  mongodbUrl: string;
  mongodbDb?: string;
  /** Where the run history is kept (default: the target database). */
  historyDb?: string;
  outputFile?: string;
  inputFile?: string;
  planFile?: string;
  includeViews: boolean;
  reportFile?: string;
  dryRun: boolean;
  batchSize?: number;
  concurrency?: number;
  ifExists: IfExists;
  onError: 'stop' | 'skip';
  validate: boolean;
  json: boolean;
  quiet: boolean;
  connectTimeoutMs?: number;
  resume: boolean;
  incremental: boolean;
  syncDeletes: boolean;
  writeConcern?: WriteConcernOption;
  applySchema: boolean;
  /** plan: also write each collection's generated $jsonSchema validator here. */
  jsonSchemaFile?: string;
  /** plan: write the collection and field names in this convention. */
  naming?: NamingConvention;
  /** sync: keep watching the file and sync after every change. */
  watch: boolean;
  /** sync --watch: longest time between two checks. */
  intervalMs?: number;
  /** sync: validate the collections a sync compared (--validate). */
  syncValidate: boolean;
  /** rollback: the run id. */
  runId?: string;
  force: boolean;
  yes: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `sqlite2mongo — migrate a SQLite database into MongoDB, and prove it.

Usage:
  sqlite2mongo [migrate] --sqlite-url <url|path> [--mongodb-url <url>] [--mongodb-db <name>] [options]
  sqlite2mongo export    --sqlite-url <url|path> --output-file <data.ndjson> [--plan plan.json]
  sqlite2mongo import    --input-file <data.ndjson> [--mongodb-url <url>] [--mongodb-db <name>] [options]
  sqlite2mongo validate  (--sqlite-url <url|path> | --input-file <file>) [--mongodb-url <url>] [--mongodb-db <name>]
  sqlite2mongo plan      --sqlite-url <url|path> [--plan plan.json] [--output-file plan.json] [--json-schema v.json]
                         [--naming camelCase]
  sqlite2mongo history   [--mongodb-url <url>] --mongodb-db <name> [--history-db <name>]
  sqlite2mongo rollback  <run-id> [--mongodb-url <url>] --mongodb-db <name> [--history-db <name>] [--yes] [--force]
  sqlite2mongo sync      --sqlite-url <url|path> [--mongodb-url <url>] [--mongodb-db <name>] [--watch] [--interval 2s]

Source and target:
  --sqlite-url <url|path>   sqlite:///relative.db, sqlite+aiosqlite:///./app.db, sqlite:////abs/app.db or a path
  --mongodb-url <url>       default mongodb://localhost:27017
  --mongodb-db <name>       default: the SQLite file name without extension
  --history-db <name>       keep the run history (_sqlite2mongo_migrations) in this database instead of the
                            target (same server; pass it again to resume, rollback, sync, history)
  --plan <file>             mapping plan JSON (print the default with \`sqlite2mongo plan\`)
  --include-views           without --plan: migrate views too (_id by row position; views are skipped by default)
  --output-file <file>      keep the intermediate NDJSON (Extended JSON v2) here
  --input-file <file>       import an intermediate NDJSON file instead of reading SQLite

Behaviour:
  --dry-run                 read, plan, convert and report everything; write nothing to MongoDB
  --if-exists <policy>      target collection already has documents: ask|drop|append|upsert|fail (default ask;
                            without a terminal, ask fails and writes nothing)
  --on-error <policy>       a row the server refuses: stop (default) or skip (migrate the rest, list refused rows)
  --batch-size <n>          documents per bulk write (default 1000)
  --concurrency <n>         bulk writes in flight (default 4)
  --no-validate             skip step 4 (validation)
  --resume                  continue the interrupted run in this database from its checkpoints (with the plan
                            and options it was started with)
  --incremental             copy only rows added or changed since the last completed run
  --sync-deletes            with --incremental or --if-exists upsert: delete documents whose rows are gone
  --write-concern <w>       write concern of the data writes: majority, a number of nodes, optionally
                            with journal (majority,j); default: the server's
  --apply-schema            after a clean validation, set each collection's generated $jsonSchema as its
                            validator (checked first: a server without validators stops the run unwritten)
  --json-schema <file>      plan: write the generated $jsonSchema validator of each collection to <file>
  --naming <convention>     plan: collection and field names as-is (default), camelCase or snake_case
  --yes                     rollback: do not ask for confirmation (required without a terminal)
  --force                   rollback: even when later runs touched the same collections
  --connect-timeout <ms>    give up connecting after this long (default 10000)

Sync (after a completed migration; see docs/sync.md):
  --watch                   keep running: sync after every change to the file or its -wal (Ctrl+C stops)
  --interval <time>         with --watch: check at least this often, e.g. 500ms, 2s, 1m (default 2s)
  --validate                validate every collection a sync wrote to (a full comparison of those collections)

Output:
  --report-file <file>      write the full report (JSON) here
  --json                    machine-readable progress: one JSON event per line on stdout
  --quiet                   only the summary
  -h, --help  -v, --version

Exit codes: 0 ok; 1 internal; 2 usage; 10–18 source unreadable; 19 schema changed (sync); 20–27 target problems;
30–31 plan/input file invalid; 32 nothing to resume or history mismatch; 40 rows refused; 41 validation mismatches;
42 rows unaccounted; 130 cancelled.
See docs/migration.md.`;

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw new MigrationError('USAGE', `${name} must be a positive whole number (got ${JSON.stringify(v)}).`);
  return n;
}

/** A duration such as 500ms, 2s, 1.5s or 1m (a bare number is seconds). */
export function parseDuration(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  const ms = m ? Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000 } as const)[(m[2] ?? 's') as 'ms' | 's' | 'm'] : NaN;
  if (!(ms >= 100))
    throw new MigrationError(
      'USAGE',
      `${name} must be a duration of at least 100ms, such as 500ms, 2s or 1m (got ${JSON.stringify(v)}).`,
    );
  return Math.round(ms);
}

function oneOf<T extends string>(name: string, v: string | undefined, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (!allowed.includes(v as T))
    throw new MigrationError('USAGE', `${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)}).`);
  return v as T;
}

/** --write-concern majority | <n> [,j]: e.g. "majority", "2", "majority,j". */
export function parseWriteConcern(v: string | undefined): WriteConcernOption | undefined {
  if (v === undefined) return undefined;
  const [w, ...flags] = v.split(',').map((x) => x.trim());
  const journal = flags.length === 1 && flags[0] === 'j';
  if ((flags.length > 0 && !journal) || !(w === 'majority' || /^\d+$/.test(w))) {
    throw new MigrationError(
      'USAGE',
      `--write-concern must be majority or a number of nodes, optionally followed by ",j" (got ${JSON.stringify(v)}).`,
    );
  }
  return { w: w === 'majority' ? 'majority' : Number(w), ...(journal ? { journal: true } : {}) };
}

export function parseCli(argv: string[]): CliOptions {
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'sqlite-url': { type: 'string' },
        'mongodb-url': { type: 'string' },
        'mongodb-db': { type: 'string' },
        'history-db': { type: 'string' },
        'output-file': { type: 'string' },
        'input-file': { type: 'string' },
        plan: { type: 'string' },
        'include-views': { type: 'boolean' },
        'report-file': { type: 'string' },
        'dry-run': { type: 'boolean' },
        'batch-size': { type: 'string' },
        concurrency: { type: 'string' },
        'if-exists': { type: 'string' },
        'on-error': { type: 'string' },
        'no-validate': { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        'connect-timeout': { type: 'string' },
        resume: { type: 'boolean' },
        incremental: { type: 'boolean' },
        'sync-deletes': { type: 'boolean' },
        'write-concern': { type: 'string' },
        'apply-schema': { type: 'boolean' },
        'json-schema': { type: 'string' },
        naming: { type: 'string' },
        watch: { type: 'boolean' },
        interval: { type: 'string' },
        validate: { type: 'boolean' },
        force: { type: 'boolean' },
        yes: { type: 'boolean', short: 'y' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    }));
  } catch (e) {
    throw new MigrationError('USAGE', (e as Error).message, 'Run sqlite2mongo --help for the options.');
  }
  const [first, ...rest] = positionals;
  const command = (first ?? 'migrate') as Command;
  if (!COMMANDS.includes(command))
    throw new MigrationError('USAGE', `Unknown command ${JSON.stringify(first)}.`, `Commands: ${COMMANDS.join(', ')}.`);
  const runId = command === 'rollback' ? rest.shift() : undefined;
  if (command === 'rollback' && !runId && !values.help)
    throw new MigrationError('USAGE', 'rollback needs the id of a run (see sqlite2mongo history).');
  if (rest.length > 0)
    throw new MigrationError(
      'USAGE',
      `Unexpected argument ${JSON.stringify(rest[0])}.`,
      'Run sqlite2mongo --help for the options.',
    );
  if (values['sync-deletes'] && !values.incremental && values['if-exists'] !== 'upsert')
    throw new MigrationError('USAGE', '--sync-deletes goes with --incremental or --if-exists upsert.');
  if ((values.watch || values.interval || values.validate) && command !== 'sync')
    throw new MigrationError('USAGE', '--watch, --interval and --validate go with the sync command.');
  if (values.naming && command !== 'plan')
    throw new MigrationError('USAGE', '--naming goes with the plan command (the names are then in the plan file).');
  if (values.interval && !values.watch) throw new MigrationError('USAGE', '--interval goes with --watch.');
  return {
    command,
    sqliteUrl: values['sqlite-url'],
    mongodbUrl: values['mongodb-url'] ?? 'mongodb://localhost:27017',
    mongodbDb: values['mongodb-db'],
    historyDb: values['history-db'] || undefined,
    outputFile: values['output-file'],
    inputFile: values['input-file'],
    planFile: values.plan,
    includeViews: !!values['include-views'],
    reportFile: values['report-file'],
    dryRun: !!values['dry-run'],
    batchSize: positiveInt('--batch-size', values['batch-size']),
    concurrency: positiveInt('--concurrency', values.concurrency),
    ifExists: oneOf('--if-exists', values['if-exists'], ['ask', 'drop', 'append', 'upsert', 'fail'] as const, 'ask'),
    onError: oneOf('--on-error', values['on-error'], ['stop', 'skip'] as const, 'stop'),
    validate: !values['no-validate'],
    json: !!values.json,
    quiet: !!values.quiet,
    connectTimeoutMs: positiveInt('--connect-timeout', values['connect-timeout']),
    resume: !!values.resume,
    incremental: !!values.incremental,
    syncDeletes: !!values['sync-deletes'],
    writeConcern: parseWriteConcern(values['write-concern']),
    applySchema: !!values['apply-schema'],
    jsonSchemaFile: values['json-schema'],
    naming: values.naming ? oneOf('--naming', values.naming, NAMING_CONVENTIONS, 'as-is') : undefined,
    watch: !!values.watch,
    intervalMs: parseDuration('--interval', values.interval),
    syncValidate: !!values.validate,
    runId,
    force: !!values.force,
    yes: !!values.yes,
    help: !!values.help,
    version: !!values.version,
  };
}

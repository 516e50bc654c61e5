/**
 * `sqlite2mongo sync`: brings a migrated target to the live source's current state. Each pass reads the state token
 * (headers only); when something was committed, reads a consistent snapshot, finds the changed tables from page
 * digests and compares-and-writes only the collections built from them. A pass that writes is one run in the
 * history, whose record keeps the state the target then matches: the next pass starts from there.
 */
import * as path from 'node:path';
import type { Db, MongoClient } from 'mongodb';
import { MigrationError, isMigrationError } from '../errors';
import { HistoryStore, type MigrationRecord } from '../history/records';
import { checkDatabaseName, connectMongo } from '../mongo/connect';
import type { MappingPlan } from '../plan/types';
import { applyCollection } from './apply';
import { tablesOf } from './dependencies';
import { detectChanges, detectFromPages, pagesSince, type Detection } from './detect';
import { collectionRanges } from './narrow';
import { emptyOutcome, SyncRuns } from './runs';
import { PageHashes } from './pageHashes';
import { openSnapshotSource } from './open';
import type { KeyRange } from './ranges';
import { copySnapshot } from './copySnapshot';
import { readSnapshot, readStateToken, TornReadError, type SyncSnapshot } from './snapshot';
import type { SyncOptions, SyncOutcome } from './types';
import type { SqliteSource } from '../sqlite';
import type { CollectionPlan } from '../plan/types';
import type { SchemaInfo } from '../sqlite/types';

/** One sync's reading side: the snapshot, what changed in it, and per collection its `_id` ranges (undefined: whole). */
interface Work {
  snap: SyncSnapshot;
  plan: MappingPlan;
  detection: Detection;
  affected: CollectionPlan[];
  ranges: Map<string, KeyRange[] | undefined>;
  source: SqliteSource;
  schema: SchemaInfo;
}

export class SyncSession {
  /** The state the target is known to match (kept between passes of a watch loop). */
  private known: { token: string } | undefined;
  /** Watch sessions: a hash of every page of the state the last completed sync recorded. */
  private hashes: PageHashes | undefined;
  private readonly file: string;
  private readonly runs: SyncRuns;
  /** The last pass was refused as torn: the next one reads a private copy rather than risk it again. */
  private lastTorn = false;

  private constructor(
    private readonly opts: SyncOptions,
    private readonly client: MongoClient,
    private readonly db: Db,
    history: HistoryStore,
  ) {
    this.file = path.resolve(opts.sqlitePath);
    this.runs = new SyncRuns(history, opts, this.file);
  }

  static async open(opts: SyncOptions): Promise<SyncSession> {
    checkDatabaseName(opts.database);
    if (opts.historyDatabase) checkDatabaseName(opts.historyDatabase);
    const client = await connectMongo(opts.mongoUrl, { timeoutMs: opts.connectTimeoutMs });
    const db = client.db(opts.database);
    const historyDb = opts.historyDatabase ? client.db(opts.historyDatabase) : undefined;
    return new SyncSession(opts, client, db, new HistoryStore(db, historyDb));
  }

  async close(): Promise<void> {
    await this.client.close().catch(() => undefined);
  }

  private log(level: 'info' | 'warn', message: string): void {
    this.opts.onEvent?.({ type: 'log', level, message });
  }

  /**
   * One sync. `recordUnchanged`: record a run even when nothing needed comparing (a single `sync` command does;
   * a watch loop records only the passes that compared something).
   */
  async syncOnce(recordUnchanged: boolean): Promise<SyncOutcome> {
    const outcome = emptyOutcome();
    const started = Date.now();
    const run: { record?: MigrationRecord; quiet?: boolean } = {};
    try {
      await this.pass(recordUnchanged, outcome, run);
      this.lastTorn = false;
    } catch (e) {
      this.lastTorn = e instanceof TornReadError;
      const err = isMigrationError(e)
        ? e
        : new MigrationError('INTERNAL', e instanceof Error ? e.message : String(e), undefined, { cause: e });
      outcome.status = err.code === 'CANCELLED' ? 'cancelled' : 'failed';
      outcome.error = { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) };
      if (run.record) await this.runs.finish(run.record, outcome, outcome.status).catch(() => undefined);
    } finally {
      outcome.durationMs = Date.now() - started;
    }
    // A watch loop's idle checks (the state token unchanged) stay quiet.
    if (!run.quiet || outcome.error) this.opts.onEvent?.({ type: 'sync-end', outcome });
    return outcome;
  }

  private async pass(
    recordUnchanged: boolean,
    outcome: SyncOutcome,
    run: { record?: MigrationRecord; quiet?: boolean },
  ): Promise<void> {
    const token = readStateToken(this.file);
    if (this.known?.token === token) {
      run.quiet = true;
      return;
    }
    const base = await this.runs.base();
    if (base.sync?.token === token) {
      // Nothing committed since the last sync: no page is read.
      this.known = { token };
      outcome.detection = 'token';
      await this.hashBase(token);
      if (!recordUnchanged) return;
      run.record = await this.runs.start(base, base.source, base.sync, []);
      outcome.runId = run.record._id;
      return this.runs.finish(run.record, outcome, 'completed');
    }
    // Pages on demand first: enough when the WAL narrows every affected collection to its changed rows (a short
    // read). Otherwise, or when the last pass was torn (the application checkpointed in the middle of it), a private
    // copy of the file, which no checkpoint can tear.
    const detecting = performance.now();
    let work = this.lastTorn
      ? undefined
      : await this.prepare(await readSnapshot(this.file, { withFingerprint: !base.sync }), base);
    if (!work) work = (await this.prepare(await copySnapshot(this.file, { withFingerprint: !base.sync }), base))!;
    outcome.detectMs = Math.round(performance.now() - detecting);
    try {
      await this.compare(work, base, recordUnchanged, outcome, run);
    } catch (e) {
      // A page torn by the writer can make SQLite (or the b-tree walker) see a damaged file: if the snapshot no
      // longer holds, that is what happened, and the sync is retried rather than stopped.
      if (!(e instanceof TornReadError)) work.snap.verify();
      throw e;
    } finally {
      work.source.close();
      work.snap.close();
    }
    this.known = { token };
  }

  /**
   * Detects the changes in `snap` and narrows each affected collection where it can. Undefined (the snapshot closed)
   * when `snap` is read on demand and some collection must be compared whole.
   */
  private async prepare(snap: SyncSnapshot, base: MigrationRecord): Promise<Work | undefined> {
    let source: SqliteSource | undefined;
    try {
      const plan = JSON.parse(base.plan) as MappingPlan;
      const changed =
        (base.sync && pagesSince(snap, base.sync)) ??
        (!snap.live && base.sync && this.hashes?.token === base.sync.token ? this.hashes.changedIn(snap) : undefined);
      const detection =
        (changed && detectFromPages(snap, plan, base.sync!, changed)) ??
        (snap.live
          ? undefined
          : detectChanges(snap, plan, base.sync, !base.sync && snap.fingerprint === base.source.fingerprint));
      if (!detection) {
        snap.close();
        return undefined;
      }
      const { affected, whole } = await this.runs.withInterrupted(detection, plan, base, (m) => this.log('info', m));
      const opened = await openSnapshotSource(snap, plan);
      source = opened.source;
      const ranges = new Map<string, KeyRange[] | undefined>();
      for (const c of affected) {
        const narrow =
          detection.changed && !whole.has(c.collection)
            ? collectionRanges(
                {
                  pages: snap.pages,
                  entries: detection.entries,
                  schema: opened.schema,
                  source,
                  changed: detection.changed,
                },
                c,
              )
            : undefined;
        ranges.set(c.collection, narrow);
      }
      snap.verify();
      if (snap.live && [...ranges.values()].some((r) => r === undefined)) {
        source.close();
        snap.close();
        return undefined;
      }
      return { snap, plan, detection, affected, ranges, source, schema: opened.schema };
    } catch (e) {
      source?.close();
      if (!(e instanceof TornReadError)) snap.verify();
      snap.close();
      throw e;
    }
  }

  /** Brings the affected collections to the snapshot and records the sync. */
  private async compare(
    work: Work,
    base: MigrationRecord,
    recordUnchanged: boolean,
    outcome: SyncOutcome,
    run: { record?: MigrationRecord; quiet?: boolean },
  ): Promise<void> {
    const { snap, plan, detection } = work;
    // Collections whose changed pages hold none of their rows (e.g. an index page only) need no compare.
    const affected = work.affected.filter((c) => work.ranges.get(c.collection)?.length !== 0);
    outcome.detection = detection.changed ? 'wal' : 'digests';
    outcome.changedTables = detection.changedTables;
    outcome.pagesHashed = detection.pagesHashed;
    for (const t of detection.newTables) outcome.notes.push(`Table ${t} is new and not in the plan: it is not synced.`);
    if (affected.length === 0 && !recordUnchanged) return;
    run.record = await this.runs.start(
      base,
      { sizeBytes: snap.sizeBytes, fingerprint: snap.fingerprint ?? '' },
      detection.state,
      affected.map((c) => c.collection),
    );
    outcome.runId = run.record._id;
    this.opts.onEvent?.({
      type: 'sync-start',
      changedTables: detection.changedTables,
      collections: affected.map((c) => c.collection),
    });
    if (affected.length > 0) {
      outcome.tablesRead = [...new Set(affected.flatMap(tablesOf))];
      const log = (level: 'info' | 'warn', message: string) => this.log(level, message);
      const ctx = {
        db: this.db,
        source: work.source,
        schema: work.schema,
        options: plan.options,
        sync: this.opts,
        log,
      };
      for (const c of affected)
        outcome.collections.push(
          await applyCollection({ ...ctx, verify: () => snap.verify() }, c, work.ranges.get(c.collection)),
        );
      outcome.status = 'synced';
    }
    snap.verify();
    for (const c of outcome.collections)
      for (const k of ['unchanged', 'replaced', 'inserted', 'deleted', 'failed', 'mismatches'] as const)
        outcome.totals[k] += c[k] ?? 0;
    if (outcome.totals.failed > 0)
      throw new MigrationError(
        'ROWS_FAILED',
        `${outcome.totals.failed} document(s) were refused by the server.`,
        'See the errors above; fix the cause and sync again.',
      );
    if (outcome.totals.mismatches > 0)
      throw new MigrationError(
        'VALIDATION_FAILED',
        `${outcome.totals.mismatches} mismatch(es) between source and target after the sync.`,
      );
    await this.runs.finish(run.record, outcome, 'completed');
    this.trackPages(snap, base, detection);
  }

  /**
   * Watch sessions: hashes the pages of the state the target matches (`token`, the base's) while the file is idle,
   * so that the first changes after a WAL restart — or after a base without a WAL position — are narrowed too.
   */
  private async hashBase(token: string): Promise<void> {
    if (!this.opts.trackPages || this.hashes?.token === token) return;
    let snap: SyncSnapshot | undefined;
    try {
      snap = await readSnapshot(this.file, { attempts: 1 });
      const hashes = snap.token === token ? PageHashes.of(snap) : undefined;
      snap.verify();
      this.hashes = hashes;
    } catch (e) {
      if (!(e instanceof TornReadError)) throw e; // a writer got in first: the next pass syncs its changes instead
    } finally {
      snap?.close();
    }
  }

  /** Keeps the page hashes of the state just recorded (watch sessions), from the last ones where it can. */
  private trackPages(snap: SyncSnapshot, base: MigrationRecord, detection: Detection): void {
    if (!this.opts.trackPages) return;
    try {
      if (detection.changed && base.sync && this.hashes?.token === base.sync.token)
        this.hashes = this.hashes.advance(snap, detection.changed);
      else this.hashes = snap.live ? undefined : PageHashes.of(snap);
      snap.verify(); // the pages just hashed were read after the last check
    } catch {
      this.hashes = undefined; // the next restart of the WAL then costs one whole compare
    }
  }
}

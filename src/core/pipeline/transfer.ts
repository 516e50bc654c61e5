import type { Db } from 'mongodb';
import { MigrationError, throwIfAborted } from '../errors';
import { shardPlannedCollections } from '../mongo/sharding';
import { NdjsonWriter } from '../ndjson/writer';
import type { CollectionPlan } from '../plan/types';
import { CheckpointSaver } from './checkpoints';
import type { RunContext } from './context';
import { changedRowsFilter, documentBuilder, FileCollections, recordWatermark } from './documents';
import type { ProgressMeter } from './progress';
import { CollectionSink } from './sink';
import type { SourceStage } from './source';
import { entryOf, type WritePlan } from './writeMode';

/** The target side of a transfer: absent for dry runs and `sqlite2mongo export`. */
export interface TransferTarget {
  db: Db;
  write: WritePlan;
}

/** The running export and import steps: both meters, and how far each got. */
interface Progress {
  exportMeter: ProgressMeter;
  importMeter: ProgressMeter | undefined;
  exported: number;
  /** Documents handled by the collections already finished. */
  importedBase: number;
  /** Documents this run wrote (not those a resumed run had written before). */
  written: number;
}

/**
 * Steps 1 and 2, streamed: each document goes from the builder straight into the collection's writer (export
 * overlaps import; the writer's bounded pipeline holds the builder back when the server is slower), and into the
 * intermediate file only when --output-file asks for it. `import --input-file` reads the file instead.
 */
export async function transferStep(
  ctx: RunContext,
  src: SourceStage,
  target: TransferTarget | undefined,
): Promise<void> {
  const importing = !!target && ctx.runs('import');
  if (importing) {
    await dropReplacedCollections(target);
    await shardPlannedCollections(target.db, src.plan.collections);
  }
  if (src.kind === 'file') {
    await ctx.step('export', 0, async () => 0, `using ${src.file}`);
    if (importing) await importFile(ctx, src, target);
    return;
  }
  if (!importing && !ctx.opts.outputFile && !ctx.opts.dryRun)
    throw new MigrationError('USAGE', 'Export needs --output-file.');
  const t0 = Date.now();
  ctx.startStep('export', ctx.totalSourceRows());
  if (importing) ctx.startStep('import', ctx.totalSourceRows());
  const progress: Progress = {
    exportMeter: ctx.meter('export', ctx.totalSourceRows()),
    importMeter: importing ? ctx.meter('import', ctx.totalSourceRows()) : undefined,
    exported: 0,
    importedBase: 0,
    written: 0,
  };
  const file = ctx.opts.outputFile
    ? await NdjsonWriter.create(ctx.opts.outputFile, {
        source: { path: src.source.path, sizeBytes: src.source.sizeBytes, fingerprint: src.source.fingerprint },
        plan: src.plan,
        schema: src.schema,
      })
    : undefined;
  const saver = new CheckpointSaver(ctx, target?.write.record);
  try {
    for (const plan of src.plan.collections)
      await transferCollection(ctx, src, plan, importing ? target : undefined, file, saver, progress);
    await file?.finish();
    progress.exportMeter.flush();
    ctx.endStep('export', timing(progress.exported, Date.now() - t0));
  } catch (e) {
    await file?.abort();
    throw e;
  } finally {
    // Also when cancelled or failed part-way: the report says how far the export got.
    ctx.report.totals.exported = progress.exported;
    progress.exportMeter.stop();
    progress.importMeter?.stop();
  }
  if (!importing) return ctx.step('import', 0, async () => 0, ctx.opts.dryRun ? 'dry run: nothing written' : undefined);
  progress.importMeter?.flush();
  ctx.endStep('import', timing(progress.written, Date.now() - t0));
}

/** --if-exists drop: the collections are dropped just before their documents are written anew. */
async function dropReplacedCollections(target: TransferTarget): Promise<void> {
  for (const [name, mode] of target.write.modes) {
    if (mode.kind === 'insert' && mode.drop)
      await target.db
        .collection(name)
        .drop()
        .catch(() => undefined);
  }
}

function timing(items: number, durationMs: number) {
  return { durationMs, items, ratePerSec: durationMs > 0 ? Math.round((items * 1000) / durationMs) : items };
}

async function transferCollection(
  ctx: RunContext,
  src: Extract<SourceStage, { kind: 'sqlite' }>,
  plan: CollectionPlan,
  target: TransferTarget | undefined,
  file: NdjsonWriter | undefined,
  saver: CheckpointSaver,
  progress: Progress,
): Promise<void> {
  const name = plan.collection;
  const report = ctx.collection(name);
  const mode = target?.write.modes.get(name);
  if (mode?.kind === 'skip' && !file) {
    report.imported = entryOf(target?.write.record, name)?.imported ?? 0;
    progress.importedBase += report.imported;
    return;
  }
  if (target) recordWatermark(src.source, src, plan, entryOf(target.write.record, name));
  const sink =
    target && mode && mode.kind !== 'skip'
      ? new CollectionSink(ctx, target.db, plan, mode, target.write.record, saver, (n) =>
          progress.importMeter?.update(progress.importedBase + n, name),
        )
      : undefined;
  const filter = mode?.kind === 'changed' ? changedRowsFilter(src, plan, target?.write.base) : {};
  const builder = documentBuilder(src, plan);
  try {
    for (const { doc } of builder.documents(ctx.warn, { ...filter, refuse: ctx.ledger.refuse })) {
      report.exported++;
      progress.exported++;
      if (file) await file.writeDocument(plan.table, name, doc);
      // A document over 16 MiB is counted by the builder as a 'document-too-large' warning (export and dry run too).
      const waiting = sink?.add(doc, plan.table);
      if (waiting) await waiting;
      if ((progress.exported & 255) === 0) {
        throwIfAborted(ctx.opts.signal);
        progress.exportMeter.update(progress.exported, name);
        // Let timers and I/O (progress output, cancel requests) run during a long synchronous read.
        await new Promise<void>((r) => setImmediate(r));
      }
    }
    progress.exportMeter.update(progress.exported, name);
    ctx.ledger.built(name, builder.counts);
    await sink?.finish();
  } catch (e) {
    await sink?.abort();
    throw e;
  } finally {
    progress.written += sink?.handledThisRun() ?? 0;
  }
  if (mode?.kind === 'skip') report.imported = entryOf(target?.write.record, name)?.imported ?? 0;
  progress.importedBase += sink?.handled() ?? report.imported;
}

/** `import --input-file`: the intermediate file's documents into MongoDB, collection by collection. */
async function importFile(
  ctx: RunContext,
  src: Extract<SourceStage, { kind: 'file' }>,
  target: TransferTarget,
): Promise<void> {
  const planned = new Map(src.plan.collections.map((c) => [c.collection, c]));
  const rows = new FileCollections(src.file, new Set(planned.keys()));
  const saver = new CheckpointSaver(ctx, target.write.record);
  try {
    await ctx.step('import', 0, async (meter) => {
      let base = 0;
      let written = 0;
      for (let name = await rows.nextCollection(); name; name = await rows.nextCollection()) {
        const plan = planned.get(name) as CollectionPlan;
        const report = ctx.collection(name);
        const mode = target.write.modes.get(name) ?? { kind: 'skip' };
        const sink =
          mode.kind === 'skip'
            ? undefined
            : new CollectionSink(ctx, target.db, plan, mode, target.write.record, saver, (n) =>
                meter.update(base + n, name),
              );
        try {
          for await (const { doc } of rows.documents(name)) {
            report.exported++;
            const waiting = sink?.add(doc, plan.table);
            if (waiting) await waiting;
          }
          await sink?.finish();
        } catch (e) {
          await sink?.abort();
          throw e;
        } finally {
          written += sink?.handledThisRun() ?? 0;
        }
        if (!sink) report.imported = entryOf(target.write.record, name)?.imported ?? 0;
        base += sink?.handled() ?? report.imported;
      }
      ctx.report.totals.exported = ctx.report.collections.reduce((n, c) => n + c.exported, 0);
      return written;
    });
  } finally {
    await rows.close();
  }
}

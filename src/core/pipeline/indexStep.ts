import { MongoServerError, type Db } from 'mongodb';
import { throwIfAborted } from '../errors';
import { createPlannedIndexes } from '../mongo/indexes';
import type { MappingPlan } from '../plan/types';
import type { RunContext } from './context';

/**
 * A table without rows gets no documents, and MongoDB creates a collection only on its first write: create the
 * planned collections still missing, empty, so the application finds every one in place (with its indexes).
 */
async function createEmptyCollections(ctx: RunContext, plan: MappingPlan, db: Db): Promise<void> {
  const present = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
  const created: string[] = [];
  for (const c of plan.collections) {
    if (present.has(c.collection)) continue;
    try {
      await db.createCollection(c.collection);
    } catch (e) {
      // NamespaceExists: another writer created it meanwhile, which is just as good.
      if (!(e instanceof MongoServerError && e.code === 48)) throw e;
    }
    created.push(c.collection);
  }
  if (created.length > 0)
    ctx.report.notes.push(
      `Created ${created.length === 1 ? 'an empty collection' : `${created.length} empty collections`} (no rows to copy, indexes as planned): ${created.join(', ')}.`,
    );
}

/**
 * Step 3: the collections without documents (created empty), then the planned indexes, one by one (a failure is
 * reported and does not hide the others).
 */
export async function indexStep(ctx: RunContext, plan: MappingPlan, db: Db | undefined): Promise<void> {
  if (!db) return ctx.step('indexes', 0, async () => 0, 'dry run: nothing written');
  const total = plan.collections.reduce((n, c) => n + c.indexes.length, 0);
  await ctx.step('indexes', total, async (meter) => {
    await createEmptyCollections(ctx, plan, db);
    let done = 0;
    for (const c of plan.collections) {
      throwIfAborted(ctx.opts.signal);
      const outcomes = await createPlannedIndexes(db.collection(c.collection), c.indexes);
      ctx.collection(c.collection).indexes = outcomes;
      for (const o of outcomes) {
        if (o.status === 'failed')
          ctx.log('error', `Index ${o.name} on ${c.collection} (${o.keys}) failed: ${o.message}`);
        if (o.status === 'created-non-unique') ctx.log('warn', `Index ${o.name} on ${c.collection}: ${o.message}`);
      }
      done += outcomes.length;
      meter.update(done, c.collection);
    }
    return done;
  });
}

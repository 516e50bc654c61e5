import type { Db } from 'mongodb';
import { throwIfAborted } from '../errors';
import { createPlannedIndexes } from '../mongo/indexes';
import type { MappingPlan } from '../plan/types';
import type { RunContext } from './context';

/** Step 3: the planned indexes, one by one (a failure is reported and does not hide the others). */
export async function indexStep(ctx: RunContext, plan: MappingPlan, db: Db | undefined): Promise<void> {
  if (!db) return ctx.step('indexes', 0, async () => 0, 'dry run: nothing written');
  const total = plan.collections.reduce((n, c) => n + c.indexes.length, 0);
  await ctx.step('indexes', total, async (meter) => {
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

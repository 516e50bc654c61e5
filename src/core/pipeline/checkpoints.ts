import type { RunContext } from './context';
import type { RunRecord } from './writeMode';

const CHECKPOINT_INTERVAL_MS = 1000;

/** Saves the run's checkpoints at most once a second, one write at a time; a failed save only delays the next one. */
export class CheckpointSaver {
  private last = 0;
  private saving: Promise<void> | undefined;

  constructor(
    private readonly ctx: RunContext,
    private readonly run: RunRecord | undefined,
  ) {}

  maybeSave(): void {
    if (!this.run || this.saving || Date.now() - this.last < CHECKPOINT_INTERVAL_MS) return;
    this.saving = this.save().finally(() => (this.saving = undefined));
  }

  async save(): Promise<void> {
    const { run } = this;
    if (!run) return;
    this.last = Date.now();
    await run.store
      .update(
        run.record._id,
        { collections: run.record.collections },
        { durable: true, w: this.ctx.opts.writeConcern?.w },
      )
      .catch((e: Error) => this.ctx.log('warn', `Could not save the checkpoint (will retry): ${e.message}`));
  }

  async flush(): Promise<void> {
    await this.saving;
    await this.save();
  }
}

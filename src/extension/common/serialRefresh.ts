/**
 * Runs a refresh so that two never overlap and none is lost: a call while one is running asks for one more run
 * after it, and resolves when a run that started after the call has finished. Without it, two refreshes that each
 * read in their own engine worker can finish out of order and leave the older result on screen.
 */
export class SerialRefresh {
  private requested = 0;
  private started = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly work: () => Promise<void>) {}

  run(): Promise<void> {
    this.requested++;
    this.running ??= this.loop();
    return this.running;
  }

  private async loop(): Promise<void> {
    let failed: { error: unknown } | undefined;
    while (this.started < this.requested) {
      this.started = this.requested;
      try {
        await this.work();
        failed = undefined;
      } catch (error) {
        failed = { error }; // a later run may still succeed; the callers see the last run's outcome
      }
    }
    // Cleared in the same turn as the last check above, so a later call always starts a new loop.
    this.running = undefined;
    if (failed) throw failed.error;
  }
}

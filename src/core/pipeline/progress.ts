/** A progress event at least this often while a step runs, even when no batch finished (slow servers, long scans). */
const HEARTBEAT_MS = 1000;

/** Turns a stream of counter updates into at most ~10 progress events a second, with a smoothed rate. */
export class ProgressMeter {
  private last = 0;
  private readonly t0 = Date.now();
  private done = 0;
  private collection: string | undefined;
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private total: number,
    private readonly emit: (done: number, total: number, ratePerSec: number, collection?: string) => void,
    private readonly intervalMs = 100,
  ) {
    this.heartbeat = setInterval(() => {
      if (Date.now() - this.last >= HEARTBEAT_MS - 50) this.flush();
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  update(done: number, collection?: string): void {
    this.done = done;
    this.collection = collection;
    const now = Date.now();
    if (now - this.last >= this.intervalMs) this.send(now);
  }

  flush(): void {
    this.send(Date.now());
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  private send(now: number): void {
    this.last = now;
    const elapsed = (now - this.t0) / 1000;
    if (this.done > this.total) this.total = this.done;
    this.emit(this.done, this.total, elapsed > 0 ? Math.round(this.done / elapsed) : 0, this.collection);
  }
}

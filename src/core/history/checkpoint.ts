/**
 * Batches finish out of order (several are in flight). The checkpoint is the number of documents, in source order,
 * covered by the contiguous run of finished batches from the start: everything before it is known to be written.
 */
export class PrefixTracker {
  private next = 0;
  private readonly finished = new Map<number, number>();
  count: number;

  constructor(start = 0) {
    this.count = start;
  }

  /** Batch `seq` (0, 1, 2… in source order) of `size` documents is written. */
  complete(seq: number, size: number): void {
    this.finished.set(seq, size);
    while (this.finished.has(this.next)) {
      this.count += this.finished.get(this.next) as number;
      this.finished.delete(this.next);
      this.next++;
    }
  }
}

/**
 * Group commit: callers submit one item each and wait for its answer; items that arrive while a
 * batch is being written go into the next one, written by a single call. Idle, an item is
 * written at once (no added latency); under load, one transaction carries hundreds of items.
 */
export class GroupCommit<I, O> {
  private pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  private running = false;

  constructor(
    /** Writes a batch and answers each item, in order. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch = 500,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (!this.running) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.running = true;
    // let the items of this turn of the event loop join the first batch
    await new Promise<void>((r) => setImmediate(r));
    while (this.pending.length) {
      const batch = this.pending.splice(0, this.maxBatch);
      try {
        const answers = await this.write(batch.map((b) => b.item));
        batch.forEach((b, i) => b.resolve(answers[i]!));
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.running = false;
  }
}

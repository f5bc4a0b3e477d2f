/**
 * Live updates that need a query first (a node's current chunk and earnings, a job's cost) still
 * go out in the order they were asked for: each loads at once, but emits only after every earlier
 * one. A later "online" overtaken by an earlier "busy" would leave the dispatcher, and every
 * console, believing the node is busy.
 */
export class OrderedEmitter {
  private tail: Promise<void> = Promise.resolve();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Emits with what `load` found (null when it failed: the update goes out without it). Never rejects. */
  after<T>(load: Promise<T>, emit: (loaded: T | null) => void): Promise<void> {
    const loaded = load.catch((err: unknown) => {
      this.onError(err);
      return null;
    });
    this.tail = this.tail.then(async () => emit(await loaded)).catch(this.onError);
    return this.tail;
  }
}

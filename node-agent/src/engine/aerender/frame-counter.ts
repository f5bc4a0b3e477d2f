/**
 * Counts distinct frames. aerender's `(N)` is chunk-relative and, under multi-frame rendering,
 * arrives out of order and repeated (one line per progress update of the same frame).
 */
export class FrameCounter {
  readonly #seen = new Set<number>();
  #last: number | null = null;

  /** Records frame `n`; true when it had not been seen before. */
  add(n: number): boolean {
    this.#last = n;
    if (this.#seen.has(n)) return false;
    this.#seen.add(n);
    return true;
  }

  get count(): number {
    return this.#seen.size;
  }

  /** The most recently reported frame (not the highest), or null before any. */
  get last(): number | null {
    return this.#last;
  }
}

/**
 * Coalesces frequent updates: at most one call per `intervalMs` (the first at once, later ones
 * trailing), so a fast render does not flood the coordinator with one message per frame.
 */
export class ProgressThrottle<T> {
  readonly #intervalMs: number;
  readonly #deliver: (value: T) => void;
  #lastAt = Number.NEGATIVE_INFINITY;
  #latest: { value: T } | null = null;
  #delivered: { value: T } | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(intervalMs: number, deliver: (value: T) => void) {
    this.#intervalMs = intervalMs;
    this.#deliver = deliver;
  }

  update(value: T): void {
    this.#latest = { value };
    if (this.#timer) return;
    const wait = this.#lastAt + this.#intervalMs - Date.now();
    if (wait <= 0) this.#send();
    else this.#timer = setTimeout(() => this.#send(), wait);
  }

  /** Delivers `value` (or the pending update) now unless it was the last delivered, and stops the timer. */
  finish(value?: T, same: (a: T, b: T) => boolean = Object.is): void {
    this.#clear();
    if (value !== undefined) this.#latest = { value };
    const latest = this.#latest;
    if (latest && !(this.#delivered && same(this.#delivered.value, latest.value))) this.#send();
  }

  #send(): void {
    this.#clear();
    const latest = this.#latest;
    if (!latest) return;
    this.#lastAt = Date.now();
    this.#delivered = latest;
    this.#deliver(latest.value);
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}

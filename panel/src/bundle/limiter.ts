/** Runs at most `limit` tasks at once; the rest wait in order. */
export class Limiter {
  readonly #limit: number;
  #active = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`A concurrency limit is a whole number from 1, not ${limit}.`);
    this.#limit = limit;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#limit) await new Promise<void>((go) => this.#waiting.push(go));
    this.#active += 1;
    try {
      return await task();
    } finally {
      this.#active -= 1;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * Maps over `items` with at most `limit` at once. After the first failure no more are started;
 * the ones running are waited for (abort them through their own signal), then it is thrown.
 */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limiter = new Limiter(limit);
  const results: R[] = new Array(items.length);
  let failure: { error: unknown } | undefined;
  await Promise.all(
    items.map((item, i) =>
      limiter.run(async () => {
        if (failure) return;
        try {
          results[i] = await fn(item, i);
        } catch (error) {
          failure ??= { error };
        }
      }),
    ),
  );
  if (failure) throw failure.error;
  return results;
}

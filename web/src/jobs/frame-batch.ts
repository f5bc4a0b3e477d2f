/** How long live edits gather before the page renders them: four renders a second at most. */
export const GATHER_MS = 250;

/**
 * The first painted frame after GATHER_MS, or a second from now if that comes first: a hidden tab
 * paints no frames, and its edits must not pile up until it is shown again.
 */
export function nextFrame(run: () => void): void {
  let ran = false;
  const once = () => {
    if (ran) return;
    ran = true;
    run();
  };
  setTimeout(() => requestAnimationFrame(once), GATHER_MS);
  setTimeout(once, 1000);
}

/**
 * Collects edits and applies them together (see nextFrame): a busy fleet sends hundreds of
 * progress events a second, and the page should re-render a few times a second, not per event.
 * `schedule` is nextFrame in the browser; tests pass their own.
 */
export function createFrameBatch<T>(apply: (edits: ((value: T) => T)[]) => void, schedule: (run: () => void) => unknown = nextFrame) {
  let queued: ((value: T) => T)[] = [];
  let pending = false;
  let stopped = false;
  return {
    push(edit: (value: T) => T): void {
      if (stopped) return;
      queued.push(edit);
      if (pending) return;
      pending = true;
      schedule(() => {
        pending = false;
        if (stopped) return;
        const edits = queued;
        queued = [];
        apply(edits);
      });
    },
    stop(): void {
      stopped = true;
      queued = [];
    },
  };
}

/** Applies the edits in order. */
export function applyAll<T>(value: T, edits: readonly ((value: T) => T)[]): T {
  return edits.reduce((v, edit) => edit(v), value);
}

import { useEffect, useState } from 'preact/hooks';
import { applyAll, createFrameBatch } from './frame-batch.js';

/**
 * A `push(edit)` whose edits reach `set` together once per animation frame, for live events
 * that arrive faster than the screen paints. Edits pushed after unmount are dropped.
 */
export function useFrameBatch<T>(set: (edit: (value: T) => T) => void): (edit: (value: T) => T) => void {
  const [batch] = useState(() => createFrameBatch<T>((edits) => set((value) => applyAll(value, edits))));
  useEffect(() => () => batch.stop(), []);
  return batch.push;
}

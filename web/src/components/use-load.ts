import { useCallback, useEffect, useState } from 'preact/hooks';

export type Loaded<T> = { status: 'loading' } | { status: 'error'; error: unknown } | { status: 'ready'; data: T };

/** Runs `load` on mount and when `deps` change; `reload` runs it again; `set` edits the data in place (live updates). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []) {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    let current = true;
    load().then(
      (data) => current && setState({ status: 'ready', data }),
      (error: unknown) => current && setState({ status: 'error', error }),
    );
    return () => {
      current = false;
    };
  }, [...deps, round]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  const set = useCallback((edit: (data: T) => T) => setState((s) => (s.status === 'ready' ? { status: 'ready', data: edit(s.data) } : s)), []);
  return { state, reload, set };
}

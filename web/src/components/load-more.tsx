import { useState } from 'preact/hooks';

export interface MoreState {
  busy: boolean;
  error: string | null;
}

/** One "next page" fetch at a time, with its failure kept to show beside the button. */
export function useMore(): { state: MoreState; run(fetchNext: () => Promise<void>): void } {
  const [state, setState] = useState<MoreState>({ busy: false, error: null });
  const run = (fetchNext: () => Promise<void>) => {
    setState({ busy: true, error: null });
    fetchNext().then(
      () => setState({ busy: false, error: null }),
      (err: unknown) => setState({ busy: false, error: err instanceof Error ? err.message : String(err) }),
    );
  };
  return { state, run };
}

/** The button under a keyset-paginated table, and why the last page did not come. */
export function LoadMoreButton({ testId, label, state, onClick }: { testId: string; label: string; state: MoreState; onClick: () => void }) {
  return (
    <p>
      <button type="button" data-testid={testId} disabled={state.busy} onClick={onClick}>
        {state.busy ? 'Loading…' : label}
      </button>
      {state.error && (
        <span class="inline-error" role="alert">
          {' '}
          {state.error}
        </span>
      )}
    </p>
  );
}

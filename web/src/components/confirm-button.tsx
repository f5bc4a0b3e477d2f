import { useState } from 'preact/hooks';
import { ApiCallError } from '../api/client.js';

/**
 * A button for an action that needs a second thought: the first click asks, the second does it.
 * Shows the server's refusal beside it.
 */
export function ConfirmButton({ label, confirm, action, danger, testId }: { label: string; confirm: string; action: () => Promise<unknown>; danger?: boolean; testId?: string }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setAsking(false);
    } catch (err) {
      setError(err instanceof ApiCallError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  if (!asking) {
    return (
      <span class="confirm">
        <button type="button" class={danger ? 'danger' : ''} data-testid={testId} onClick={() => setAsking(true)}>
          {label}
        </button>
        {error && <span class="inline-error" role="alert">{error}</span>}
      </span>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={confirm}>
      <span class="confirm-question">{confirm}</span>
      <button type="button" class={danger ? 'danger' : 'primary'} disabled={busy} data-testid={testId ? `${testId}-confirm` : undefined} onClick={() => void run()}>
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        No
      </button>
    </span>
  );
}

/**
 * "Live" while events arrive (connected, and the subscription accepted); otherwise why not, and
 * what the page does instead (`whenRefused`).
 */
export function LiveIndicator({ live, refused, whenRefused = 'The list refreshes when you come back to this tab or press Refresh.' }: { live: boolean; refused: string | null; whenRefused?: string }) {
  const text = live ? 'Live' : refused ? 'Not live' : 'Connecting…';
  const title = refused ? `${refused} ${whenRefused}` : live ? 'Changes appear as they happen.' : 'Reconnecting to the coordinator; the page reloads its data once connected.';
  return (
    <span class="fleet-live" title={title} aria-live="polite" data-testid="live-indicator">
      <span class={live ? 'live-dot on' : 'live-dot'} aria-hidden="true" />
      {text}
    </span>
  );
}

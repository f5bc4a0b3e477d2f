/** "Live" while fleet events arrive; otherwise why not, and that the page refreshes instead. */
export function LiveIndicator({ live, refused }: { live: boolean; refused: string | null }) {
  const text = live ? 'Live' : refused ? 'Not live' : 'Connecting…';
  const title = refused ? `${refused} The list refreshes when you come back to this tab or press Refresh.` : live ? 'Changes appear as they happen.' : 'Reconnecting to the coordinator; the list reloads once connected.';
  return (
    <span class="fleet-live" title={title} aria-live="polite" data-testid="live-indicator">
      <span class={live ? 'live-dot on' : 'live-dot'} aria-hidden="true" />
      {text}
    </span>
  );
}

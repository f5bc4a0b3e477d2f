import type { ComponentChildren } from 'preact';

/** One number on a card; the value keeps its width as it ticks (tabular figures). */
export function StatCard({ label, value, testId, children }: { label: string; value: string | number; testId?: string; children?: ComponentChildren }) {
  return (
    <div class="card stat">
      <div class="label">{label}</div>
      <div class="value num stat-value" data-testid={testId}>
        {value}
      </div>
      {children && <div class="stat-note muted">{children}</div>}
    </div>
  );
}

/** A bar from real frame counts; the label keeps its width as numbers tick (tabular figures). */
export function ProgressBar({ done, total, label, testId }: { done: number; total: number; label?: string; testId?: string }) {
  const pct = total > 0 ? Math.min(100, (done / total) * 100) : 0;
  return (
    <div class="progress" data-testid={testId} role="progressbar" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done} aria-label={label ?? 'Frames rendered'}>
      <div class="progress-fill" style={{ transform: `scaleX(${pct / 100})` }} />
      <span class="progress-text num">
        {done}/{total}
      </span>
    </div>
  );
}

import type { Chunk } from '@cloudexport/shared';
import { useMemo } from 'preact/hooks';
import { countStatuses, frameStrip } from '../jobs/frame-strip.js';

/** Cells per row: a short job fills one row, a long one wraps into rows of this many. */
const COLUMNS = 60;

/** Every frame of the job as a cell coloured done / rendering / queued / failed; long jobs group frames per cell. */
export function JobFrameStrip({ chunks, frameStart, frameEnd }: { chunks: readonly Chunk[]; frameStart: number; frameEnd: number }) {
  const cells = useMemo(() => frameStrip(chunks, frameStart, frameEnd, 240), [chunks, frameStart, frameEnd]);
  const counts = useMemo(() => countStatuses(chunks, frameStart, frameEnd), [chunks, frameStart, frameEnd]);
  const per = cells.length > 0 ? cells[0]!.to - cells[0]!.from + 1 : 1;
  return (
    <div class="frame-strip-wrap" data-testid="job-frames">
      <div class="frame-strip" style={{ gridTemplateColumns: `repeat(${Math.max(1, Math.min(cells.length, COLUMNS))}, 1fr)` }} role="img" aria-label={`Frames ${frameStart}–${frameEnd}: ${counts.done} done, ${counts.rendering} rendering, ${counts.queued} queued${counts.failed ? `, ${counts.failed} failed` : ''}.`}>
        {cells.map((c) => (
          <span key={c.from} class={`frame-cell ${c.status}`} title={c.from === c.to ? `Frame ${c.from}: ${c.status}` : `Frames ${c.from}–${c.to}: ${c.done} done (${c.status})`} />
        ))}
      </div>
      <p class="frame-legend muted">
        <span class="frame-cell done" aria-hidden="true" /> <span class="num">{counts.done}</span> done <span class="frame-cell rendering" aria-hidden="true" /> <span class="num">{counts.rendering}</span> rendering{' '}
        <span class="frame-cell queued" aria-hidden="true" /> <span class="num">{counts.queued}</span> queued
        {counts.failed > 0 && (
          <>
            {' '}
            <span class="frame-cell failed" aria-hidden="true" /> <span class="num">{counts.failed}</span> failed
          </>
        )}
        {per > 1 && <> · one cell is {per} frames</>}
      </p>
    </div>
  );
}

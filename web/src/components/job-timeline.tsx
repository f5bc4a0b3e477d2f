import type { ChunkAttempt } from '@cloudexport/shared';
import { useMemo } from 'preact/hooks';
import { dateTime, duration } from '../format/format.js';
import { timelineLayout } from '../jobs/timeline-layout.js';

const OUTCOME_LABEL = { running: 'running', done: 'done', failed: 'failed', lost: 'lost (node gone)', cancelled: 'cancelled' } as const;

/**
 * Chunks per node over time: a lane per node, a bar per attempt coloured by how it ended. The
 * drawing is hidden from screen readers; the list under it says the same in words.
 */
export function JobTimeline({ attempts, now }: { attempts: readonly ChunkAttempt[]; now: number }) {
  const layout = useMemo(() => timelineLayout(attempts, now), [attempts, now]);
  if (!layout) {
    return (
      <div class="state state-empty" data-testid="job-timeline">
        No node has taken a chunk yet. Bars appear here, one lane per node, as chunks are assigned.
      </div>
    );
  }
  return (
    <div class="timeline card" data-testid="job-timeline">
      <div class="timeline-lanes" aria-hidden="true">
        {layout.lanes.map((lane) => (
          <div class="timeline-lane" key={lane.nodeId}>
            <span class="timeline-node" title={lane.nodeName}>
              {lane.nodeName}
            </span>
            <svg class="timeline-svg" viewBox="0 0 1000 20" preserveAspectRatio="none" role="presentation">
              {lane.bars.map((b) => (
                <rect key={b.attemptId} class={`timeline-bar ${b.outcome}`} x={b.x * 1000} y={2} width={Math.max(2, b.width * 1000)} height={16} rx={2}>
                  <title>{`Chunk ${b.chunkIndex} (${b.frames}): ${OUTCOME_LABEL[b.outcome]}, ${duration((b.end - b.start) / 1000)}${b.message ? ` — ${b.message}` : ''}`}</title>
                </rect>
              ))}
            </svg>
          </div>
        ))}
        <div class="timeline-axis muted">
          <span>{dateTime(new Date(layout.start).toISOString())}</span>
          <span class="num">+{duration((layout.end - layout.start) / 1000)}</span>
        </div>
        <div class="timeline-key muted">
          {(['done', 'running', 'failed', 'lost', 'cancelled'] as const).map((o) => (
            <span key={o}>
              <span class={`timeline-swatch ${o}`} /> {o}
            </span>
          ))}
        </div>
      </div>
      <details class="timeline-list">
        <summary>Timeline as a list</summary>
        <ul>
          {layout.lanes.map((lane) => (
            <li key={lane.nodeId}>
              {lane.nodeName}
              <ul>
                {lane.bars.map((b) => (
                  <li key={b.attemptId}>
                    Chunk {b.chunkIndex} ({b.frames}): {OUTCOME_LABEL[b.outcome]}, from {dateTime(new Date(b.start).toISOString())} for {duration((b.end - b.start) / 1000)}
                    {b.message ? ` — ${b.message}` : ''}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      </details>
    </div>
  );
}

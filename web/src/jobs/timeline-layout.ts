import type { AttemptOutcome, ChunkAttempt } from '@cloudexport/shared';

export interface TimelineBar {
  attemptId: string;
  chunkIndex: number;
  frames: string;
  outcome: AttemptOutcome;
  start: number;
  end: number;
  /** 0–1 along the time axis. */
  x: number;
  width: number;
  message: string | null;
}

export interface TimelineLane {
  nodeId: string;
  nodeName: string;
  bars: TimelineBar[];
}

export interface TimelineLayout {
  start: number;
  end: number;
  lanes: TimelineLane[];
}

type LaneAttempt = Pick<ChunkAttempt, 'id' | 'nodeId' | 'nodeName' | 'chunkIndex' | 'frameStart' | 'frameEnd' | 'kind' | 'outcome' | 'startedAt' | 'endedAt' | 'message'>;

/**
 * One lane per node, in the order nodes first took work, with a bar per attempt from its start to
 * its end (running ones to `now`), placed on a shared time axis from the first start to the last end.
 */
export function timelineLayout(attempts: readonly LaneAttempt[], now: number): TimelineLayout | null {
  if (attempts.length === 0) return null;
  const spans = attempts.map((a) => {
    const start = Date.parse(a.startedAt);
    const end = a.endedAt ? Date.parse(a.endedAt) : a.outcome === 'running' ? Math.max(now, start) : start;
    return { a, start, end: Math.max(start, end) };
  });
  const start = Math.min(...spans.map((s) => s.start));
  // a span of at least a second, so a single instant attempt still draws
  const end = Math.max(start + 1000, ...spans.map((s) => s.end));
  const lanes = new Map<string, TimelineLane>();
  for (const { a, start: s, end: e } of [...spans].sort((x, y) => x.start - y.start)) {
    let lane = lanes.get(a.nodeId);
    if (!lane) lanes.set(a.nodeId, (lane = { nodeId: a.nodeId, nodeName: a.nodeName, bars: [] }));
    lane.bars.push({
      attemptId: a.id,
      chunkIndex: a.chunkIndex,
      frames: a.kind === 'frames' ? `frames ${a.frameStart}–${a.frameEnd}` : a.kind,
      outcome: a.outcome,
      start: s,
      end: e,
      x: (s - start) / (end - start),
      width: (e - s) / (end - start),
      message: a.message,
    });
  }
  return { start, end, lanes: [...lanes.values()] };
}

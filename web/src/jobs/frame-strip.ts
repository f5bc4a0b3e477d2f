import { isActiveChunkState, type Chunk } from '@cloudexport/shared';

export type FrameStatus = 'done' | 'rendering' | 'queued' | 'failed';

/** One cell of the strip: a run of comp frames, coloured by its least advanced frame. */
export interface StripCell {
  from: number;
  /** Inclusive. */
  to: number;
  status: FrameStatus;
  /** Frames of the cell that are done. */
  done: number;
}

type StripChunk = Pick<Chunk, 'kind' | 'frameStart' | 'frameEnd' | 'state' | 'framesDone'>;

/** A run of frames [from, to] sharing one status. */
interface Segment {
  from: number;
  to: number;
  status: FrameStatus;
}


/**
 * The job's frames as runs of one status. A chunk renders its frames in order from frameStart,
 * so its first `framesDone` frames are done; the rest are rendering while a node holds the
 * chunk, failed once the chunk failed for good, queued otherwise. Runs, not one entry per frame:
 * a job may have millions of frames.
 */
export function frameSegments(chunks: readonly StripChunk[]): Segment[] {
  const segments: Segment[] = [];
  for (const c of chunks) {
    if (c.kind !== 'frames' || c.frameEnd < c.frameStart) continue;
    const rest: FrameStatus = c.state === 'DONE' ? 'done' : c.state === 'FAILED' ? 'failed' : isActiveChunkState(c.state) ? 'rendering' : 'queued';
    const doneUpTo = c.state === 'DONE' ? c.frameEnd : Math.min(c.frameEnd, c.frameStart + Math.max(0, c.framesDone) - 1);
    if (doneUpTo >= c.frameStart) segments.push({ from: c.frameStart, to: doneUpTo, status: 'done' });
    if (doneUpTo < c.frameEnd) segments.push({ from: Math.max(c.frameStart, doneUpTo + 1), to: c.frameEnd, status: rest });
  }
  return segments.sort((a, b) => a.from - b.from);
}

// a cell shows its least advanced frame: it is green only when every frame in it is done
const RANK: Record<FrameStatus, number> = { failed: 0, queued: 1, rendering: 2, done: 3 };

/**
 * The strip for a job of any length: one cell per frame up to `maxCells`, else runs of equal
 * size (the last may be shorter). Frames no chunk covers count as queued.
 */
export function frameStrip(chunks: readonly StripChunk[], frameStart: number, frameEnd: number, maxCells = 240): StripCell[] {
  const total = frameEnd - frameStart + 1;
  if (total <= 0) return [];
  const per = Math.max(1, Math.ceil(total / Math.max(1, maxCells)));
  const segments = frameSegments(chunks);
  const cells: StripCell[] = [];
  let s = 0;
  for (let from = frameStart; from <= frameEnd; from += per) {
    const to = Math.min(frameEnd, from + per - 1);
    while (s < segments.length && segments[s]!.to < from) s++;
    let status: FrameStatus = 'done';
    let done = 0;
    let covered = 0;
    for (let i = s; i < segments.length && segments[i]!.from <= to; i++) {
      const seg = segments[i]!;
      const overlap = Math.min(to, seg.to) - Math.max(from, seg.from) + 1;
      if (overlap <= 0) continue;
      covered += overlap;
      if (seg.status === 'done') done += overlap;
      if (RANK[seg.status] < RANK[status]) status = seg.status;
    }
    if (covered < to - from + 1 && RANK.queued < RANK[status]) status = 'queued';
    // some frames done and the rest waiting: the cell is under way, not queued
    if (status === 'queued' && done > 0) status = 'rendering';
    cells.push({ from, to, status, done });
  }
  return cells;
}

/** How many frames are in each status: the strip's legend. */
export function countStatuses(chunks: readonly StripChunk[], frameStart: number, frameEnd: number): Record<FrameStatus, number> {
  const counts: Record<FrameStatus, number> = { done: 0, rendering: 0, queued: 0, failed: 0 };
  let covered = 0;
  for (const seg of frameSegments(chunks)) {
    const n = Math.min(frameEnd, seg.to) - Math.max(frameStart, seg.from) + 1;
    if (n <= 0) continue;
    counts[seg.status] += n;
    covered += n;
  }
  counts.queued += Math.max(0, frameEnd - frameStart + 1 - covered);
  return counts;
}

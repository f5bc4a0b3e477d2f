export interface FrameRange {
  index: number;
  frameStart: number;
  /** Inclusive. */
  frameEnd: number;
}

/** Below this, aerender's start-up (tens of seconds) dominates the chunk. */
export const MIN_CHUNK_FRAMES = 10;
/** Above this, one lost node costs too much re-rendering. */
export const MAX_CHUNK_FRAMES = 500;
/** Chunks per eligible node, so a slow node does not hold the job's tail. */
export const CHUNKS_PER_NODE = 2;

/** Adaptive chunk size: enough chunks to use every eligible node, none too small. */
export function chooseChunkSize(frameCount: number, eligibleNodes: number): number {
  const wanted = Math.max(1, eligibleNodes) * CHUNKS_PER_NODE;
  const size = Math.ceil(frameCount / wanted);
  return Math.min(MAX_CHUNK_FRAMES, Math.max(MIN_CHUNK_FRAMES, size), Math.max(1, frameCount));
}

/** Splits the inclusive range [start, end] into consecutive chunks of at most `chunkSize` frames. */
export function splitFrames(frameStart: number, frameEnd: number, chunkSize: number): FrameRange[] {
  if (!Number.isInteger(frameStart) || !Number.isInteger(frameEnd) || frameEnd < frameStart) {
    throw new RangeError(`Bad frame range ${frameStart}–${frameEnd}.`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1) throw new RangeError(`Bad chunk size ${chunkSize}.`);
  const ranges: FrameRange[] = [];
  for (let start = frameStart, index = 0; start <= frameEnd; start += chunkSize, index++) {
    ranges.push({ index, frameStart: start, frameEnd: Math.min(frameEnd, start + chunkSize - 1) });
  }
  return ranges;
}

/** One job's chunk rows stay few enough to list, schedule and show on a timeline. */
export const MAX_CHUNKS_PER_JOB = 10_000;

import type { Chunk, FrameProgress, Job } from '@cloudexport/shared';

// How live events edit what a page shows. Each returns the same array when nothing changed, so
// a page re-renders only for events about what it shows.

/** A `job` event: replace the job where it is shown; `add` decides whether an unseen job joins at the top. */
export function applyJob(jobs: readonly Job[], job: Job, add: (job: Job) => boolean = () => false): readonly Job[] {
  const at = jobs.findIndex((j) => j.id === job.id);
  if (at === -1) return add(job) ? [job, ...jobs] : jobs;
  // an event older than what we have (a late one after a reload) must not roll the row back
  if (Date.parse(job.updatedAt) < Date.parse(jobs[at]!.updatedAt)) return jobs;
  const next = jobs.slice();
  next[at] = job;
  return next;
}

/** A `progress` event: the job's frame count, summed by the coordinator. */
export function applyJobProgress(jobs: readonly Job[], p: FrameProgress): readonly Job[] {
  const at = jobs.findIndex((j) => j.id === p.jobId);
  if (at === -1) return jobs;
  const job = jobs[at]!;
  if (job.framesDone === p.jobFramesDone && job.framesTotal === p.framesTotal) return jobs;
  const next = jobs.slice();
  next[at] = { ...job, framesDone: p.jobFramesDone, framesTotal: p.framesTotal };
  return next;
}

/** A `chunk` event: replace the chunk, or add it (assembly chunks appear late) in index order. */
export function applyChunk(chunks: readonly Chunk[], chunk: Chunk): readonly Chunk[] {
  const at = chunks.findIndex((c) => c.id === chunk.id);
  if (at === -1) return [...chunks, chunk].sort((a, b) => a.index - b.index);
  if (Date.parse(chunk.updatedAt) < Date.parse(chunks[at]!.updatedAt)) return chunks;
  const next = chunks.slice();
  next[at] = chunk;
  return next;
}

/** A `progress` event: the chunk's frame count. */
export function applyChunkProgress(chunks: readonly Chunk[], p: FrameProgress): readonly Chunk[] {
  const at = chunks.findIndex((c) => c.id === p.chunkId);
  if (at === -1 || chunks[at]!.framesDone === p.chunkFramesDone) return chunks;
  const next = chunks.slice();
  next[at] = { ...chunks[at]!, framesDone: p.chunkFramesDone };
  return next;
}

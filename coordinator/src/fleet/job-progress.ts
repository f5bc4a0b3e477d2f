import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ChunkState, deriveJobState, isTerminalJobState, JobState, jobStateAfterFailure } from '@cloudexport/shared';
import { recordAudit } from '../audit/audit-log.js';
import { ChunkEntity, JobEntity, type JobRow } from '../db/entities/index.js';
import { moveJob } from '../jobs/job-service.js';

const system = { kind: 'system' as const, id: null };

/**
 * Brings a job's state and frame count in line with its chunks, through the transition table.
 * A chunk failed for good fails the job (FAILED → PERMANENTLY_FAILED) with that chunk's error.
 * Returns the job, and the chunks left open when it ended (the caller revokes them).
 */
export async function refreshJob(tx: EntityManager, jobId: string, now: Date): Promise<{ job: JobRow; closed: { id: string; nodeId: string | null; epoch: number }[] }> {
  const job = await tx.findOneOrFail(JobEntity, { id: jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  // aggregates, not rows: a job may have thousands of chunks and this runs on every progress report
  const byState = await tx.getConnection().execute<{ state: ChunkState; frames: string | number }[]>(
    'select state, coalesce(sum(frames_done), 0) as frames from chunks where job_id = ? group by state',
    [jobId],
    'all',
    tx.getTransactionContext(),
  );
  job.framesDone = byState.reduce((sum, r) => sum + Number(r.frames), 0);
  job.updatedAt = now;
  const closed: { id: string; nodeId: string | null; epoch: number }[] = [];
  if (isTerminalJobState(job.state)) return { job, closed };

  const audit = (r: Parameters<typeof recordAudit>[3]) => recordAudit(tx, now, system, r);
  const target = deriveJobState(byState.map((r) => r.state));
  if (target === job.state) return { job, closed };
  if (target === JobState.PERMANENTLY_FAILED) {
    const failed = await tx.findOneOrFail(ChunkEntity, { jobId, state: ChunkState.FAILED }, { orderBy: { index: 'asc' } });
    moveJob(job, JobState.FAILED, now, audit);
    // a chunk that three nodes could not render will not render on a retry of the job either
    moveJob(job, jobStateAfterFailure(Number.POSITIVE_INFINITY), now, audit);
    job.error = `Chunk ${failed.index + 1} (frames ${failed.frameStart}–${failed.frameEnd}) failed on 3 different nodes: ${failed.error ?? 'no message'}`;
    job.finishedAt = now;
    const open = await tx.find(ChunkEntity, { jobId, state: { $nin: [ChunkState.DONE, ChunkState.FAILED, ChunkState.CANCELLED] } });
    for (const c of open) closed.push({ id: c.id, nodeId: c.nodeId ?? null, epoch: c.epoch });
    if (closed.length) {
      await tx.nativeUpdate(ChunkEntity, { id: { $in: closed.map((c) => c.id) } }, { state: ChunkState.CANCELLED, leaseExpiresAt: null, updatedAt: now });
    }
    return { job, closed };
  }
  moveJob(job, target, now, audit);
  if (target === JobState.COMPLETED) job.finishedAt = now;
  return { job, closed };
}

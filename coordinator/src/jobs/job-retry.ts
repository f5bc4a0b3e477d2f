import { LockMode } from '@mikro-orm/core';
import { assertChunkRetry, canRetryJob, ChunkKind, ChunkState, deriveJobState, ErrorCode, JobState } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import { recordAudit, type AuditRecord } from '../audit/audit-log.js';
import { ChunkEntity, JobEntity, NodeJobBlockEntity, type ChunkRow, type JobRow } from '../db/entities/index.js';
import { lockJob } from '../fleet/job-progress.js';
import { canSee, moveJob, type JobWrite } from './job-service.js';

/**
 * Runs a failed or cancelled job again, in one transaction: its chunks that are not DONE start
 * afresh (QUEUED, a new attempt, no error, no failing nodes counted), an assembly waits again for
 * frames still to render, the nodes blocked from the job may take it again, and the job goes
 * through RETRY back to running with its error cleared. Done chunks, and what they were charged,
 * stay as they are. Returns the job and the chunks it changed.
 */
export async function retryJob({ em, principal, actor, now }: Omit<JobWrite, 'storageHours'>, jobId: string): Promise<{ job: JobRow; requeued: ChunkRow[] }> {
  return em.transactional(async (tx) => {
    const audit = (r: AuditRecord) => recordAudit(tx, now, actor, r);
    const visible = await tx.findOne(JobEntity, { id: jobId }, { fields: ['ownerId'] });
    if (!visible || !canSee(principal, visible)) throw ApiError.notFound('job', jobId);
    const job = await lockJob(tx, jobId);
    if (!canRetryJob(job.state)) throw refusal(job);
    const chunks = await tx.find(ChunkEntity, { jobId }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { index: 'asc' } });
    const render = chunks.filter((c) => c.kind !== ChunkKind.assemble);
    const framesLeft = render.some((c) => c.state !== ChunkState.DONE);
    const requeued: ChunkRow[] = [];
    for (const chunk of chunks) {
      if (chunk.state === ChunkState.DONE) continue;
      const to = chunk.kind === ChunkKind.assemble && framesLeft ? ChunkState.WAITING : ChunkState.QUEUED;
      assertChunkRetry(chunk.state, to);
      Object.assign(chunk, { state: to, attempt: chunk.attempt + 1, nodeId: null, failedNodeIds: [], framesDone: 0, leaseExpiresAt: null, error: null, warnings: [], updatedAt: now });
      requeued.push(chunk);
    }
    const unblocked = await tx.nativeDelete(NodeJobBlockEntity, { jobId });
    const from = job.state;
    moveJob(job, JobState.RETRY, now, audit);
    const assembly = chunks.find((c) => c.kind === ChunkKind.assemble);
    moveJob(job, deriveJobState([...new Set(render.map((c) => c.state))], assembly?.state ?? null), now, audit);
    job.retries += 1;
    job.error = null;
    job.finishedAt = null;
    audit({ action: 'job.retry', targetType: 'job', targetId: job.id, details: { from, requeued: requeued.length, unblockedNodes: unblocked, retries: job.retries } });
    return { job, requeued };
  });
}

function refusal(job: JobRow): ApiError {
  const why =
    job.state === JobState.COMPLETED
      ? 'it completed, so there is nothing to render again; submit it again for a new render'
      : 'it is still running; only a failed or cancelled job can be retried (cancel it first to start over)';
  return ApiError.conflict(`Job ${job.id} is ${job.state}: ${why}.`, ErrorCode.illegalTransition);
}

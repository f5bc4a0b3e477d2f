import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { assertChunkTransition, CHUNK_STATES, ChunkKind, ChunkState, deriveJobState, isTerminalJobState, JobState, jobStateAfterFailure } from '@cloudexport/shared';
import { recordAudit } from '../audit/audit-log.js';
import { ChunkEntity, JobEntity, type ChunkRow, type JobRow, type NodeRow } from '../db/entities/index.js';
import { moveJob } from '../jobs/job-service.js';
import { endAttempt, releaseNode } from './release-hold.js';

const system = { kind: 'system' as const, id: null };

/**
 * Locks a job row FOR NO KEY UPDATE: inserting a chunk attempt takes a KEY SHARE lock on its job
 * (the foreign key), and two transactions upgrading KEY SHARE to FOR UPDATE deadlock each other.
 */
export async function lockJob(tx: EntityManager, jobId: string): Promise<JobRow> {
  await tx.getConnection().execute('select id from jobs where id = ? for no key update', [jobId], 'all', tx.getTransactionContext());
  return tx.findOneOrFail(JobEntity, { id: jobId }, { refresh: true });
}

/** Which states a job's render chunks (frames, audio) have — one index probe per state, however many chunks — and its assembly's. */
export async function presentStates(em: EntityManager, jobId: string): Promise<{ render: ChunkState[]; assembly: ChunkState | null }> {
  const rows = await em.getConnection().execute<{ state: ChunkState }[]>(
    `select s.state from (values ${CHUNK_STATES.map(() => '(?)').join(', ')}) as s(state)
      where exists (select 1 from chunks c where c.state = s.state and c.job_id = ? and c.kind <> 'assemble')`,
    [...CHUNK_STATES, jobId],
    'all',
    em.getTransactionContext(),
  );
  const [assembly] = await em
    .getConnection()
    .execute<{ state: ChunkState }[]>(`select state from chunks where job_id = ? and kind = 'assemble'`, [jobId], 'all', em.getTransactionContext());
  return { render: rows.map((r) => r.state), assembly: assembly?.state ?? null };
}

const derive = (present: { render: ChunkState[]; assembly: ChunkState | null }) => deriveJobState(present.render, present.assembly);

/** Frames rendered so far, per job: summed from the chunks, never kept twice. */
export async function framesDone(em: EntityManager, jobIds: string[]): Promise<Map<string, number>> {
  if (jobIds.length === 0) return new Map();
  const rows = await em.getConnection().execute<{ job_id: string; frames: string | number }[]>(
    `select job_id, coalesce(sum(frames_done), 0) as frames from chunks where job_id in (${jobIds.map(() => '?').join(', ')}) and kind = 'frames' group by job_id`,
    jobIds,
    'all',
    em.getTransactionContext(),
  );
  return new Map(rows.map((r) => [r.job_id, Number(r.frames)]));
}

export interface JobSync {
  job: JobRow;
  changed: boolean;
  /** Chunks left open when the job failed; their nodes must drop them. */
  closed: { id: string; nodeId: string | null; epoch: number }[];
  /** The assembly chunk queued now that every frame is in: there is work for a node. */
  promoted: ChunkRow | null;
  /** Nodes that held a chunk of the job when it failed: free for other work now. */
  released: NodeRow[];
}

/**
 * Brings a job's state in line with its chunks, through the transition table. Called after a
 * chunk change commits: the call that runs last sees every committed change, so concurrent
 * chunk updates cannot leave the job behind, and the job row is locked only when it moves.
 * A chunk failed for good fails the job (FAILED → PERMANENTLY_FAILED) with that chunk's error.
 */
export async function syncJobState(orm: MikroORM, jobId: string, now: Date): Promise<JobSync> {
  const em = orm.em.fork();
  const current = await em.findOneOrFail(JobEntity, { id: jobId });
  if (isTerminalJobState(current.state) || derive(await presentStates(em, jobId)) === current.state) {
    return { job: current, changed: false, closed: [], promoted: null, released: [] };
  }
  return em.transactional(async (tx) => {
    const job = await lockJob(tx, jobId);
    const closed: JobSync['closed'] = [];
    const unchanged = { job, changed: false, closed, promoted: null, released: [] };
    if (isTerminalJobState(job.state)) return unchanged;
    const present = await presentStates(tx, jobId);
    const target = derive(present);
    if (target === job.state) return unchanged;
    const audit = (r: Parameters<typeof recordAudit>[3]) => recordAudit(tx, now, system, r);
    job.framesDone = (await framesDone(tx, [jobId])).get(jobId) ?? 0;
    if (target === JobState.PERMANENTLY_FAILED) {
      const failed = await tx.findOneOrFail(ChunkEntity, { jobId, state: ChunkState.FAILED }, { orderBy: { index: 'asc' } });
      moveJob(job, JobState.FAILED, now, audit);
      // a chunk that three nodes could not render will not render on a retry of the job either
      moveJob(job, jobStateAfterFailure(Number.POSITIVE_INFINITY), now, audit);
      job.error = failureMessage(failed);
      job.finishedAt = now;
      const open = await tx.find(ChunkEntity, { jobId, state: { $nin: [ChunkState.DONE, ChunkState.FAILED, ChunkState.CANCELLED] } });
      for (const c of open) closed.push({ id: c.id, nodeId: c.nodeId ?? null, epoch: c.epoch });
      if (closed.length) {
        await tx.nativeUpdate(ChunkEntity, { id: { $in: closed.map((c) => c.id) } }, { state: ChunkState.CANCELLED, leaseExpiresAt: null, updatedAt: now });
      }
      // their nodes hold nothing any more: otherwise they would stay busy with a dead chunk
      const released: NodeRow[] = [];
      for (const c of closed.filter((x) => x.nodeId)) {
        await endAttempt(tx, c, 'cancelled', 'cancelled', 'the job failed', now);
        const node = await releaseNode(tx, c.nodeId!, c.id, now);
        if (node) released.push(node);
      }
      return { job, changed: true, closed, promoted: null, released };
    }
    let promoted: ChunkRow | null = null;
    if (target === JobState.ASSEMBLING && present.assembly === ChunkState.WAITING) {
      // every frame (and the sound) is in: the assembly may now go to a node
      promoted = await tx.findOneOrFail(ChunkEntity, { jobId, kind: ChunkKind.assemble });
      assertChunkTransition(promoted.state, ChunkState.QUEUED);
      promoted.state = ChunkState.QUEUED;
      promoted.updatedAt = now;
    }
    moveJob(job, target, now, audit);
    if (target === JobState.COMPLETED) job.finishedAt = now;
    return { job, changed: true, closed, promoted, released: [] };
  });
}

/** Why the job failed for good, from its first chunk that failed for good. */
function failureMessage(failed: ChunkRow): string {
  const tried = new Set(failed.failedNodeIds).size;
  const where = tried === 1 ? 'on its node' : `on ${tried} different nodes`;
  if (failed.kind === ChunkKind.assemble) return `Assembling the deliverable failed ${where}: ${failed.error ?? 'no message'}`;
  if (failed.kind === ChunkKind.audio) return `Rendering the comp's audio failed ${where}: ${failed.error ?? 'no message'}`;
  return `Chunk ${failed.index + 1} (frames ${failed.frameStart}–${failed.frameEnd}) failed ${where}: ${failed.error ?? 'no message'}`;
}

/** Safety net for a coordinator that died between a chunk change and the job's sync. */
export async function reconcileJobs(orm: MikroORM, now: Date, limit = 200): Promise<number> {
  const jobs = await orm.em.fork().find(
    JobEntity,
    { state: { $nin: [JobState.COMPLETED, JobState.PERMANENTLY_FAILED, JobState.CANCELLED, JobState.CREATED] } },
    { fields: ['id'], orderBy: { updatedAt: 'asc' }, limit },
  );
  let moved = 0;
  for (const j of jobs) if ((await syncJobState(orm, j.id, now)).changed) moved++;
  return moved;
}

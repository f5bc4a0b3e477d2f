import type { EntityManager } from '@mikro-orm/postgresql';
import { microsToUsd, type ChunkAttempt } from '@cloudexport/shared';
import { ChunkEntity, JobEntity, NodeEntity, type ChunkAttemptRow } from '../db/entities/index.js';

/**
 * Attempts as the API shows them, with their chunk, job name and node name: three batched reads
 * whatever the page size. A chunk's aerender warnings go with its latest attempt, the one whose
 * epoch the chunk is under.
 */
export async function attemptDtos(em: EntityManager, attempts: ChunkAttemptRow[]): Promise<ChunkAttempt[]> {
  if (attempts.length === 0) return [];
  const ids = <K extends 'chunkId' | 'jobId' | 'nodeId'>(k: K) => [...new Set(attempts.map((a) => a[k]))];
  const chunks = await em.find(ChunkEntity, { id: { $in: ids('chunkId') } }, { fields: ['id', 'index', 'kind', 'frameStart', 'frameEnd', 'epoch', 'warnings'] });
  const jobs = await em.find(JobEntity, { id: { $in: ids('jobId') } }, { fields: ['id', 'name'] });
  const nodes = await em.find(NodeEntity, { id: { $in: ids('nodeId') } }, { fields: ['id', 'name'] });
  const chunkOf = new Map(chunks.map((c) => [c.id, c]));
  const jobName = new Map(jobs.map((j) => [j.id, j.name]));
  const nodeName = new Map(nodes.map((n) => [n.id, n.name]));
  return attempts.map((a) => {
    const chunk = chunkOf.get(a.chunkId)!;
    return {
      id: a.id,
      chunkId: a.chunkId,
      jobId: a.jobId,
      jobName: jobName.get(a.jobId) ?? '',
      nodeId: a.nodeId,
      nodeName: nodeName.get(a.nodeId) ?? '',
      chunkIndex: chunk.index,
      kind: chunk.kind,
      frameStart: chunk.frameStart,
      frameEnd: chunk.frameEnd,
      epoch: a.epoch,
      outcome: a.outcome,
      reason: a.reason ?? null,
      message: a.message ?? null,
      warnings: a.epoch === chunk.epoch ? chunk.warnings : [],
      startedAt: a.startedAt.toISOString(),
      endedAt: a.endedAt ? a.endedAt.toISOString() : null,
      chargedUsd: a.chargedMicros == null ? null : microsToUsd(a.chargedMicros),
    };
  });
}

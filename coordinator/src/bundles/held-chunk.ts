import type { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { AckCode, isActiveChunkState, type Ack } from '@cloudexport/shared';
import { ChunkEntity, JobEntity, type ChunkRow, type JobRow } from '../db/entities/index.js';

export type Refusal = Extract<Ack, { ok: false }>;

export const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

/**
 * The chunk and its job, if — and only if — this node holds the chunk under this epoch, as
 * every chunk message is fenced: a node can open or upload for nothing it was not assigned.
 */
export async function heldChunk(em: EntityManager, nodeId: string, ref: { chunkId: string; epoch: number }, lockMode?: LockMode): Promise<{ chunk: ChunkRow; job: JobRow } | Refusal> {
  const chunk = await em.findOne(ChunkEntity, { id: ref.chunkId }, lockMode ? { lockMode } : {});
  if (!chunk) return refuse(AckCode.notYours, `No chunk ${ref.chunkId}.`);
  if (chunk.epoch !== ref.epoch || (chunk.nodeId === nodeId && !isActiveChunkState(chunk.state))) {
    return refuse(AckCode.staleEpoch, `Chunk ${chunk.id} is no longer yours (epoch ${ref.epoch}, now ${chunk.epoch}, ${chunk.state}).`);
  }
  if (chunk.nodeId !== nodeId) return refuse(AckCode.notYours, `Chunk ${chunk.id} is not assigned to this node.`);
  const job = await em.findOneOrFail(JobEntity, { id: chunk.jobId });
  return { chunk, job };
}

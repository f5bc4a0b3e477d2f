import type { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { ObjectStorage } from '../storage/object-storage.js';
import { ChunkEntity, JobEntity, type ChunkRow, type JobRow } from '../db/entities/index.js';
import { fencingRefusal, type Refusal } from '../fleet/fencing.js';

export type { Refusal };

/** What the node-facing bundle messages (bundle:open, output:begin, assembly:open) work with. */
export interface BundleDeps {
  orm: MikroORM;
  storage: ObjectStorage;
  masterKey: Uint8Array;
}

export const refuse = (code: Refusal['code'], message: string): Refusal => ({ ok: false, code, message });

/**
 * The chunk and its job, if — and only if — this node holds the chunk under this epoch, as
 * every chunk message is fenced: a node can open or upload for nothing it was not assigned.
 */
export async function heldChunk(em: EntityManager, nodeId: string, ref: { chunkId: string; epoch: number }, lockMode?: LockMode): Promise<{ chunk: ChunkRow; job: JobRow } | Refusal> {
  const chunk = await em.findOne(ChunkEntity, { id: ref.chunkId }, lockMode ? { lockMode } : {});
  const refusal = fencingRefusal(chunk, nodeId, ref);
  if (refusal || !chunk) return refusal!;
  const job = await em.findOneOrFail(JobEntity, { id: chunk.jobId });
  return { chunk, job };
}

import { AckCode, isActiveChunkState, type Ack, type ChunkState } from '@cloudexport/shared';

export type Refusal = Extract<Ack, { ok: false }>;

/**
 * The fencing rule every chunk message obeys: a node may act on a chunk only while it holds it
 * under the epoch it names. Answers why not, or null when it does. A message under an old epoch,
 * or for a chunk taken back since, is stale; one from a node the chunk was never given is not its.
 */
export function fencingRefusal(
  chunk: { id: string; nodeId?: string | null; epoch: number; state: ChunkState } | null | undefined,
  nodeId: string,
  ref: { chunkId: string; epoch: number },
): Refusal | null {
  if (!chunk) return { ok: false, code: AckCode.notYours, message: `No chunk ${ref.chunkId}.` };
  const holder = chunk.nodeId ?? null;
  if (chunk.epoch !== ref.epoch || holder === null || (holder === nodeId && !isActiveChunkState(chunk.state))) {
    return { ok: false, code: AckCode.staleEpoch, message: `Chunk ${chunk.id} is no longer yours (epoch ${ref.epoch}, now ${chunk.epoch}, ${chunk.state}).` };
  }
  if (holder !== nodeId) return { ok: false, code: AckCode.notYours, message: `Chunk ${chunk.id} is not assigned to this node.` };
  return null;
}

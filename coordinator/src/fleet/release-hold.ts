import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { NodeState } from '@cloudexport/shared';
import { ChunkAttemptEntity, NodeEntity, type AttemptOutcome, type NodeRow } from '../db/entities/index.js';

/** Closes the running attempt of a chunk under this epoch with how it ended. */
export async function endAttempt(tx: EntityManager, chunk: { id: string; epoch: number }, outcome: AttemptOutcome, reason: string | null, message: string | null, now: Date): Promise<void> {
  await tx.nativeUpdate(ChunkAttemptEntity, { chunkId: chunk.id, epoch: chunk.epoch, outcome: 'running' }, { outcome, reason, message: message?.slice(0, 4000) ?? null, endedAt: now });
}

/** The node no longer holds `chunkId`: idle again (or still draining / disabled). */
export async function releaseNode(tx: EntityManager, nodeId: string, chunkId: string, now: Date, update?: (n: NodeRow) => void): Promise<NodeRow | null> {
  const node = await tx.findOne(NodeEntity, { id: nodeId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
  if (!node) return null;
  if (node.currentChunkId === chunkId) node.currentChunkId = null;
  if (node.state === NodeState.busy) node.state = NodeState.online;
  update?.(node);
  node.updatedAt = now;
  return node;
}

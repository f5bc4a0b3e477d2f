import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { NodeEntity, type NodeRow } from '../db/entities/index.js';
import { ApiError } from './api-error.js';
import { isAdmin, type Principal } from './principal.js';

/** The node, if the caller owns it or is an admin; otherwise a 404, so ids do not reveal other owners' nodes. */
export async function visibleNode(em: EntityManager, id: string, principal: Principal, lock = false): Promise<NodeRow> {
  const node = await em.findOne(NodeEntity, { id }, lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
  if (!node || (node.ownerId !== principal.userId && !isAdmin(principal))) throw ApiError.notFound('node', id);
  return node;
}

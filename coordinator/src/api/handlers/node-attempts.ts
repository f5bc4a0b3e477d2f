import type { ApiRoutes } from '@cloudexport/shared';
import { ChunkAttemptEntity } from '../../db/entities/index.js';
import { attemptDtos } from '../attempt-views.js';
import type { Handler } from '../build-router.js';
import { findPage } from '../pagination.js';
import { visibleNode } from '../visible-node.js';

/** What a node rendered, failed or lost, newest first, a page at a time (owner or admin). */
export const listNodeAttempts: Handler<ApiRoutes['listNodeAttempts']> = async ({ em, params, query, principal }) => {
  const node = await visibleNode(em, params.id, principal);
  const where = { nodeId: node.id, ...(query.outcome ? { outcome: query.outcome } : {}) };
  const page = await findPage(em, ChunkAttemptEntity, where, query, 'startedAt');
  return { items: await attemptDtos(em, page.rows), nextCursor: page.nextCursor };
};

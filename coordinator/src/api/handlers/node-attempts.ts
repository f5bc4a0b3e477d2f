import type { ApiRoutes } from '@cloudexport/shared';
import { ChunkAttemptEntity } from '../../db/entities/index.js';
import { attemptDtos } from '../attempt-views.js';
import type { Handler } from '../build-router.js';
import { isAdmin } from '../principal.js';
import { findPage } from '../pagination.js';
import { visibleNode } from '../visible-node.js';

/**
 * What a node rendered, failed or lost, newest first, a page at a time (owner or admin). Whose
 * job it was is not the owner's business: the job's name goes to admins only, as on the node itself.
 */
export const listNodeAttempts: Handler<ApiRoutes['listNodeAttempts']> = async ({ em, params, query, principal }) => {
  const node = await visibleNode(em, params.id, principal);
  const where = { nodeId: node.id, ...(query.outcome ? { outcome: query.outcome } : {}) };
  const page = await findPage(em, ChunkAttemptEntity, where, query, 'startedAt');
  const items = await attemptDtos(em, page.rows);
  return { items: isAdmin(principal) ? items : items.map((a) => ({ ...a, jobName: '' })), nextCursor: page.nextCursor };
};

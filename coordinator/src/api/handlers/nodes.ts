import type { ApiRoutes } from '@cloudexport/shared';
import { NodeEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { nodeDto } from '../dto.js';
import { afterCursor, decodeCursor, pageFrom } from '../pagination.js';
import { isAdmin } from '../principal.js';

export const listNodes: Handler<ApiRoutes['listNodes']> = async ({ em, query, principal }) => {
  if (query.ownerId && query.ownerId !== principal.userId && !isAdmin(principal)) {
    throw ApiError.forbidden('Only admins may list another provider’s nodes.');
  }
  const ownerId = query.ownerId ?? (isAdmin(principal) ? undefined : principal.userId);
  const rows = await em.find(
    NodeEntity,
    { ...(ownerId ? { ownerId } : {}), ...(query.state ? { state: query.state } : {}), ...afterCursor('createdAt', decodeCursor(query.cursor)) },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: query.limit + 1 },
  );
  const page = pageFrom(rows, query.limit, (n) => n.createdAt);
  return { items: page.rows.map(nodeDto), nextCursor: page.nextCursor };
};

export const getNode: Handler<ApiRoutes['getNode']> = async ({ em, params, principal }) => {
  const node = await em.findOne(NodeEntity, { id: params.id });
  if (!node || (node.ownerId !== principal.userId && !isAdmin(principal))) throw ApiError.notFound('node', params.id);
  return nodeDto(node);
};

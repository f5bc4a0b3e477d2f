import type { ApiRoutes } from '@cloudexport/shared';
import { NodeEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { nodeDto } from '../dto.js';
import { ownerScope } from '../owner-scope.js';
import { findPage } from '../pagination.js';
import { isAdmin } from '../principal.js';

export const listNodes: Handler<ApiRoutes['listNodes']> = async ({ em, query, principal }) => {
  const where = { ...ownerScope(principal, query.ownerId, 'nodes'), ...(query.state ? { state: query.state } : {}) };
  const page = await findPage(em, NodeEntity, where, query, 'createdAt');
  return { items: page.rows.map(nodeDto), nextCursor: page.nextCursor };
};

export const getNode: Handler<ApiRoutes['getNode']> = async ({ em, params, principal }) => {
  const node = await em.findOne(NodeEntity, { id: params.id });
  if (!node || (node.ownerId !== principal.userId && !isAdmin(principal))) throw ApiError.notFound('node', params.id);
  return nodeDto(node);
};

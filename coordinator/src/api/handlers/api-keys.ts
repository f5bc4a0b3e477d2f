import { randomUUID } from 'node:crypto';
import type { ApiRoutes } from '@cloudexport/shared';
import { generateApiKey, hashApiKey } from '../../auth/api-key-secret.js';
import { ApiKeyEntity, UserEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { apiKeyDto } from '../dto.js';
import { ownerScope } from '../owner-scope.js';
import { findPage } from '../pagination.js';
import { isAdmin } from '../principal.js';

export const listApiKeys: Handler<ApiRoutes['listApiKeys']> = async ({ em, query, principal }) => {
  const where = ownerScope(principal, query.userId, 'API keys', false);
  const page = await findPage(em, ApiKeyEntity, { userId: where.ownerId }, query, 'createdAt');
  return { items: page.rows.map(apiKeyDto), nextCursor: page.nextCursor };
};

export const createApiKey: Handler<ApiRoutes['createApiKey']> = async ({ em, body, principal, now, audit }) => {
  const userId = body.userId ?? principal.userId;
  if (userId !== principal.userId) {
    if (!isAdmin(principal)) throw ApiError.forbidden('Only admins may create API keys for another user.');
    if (!(await em.count(UserEntity, { id: userId }))) throw ApiError.notFound('user', userId);
  }
  const { key, prefix } = generateApiKey();
  const row = em.create(ApiKeyEntity, { id: randomUUID(), userId, name: body.name, prefix, hash: hashApiKey(key), createdAt: now, lastUsedAt: null, revokedAt: null });
  audit({ action: 'apikey.create', targetType: 'api_key', targetId: row.id, details: { userId, name: body.name, prefix } });
  await em.flush();
  return { apiKey: apiKeyDto(row), key };
};

export const revokeApiKey: Handler<ApiRoutes['revokeApiKey']> = async ({ em, params, principal, now, audit }) => {
  const row = await em.findOne(ApiKeyEntity, { id: params.id });
  if (!row || (row.userId !== principal.userId && !isAdmin(principal))) throw ApiError.notFound('API key', params.id);
  if (!row.revokedAt) {
    row.revokedAt = now;
    audit({ action: 'apikey.revoke', targetType: 'api_key', targetId: row.id, details: { userId: row.userId, prefix: row.prefix } });
    await em.flush();
  }
  return apiKeyDto(row);
};

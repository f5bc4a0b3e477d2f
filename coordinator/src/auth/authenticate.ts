import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import type { Principal } from '../api/principal.js';
import { ApiKeyEntity, UserEntity } from '../db/entities/index.js';
import { hashApiKey } from './api-key-secret.js';

/** lastUsedAt is a hint for humans; writing it on every request would double the load. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Resolves `Authorization: Bearer <key>` to a principal, or throws 401. */
export async function authenticate(em: EntityManager, authorization: string | undefined, now: Date): Promise<Principal> {
  if (!authorization) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Missing API key. Send it as `Authorization: Bearer <key>`.');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Malformed Authorization header. Use `Authorization: Bearer <key>`.');
  }
  const key = await em.findOne(ApiKeyEntity, { hash: hashApiKey(match[1]!) });
  if (!key || key.revokedAt) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Invalid or revoked API key. Create a new key, or ask an admin for one.');
  }
  const user = await em.findOne(UserEntity, { id: key.userId });
  if (!user || user.disabled) {
    throw new ApiError(401, ErrorCode.unauthorized, 'This account is disabled. Ask an admin to re-enable it.');
  }
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await em.nativeUpdate(ApiKeyEntity, { id: key.id }, { lastUsedAt: now });
  }
  return { userId: user.id, role: user.role, email: user.email, credential: { kind: 'apiKey', id: key.id } };
}

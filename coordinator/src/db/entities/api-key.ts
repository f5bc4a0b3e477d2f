import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';

export const ApiKeyEntity = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: p.uuid().primary(),
    userId: p.manyToOne(UserEntity).mapToPk().fieldName('user_id').deleteRule('cascade').index(),
    name: p.string().length(100),
    /** Visible start of the key, to recognise it in lists; never enough to use it. */
    prefix: p.string().length(32),
    /** sha256 of the whole key: keys are 256-bit random, so a slow hash buys nothing. */
    hash: p.string().length(64).unique(),
    createdAt: p.datetime(),
    lastUsedAt: p.datetime().nullable(),
    revokedAt: p.datetime().nullable(),
  },
});
export type ApiKeyRow = InferEntity<typeof ApiKeyEntity>;

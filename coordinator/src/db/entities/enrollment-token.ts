import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';

export const EnrollmentTokenEntity = defineEntity({
  name: 'EnrollmentToken',
  tableName: 'enrollment_tokens',
  properties: {
    id: p.uuid().primary(),
    ownerId: p.manyToOne(UserEntity).mapToPk().fieldName('owner_id').deleteRule('cascade').index(),
    hash: p.string().length(64).unique(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    nodeId: p.uuid().nullable(),
    createdAt: p.datetime(),
  },
});
export type EnrollmentTokenRow = InferEntity<typeof EnrollmentTokenEntity>;

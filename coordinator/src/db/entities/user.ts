import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Role } from '@cloudexport/shared';

export const UserEntity = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.uuid().primary(),
    email: p.string().length(254).unique(),
    name: p.string().length(100),
    role: p.string().length(16).$type<Role>(),
    disabled: p.boolean().default(false),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type UserRow = InferEntity<typeof UserEntity>;

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
    /** `scrypt$N$r$p$salt$hash` (base64); null: no password, the user signs in with API keys only. */
    passwordHash: p.string().length(255).nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type UserRow = InferEntity<typeof UserEntity>;

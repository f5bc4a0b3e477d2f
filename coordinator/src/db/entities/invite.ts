import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import type { Role } from '@cloudexport/shared';
import { UserEntity } from './user.js';

/** An admin's invitation: a one-time token (kept as its sha256) that makes a user with a password. */
export const InviteEntity = defineEntity({
  name: 'Invite',
  tableName: 'invites',
  properties: {
    id: p.uuid().primary(),
    email: p.string().length(254).index(),
    role: p.string().length(16).$type<Role>(),
    hash: p.string().length(64).unique(),
    createdBy: p.manyToOne(UserEntity).mapToPk().fieldName('created_by').deleteRule('set null').nullable(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    /** The user it made (or gave a password to), once used. */
    userId: p.uuid().nullable(),
  },
});
export type InviteRow = InferEntity<typeof InviteEntity>;

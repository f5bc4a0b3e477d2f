import { defineEntity, p, type InferEntity } from '@mikro-orm/core';
import { UserEntity } from './user.js';

/** A signed-in browser (the web console). Ends when deleted (sign-out) or at `expiresAt`. */
export const SessionEntity = defineEntity({
  name: 'Session',
  tableName: 'sessions',
  properties: {
    /** sha256 (hex) of the cookie's random token: the database never holds the token itself. */
    id: p.string().length(64).primary(),
    userId: p.manyToOne(UserEntity).mapToPk().fieldName('user_id').deleteRule('cascade').index(),
    /** The token state-changing requests must echo as `X-CSRF-Token`; useless without the cookie. */
    csrfToken: p.string().length(64),
    createdAt: p.datetime(),
    lastSeenAt: p.datetime(),
    /** Idle limit: moved 12 h ahead as the session is used. */
    expiresAt: p.datetime().index(),
    ip: p.string().length(64).nullable(),
    userAgent: p.string().length(512).nullable(),
  },
});
export type SessionRow = InferEntity<typeof SessionEntity>;

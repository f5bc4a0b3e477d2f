import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { ErrorCode } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import type { Principal } from '../api/principal.js';
import { recordAudit } from '../audit/audit-log.js';
import { SessionEntity, UserEntity, type SessionRow, type UserRow } from '../db/entities/index.js';

/** A session unused this long ends; each use moves the limit (and the cookie's Max-Age) ahead. */
export const SESSION_IDLE_MS = 12 * 60 * 60_000;
/** lastSeenAt (and with it the idle limit) moves at most this often: not a write per request. */
const SLIDE_RESOLUTION_MS = 60_000;

const SESSION_ENDED = 'Your session has ended (signed out, or unused for 12 h). Sign in again.';

/** The cookie's token is 256 random bits, so a fast hash is enough to keep it out of the database. */
export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface SessionClient {
  ip: string;
  userAgent: string | null;
}

/**
 * A new session for `user`, with its `session.create` audit entry, in `em`'s unit of work: the
 * caller flushes, then sets the cookie to `token` (which is nowhere else).
 */
export function startSession(em: EntityManager, user: UserRow, now: Date, client: SessionClient, how: 'password' | 'invite'): { token: string; row: SessionRow } {
  const token = randomBytes(32).toString('base64url');
  const row = em.create(SessionEntity, {
    id: hashSessionToken(token),
    userId: user.id,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + SESSION_IDLE_MS),
    ip: client.ip.slice(0, 64),
    userAgent: client.userAgent?.slice(0, 512) || null,
  });
  recordAudit(em, now, { kind: 'user', id: user.id, ip: client.ip }, { action: 'session.create', targetType: 'session', targetId: row.id, details: { how, userAgent: row.userAgent } });
  return { token, row };
}

/** Resolves a session cookie to a principal, or throws 401 (an expired row is deleted on the way). */
export async function authenticateSession(em: EntityManager, token: string, now: Date): Promise<Principal & { credential: { kind: 'session' } }> {
  const row = await em.findOne(SessionEntity, { id: hashSessionToken(token) });
  if (!row || row.expiresAt <= now) {
    if (row) await em.nativeDelete(SessionEntity, { id: row.id });
    throw new ApiError(401, ErrorCode.unauthorized, SESSION_ENDED);
  }
  const user = await em.findOne(UserEntity, { id: row.userId });
  if (!user || user.disabled) {
    throw new ApiError(401, ErrorCode.unauthorized, 'This account is disabled. Ask an admin to re-enable it.');
  }
  return {
    userId: user.id,
    role: user.role,
    email: user.email,
    credential: { kind: 'session', id: row.id, csrfToken: row.csrfToken, lastSeenAt: row.lastSeenAt, expiresAt: row.expiresAt },
  };
}

/** Double submit bound to the session: the header must be this session's token; constant time. */
export function csrfTokenMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  // equal-length digests, so the comparison neither throws nor tells the length
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(expected), digest(given));
}

/** Moves the idle limit ahead when the session was last moved over a minute ago; answers the new limit, or null. */
export async function slideSession(em: EntityManager, session: { id: string; lastSeenAt: Date }, now: Date): Promise<Date | null> {
  if (now.getTime() - session.lastSeenAt.getTime() < SLIDE_RESOLUTION_MS) return null;
  const expiresAt = new Date(now.getTime() + SESSION_IDLE_MS);
  await em.nativeUpdate(SessionEntity, { id: session.id }, { lastSeenAt: now, expiresAt });
  return expiresAt;
}

/** Sessions past their idle limit, everyone's: swept whenever someone signs in. */
export async function deleteExpiredSessions(em: EntityManager, now: Date): Promise<number> {
  return em.nativeDelete(SessionEntity, { expiresAt: { $lte: now } });
}

import { ErrorCode, type ApiRoutes } from '@cloudexport/shared';
import type { Context } from 'koa';
import { DUMMY_PASSWORD_HASH, verifyPassword } from '../../auth/password-hash.js';
import { clearSessionCookie, setSessionCookie } from '../../auth/session-cookie.js';
import { deleteExpiredSessions, startSession, type SessionClient } from '../../auth/sessions.js';
import { beginPasswordCheck } from '../../auth/sign-in-lockout.js';
import { SessionEntity, UserEntity } from '../../db/entities/index.js';
import { ApiError } from '../api-error.js';
import type { Handler } from '../build-router.js';
import { sessionDto } from '../dto.js';
import type { Credential, Principal } from '../principal.js';

/** One answer for an unknown email, a user without a password and a wrong password alike. */
const WRONG_CREDENTIALS = 'Wrong email or password. Check both and try again; an admin can set a new password for you.';

export function sessionClient(ctx: Context): SessionClient {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') || null };
}

export const createSession: Handler<ApiRoutes['createSession']> = async ({ em, body, deps, now, ctx }) => {
  const email = body.email.toLowerCase();
  const check = beginPasswordCheck(deps.signInLockout, ctx.ip, email);
  const user = await em.findOne(UserEntity, { email });
  // an unknown email costs a full hash too, so the answer's timing does not tell who has an account
  const matches = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
  if (!user?.passwordHash || !matches) throw new ApiError(401, ErrorCode.unauthorized, WRONG_CREDENTIALS);
  check.succeeded();
  if (user.disabled) throw new ApiError(401, ErrorCode.unauthorized, 'This account is disabled. Ask an admin to re-enable it.');
  await deleteExpiredSessions(em, now);
  const session = startSession(em, user, now, sessionClient(ctx), 'password');
  await em.flush();
  setSessionCookie(ctx, session.token, deps.config.publicUrl);
  return sessionDto(user, session.row);
};

export const getCurrentSession: Handler<ApiRoutes['getCurrentSession']> = async ({ em, principal, ctx }) => {
  const session = sessionOf(principal);
  const user = await em.findOneOrFail(UserEntity, { id: principal.userId });
  ctx.set('Cache-Control', 'no-store');
  return sessionDto(user, session);
};

export const deleteCurrentSession: Handler<ApiRoutes['deleteCurrentSession']> = async ({ em, principal, deps, ctx, audit }) => {
  const session = sessionOf(principal);
  const row = await em.findOne(SessionEntity, { id: session.id });
  if (row) em.remove(row);
  audit({ action: 'session.delete', targetType: 'session', targetId: session.id, details: { userId: principal.userId } });
  await em.flush();
  clearSessionCookie(ctx, deps.config.publicUrl);
  return { signedOut: true as const };
};

/** The router lets only session callers reach `session: true` routes; this narrows the type. */
function sessionOf(principal: Principal): Extract<Credential, { kind: 'session' }> {
  if (principal.credential.kind !== 'session') throw new ApiError(401, ErrorCode.unauthorized, 'Not signed in. Sign in with POST /api/v1/sessions.');
  return principal.credential;
}

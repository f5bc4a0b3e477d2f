import type { EntityManager } from '@mikro-orm/postgresql';
import { CSRF_HEADER, ErrorCode } from '@cloudexport/shared';
import type { Context } from 'koa';
import { ApiError } from '../api/api-error.js';
import type { Deps } from '../api/deps.js';
import type { Principal } from '../api/principal.js';
import { authenticate } from './authenticate.js';
import { clearSessionCookie, sessionTokenFromCookies, setSessionCookie } from './session-cookie.js';
import { authenticateSession, csrfTokenMatches, slideSession } from './sessions.js';

/** Methods that change nothing: a cookie alone is enough for them. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Who sent an HTTP request: `Authorization: Bearer <key>` when the header is there (exactly as
 * before sessions existed), the session cookie otherwise; `sessionOnly` routes take the cookie
 * alone. With the cookie, a state-changing method must echo the session's CSRF token (a page on
 * another site can make the browser send the cookie, but cannot read the token). Throws 401 or
 * 403 (`csrf`); a cookie whose session ended is cleared.
 */
export async function identifyCaller(deps: Deps, ctx: Context, em: EntityManager, now: Date, sessionOnly = false): Promise<Principal> {
  const authorization = ctx.get('authorization') || undefined;
  const token = sessionTokenFromCookies(ctx.get('cookie') || undefined);
  if (!sessionOnly && (authorization || !token)) return authenticate(em, authorization, now);
  if (!token) {
    throw new ApiError(401, ErrorCode.unauthorized, 'Not signed in: this route is about a browser session and needs its cookie. Sign in with POST /api/v1/sessions.');
  }
  const principal = await authenticateSession(em, token, now).catch((err: unknown) => {
    clearSessionCookie(ctx, deps.config.publicUrl);
    throw err;
  });
  const session = principal.credential;
  if (!SAFE_METHODS.has(ctx.method) && !csrfTokenMatches(session.csrfToken, ctx.get(CSRF_HEADER) || undefined)) {
    throw new ApiError(
      403,
      ErrorCode.csrf,
      `${ctx.method} with the session cookie needs the session’s CSRF token in the ${CSRF_HEADER} header (from POST /api/v1/sessions or GET /api/v1/sessions/current). Nothing was changed.`,
    );
  }
  const expiresAt = await slideSession(em, session, now);
  if (expiresAt) {
    session.lastSeenAt = now;
    session.expiresAt = expiresAt;
    setSessionCookie(ctx, token, deps.config.publicUrl);
  }
  return principal;
}

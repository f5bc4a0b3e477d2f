import { SESSION_COOKIE } from '@cloudexport/shared';
import type { Context } from 'koa';
import { SESSION_IDLE_MS } from './sessions.js';

/**
 * Secure when the request came over TLS, or when the coordinator's public URL is https (TLS ends
 * at a proxy in front of it, and the browser is on https even though this hop is not).
 */
export function cookieIsSecure(ctx: Pick<Context, 'secure'>, publicUrl: string | null): boolean {
  return ctx.secure || !!publicUrl?.startsWith('https:');
}

/**
 * Written by hand, not with ctx.cookies: that refuses a Secure cookie on a plain-http hop, which
 * is exactly the TLS-at-the-proxy case. Max-Age follows the session's sliding idle limit.
 */
export function setSessionCookie(ctx: Context, token: string, publicUrl: string | null): void {
  ctx.append('Set-Cookie', serialize(token, Math.floor(SESSION_IDLE_MS / 1000), cookieIsSecure(ctx, publicUrl)));
  // the answer (or the headers of one) carries a credential: never cached
  ctx.set('Cache-Control', 'no-store');
}

export function clearSessionCookie(ctx: Context, publicUrl: string | null): void {
  ctx.append('Set-Cookie', serialize('', 0, cookieIsSecure(ctx, publicUrl)));
}

function serialize(value: string, maxAgeSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** The session token from a `Cookie` header (HTTP or a Socket.IO handshake), or null. */
export function sessionTokenFromCookies(header: string | undefined): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    // a cleared cookie is present but empty
    return part.slice(eq + 1).trim() || null;
  }
  return null;
}

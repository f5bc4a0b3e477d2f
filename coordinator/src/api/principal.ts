import type { Role } from '@cloudexport/shared';

/** How the caller proved who they are on this request. */
export type Credential =
  | { kind: 'apiKey'; id: string }
  /** The web console's cookie; `id` is the session row's id (the sha256 of the cookie's token). */
  | { kind: 'session'; id: string; csrfToken: string; lastSeenAt: Date; expiresAt: Date };

/** Who is asking: resolved from the API key or the session cookie on every request. */
export interface Principal {
  userId: string;
  role: Role;
  email: string;
  credential: Credential;
}

export function isAdmin(p: Principal): boolean {
  return p.role === 'admin';
}

import type { Role } from '@cloudexport/shared';

/** Who is asking: resolved from the API key on every request. */
export interface Principal {
  userId: string;
  role: Role;
  email: string;
  apiKeyId: string;
}

export function isAdmin(p: Principal): boolean {
  return p.role === 'admin';
}

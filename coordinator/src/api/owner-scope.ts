import { ApiError } from './api-error.js';
import { isAdmin, type Principal } from './principal.js';

/**
 * Whose rows a list shows: the caller's own; an admin's choice (everyone when `allForAdmins`
 * and none is asked for). Asking for someone else's without being an admin is a 403.
 */
export function ownerScope(principal: Principal, requested: string | undefined, what: string, allForAdmins = true): { ownerId?: string } {
  if (requested && requested !== principal.userId && !isAdmin(principal)) {
    throw ApiError.forbidden(`Only admins may list another user’s ${what}.`);
  }
  const ownerId = requested ?? (isAdmin(principal) && allForAdmins ? undefined : principal.userId);
  return ownerId ? { ownerId } : {};
}

import { ApiError } from './api-error.js';
import { isAdmin, type Principal } from './principal.js';

const DAY_MS = 86_400_000;

/** The last `days` UTC days, today included: [from, until) and each day as YYYY-MM-DD, oldest first. */
export function usagePeriod(now: Date, days: number): { from: Date; until: Date; days: string[] } {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const from = today - (days - 1) * DAY_MS;
  return {
    from: new Date(from),
    until: new Date(today + DAY_MS),
    days: Array.from({ length: days }, (_, i) => new Date(from + i * DAY_MS).toISOString().slice(0, 10)),
  };
}

/** Whose money figures: the caller's own, or (admins only) the user asked for. */
export function usageSubject(principal: Principal, userId: string | undefined, what: string): string {
  if (userId && userId !== principal.userId && !isAdmin(principal)) throw ApiError.forbidden(`Only admins may see another user’s ${what}; leave out userId to see yours.`);
  return userId ?? principal.userId;
}

/** The SQL for an attempt's UTC day, matching usagePeriod's labels. */
export const ATTEMPT_DAY_SQL = `to_char(a.ended_at at time zone 'UTC', 'YYYY-MM-DD')`;

import { ErrorCode } from '@cloudexport/shared';
import { ApiError } from '../api/api-error.js';
import type { Clock } from '../clock.js';

export interface LockoutPolicy {
  /** Failures allowed in the window; the next attempt is refused. Default 5. */
  maxFailures: number;
  /** Default 15 minutes. */
  windowMs: number;
}

export const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailures: 5, windowMs: 15 * 60_000 };

/**
 * Failed sign-ins per key (address + email), in memory like the rate limiter: each coordinator
 * counts what it serves. Keyed by address too, so a stranger cannot lock a user out everywhere.
 */
export class SignInLockout {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly clock: Clock,
    private readonly policy: LockoutPolicy = DEFAULT_LOCKOUT,
    /** Keys kept before those with no recent failure are dropped. */
    private readonly maxKeys = 100_000,
  ) {}

  /**
   * Starts an attempt. It counts as a failure from now on (so a burst of parallel guesses cannot
   * all pass the check before any has failed) until `succeeded()` clears the key.
   */
  attempt(key: string): { ok: true; succeeded(): void } | { ok: false; retryAfterSeconds: number } {
    const now = this.clock.now().getTime();
    const recent = this.recent(key, now);
    if (recent.length >= this.policy.maxFailures) {
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0]! + this.policy.windowMs - now) / 1000)) };
    }
    recent.push(now);
    this.failures.set(key, recent);
    if (this.failures.size > this.maxKeys) this.prune(now);
    return { ok: true, succeeded: () => void this.failures.delete(key) };
  }

  private recent(key: string, now: number): number[] {
    return (this.failures.get(key) ?? []).filter((at) => now - at < this.policy.windowMs);
  }

  private prune(now: number): void {
    for (const key of this.failures.keys()) {
      if (this.recent(key, now).length === 0) this.failures.delete(key);
    }
  }
}

/**
 * Begins a password check for `email` from `ip`: throws 429 (with Retry-After) when locked out;
 * the caller calls `succeeded()` once the password matched, and anything else counts as a failure.
 */
export function beginPasswordCheck(lockout: SignInLockout, ip: string, email: string): { succeeded(): void } {
  const attempt = lockout.attempt(`${ip}|${email.toLowerCase()}`);
  if (!attempt.ok) {
    const minutes = Math.ceil(attempt.retryAfterSeconds / 60);
    throw new ApiError(429, ErrorCode.rateLimited, `Too many failed password attempts for this email from your address. Try again in ${minutes} min, or ask an admin to set a new password.`, {
      retryAfterSeconds: attempt.retryAfterSeconds,
    });
  }
  return attempt;
}

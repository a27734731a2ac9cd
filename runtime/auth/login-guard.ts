// Brute-force protection. Failures are counted per account (by lower-cased user name,
// whether or not the account exists, so a lockout answer reveals nothing) and per client
// address. Reaching the limit inside the window locks the key for a fixed time; a
// successful login clears the account's count. State lives in SQLite so a restart or a
// second process does not reset it.
import type { DatabaseSync } from 'node:sqlite';
import { AuthError } from './errors';

export interface LockoutPolicy {
  /** Failures per account inside windowMs that lock it. Default 5. */
  maxFailures: number;
  /** Default 15 minutes. */
  windowMs: number;
  /** How long a locked account stays locked. Default 15 minutes. */
  lockMs: number;
  /** Failures from one address inside windowMs that block that address. Default 20. */
  addressMaxFailures: number;
  /** How long a blocked address stays blocked. Default 15 minutes. */
  addressLockMs: number;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailures: 5, windowMs: 15 * 60_000, lockMs: 15 * 60_000, addressMaxFailures: 20, addressLockMs: 15 * 60_000,
};

export interface FailureOutcome {
  accountLocked: boolean;
  addressBlocked: boolean;
  lockedUntil?: number;
}

const accountKey = (username: string) => `user:${username.toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;

export class LoginGuard {
  constructor(private readonly db: DatabaseSync, private readonly policy: LockoutPolicy) {}

  /** Throws when the address or the account may not try now. */
  check(username: string, address: string | undefined, now: number): void {
    if (address) {
      const until = this.lockedUntil(addressKey(address), now);
      if (until !== null) {
        throw new AuthError('rate_limited', 'too many failed logins from this address; try again later',
          { retryAfterSec: Math.ceil((until - now) / 1000) });
      }
    }
    const until = this.lockedUntil(accountKey(username), now);
    if (until !== null) {
      throw new AuthError('locked', 'account temporarily locked after repeated failed logins; try again later',
        { retryAfterSec: Math.ceil((until - now) / 1000) });
    }
  }

  recordFailure(username: string, address: string | undefined, now: number): FailureOutcome {
    const out: FailureOutcome = { accountLocked: false, addressBlocked: false };
    const acct = accountKey(username);
    if (this.addFailure(acct, now) >= this.policy.maxFailures) {
      out.accountLocked = true;
      out.lockedUntil = now + this.policy.lockMs;
      this.lock(acct, out.lockedUntil);
    }
    if (address) {
      const addr = addressKey(address);
      if (this.addFailure(addr, now) >= this.policy.addressMaxFailures) {
        out.addressBlocked = true;
        this.lock(addr, now + this.policy.addressLockMs);
      }
    }
    return out;
  }

  recordSuccess(username: string): void {
    this.db.prepare('DELETE FROM login_failures WHERE key = ?').run(accountKey(username));
  }

  /** Lets an administrator lift a lockout (e.g. after resetting the password). */
  unlock(username: string): void {
    this.recordSuccess(username);
    this.db.prepare('DELETE FROM lockouts WHERE key = ?').run(accountKey(username));
  }

  prune(now: number): void {
    this.db.prepare('DELETE FROM login_failures WHERE at <= ?').run(now - this.policy.windowMs);
    this.db.prepare('DELETE FROM lockouts WHERE until <= ?').run(now);
  }

  private addFailure(key: string, now: number): number {
    this.db.prepare('INSERT INTO login_failures (key, at) VALUES (?, ?)').run(key, now);
    const r = this.db.prepare('SELECT count(*) AS n FROM login_failures WHERE key = ? AND at > ?')
      .get(key, now - this.policy.windowMs) as { n: number };
    return r.n;
  }

  private lock(key: string, until: number): void {
    this.db.prepare('INSERT INTO lockouts (key, until) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET until = excluded.until')
      .run(key, until);
    // The count starts again after the lock: the locked period itself is the penalty.
    this.db.prepare('DELETE FROM login_failures WHERE key = ?').run(key);
  }

  private lockedUntil(key: string, now: number): number | null {
    const r = this.db.prepare('SELECT until FROM lockouts WHERE key = ?').get(key) as { until: number } | undefined;
    return r && r.until > now ? r.until : null;
  }
}

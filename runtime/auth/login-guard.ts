// Brute-force protection without handing attackers a denial of service (OWASP ASVS 2.2.1):
// failures are counted per (account, client address) first, so a guesser is throttled on
// *its* address after `maxFailures` tries while the same account still signs in from
// everywhere else; per address across accounts (`addressMaxFailures`); and per account
// across all addresses (`accountMaxFailures`, much higher: only a distributed attack gets
// there). Accounts are counted by lower-cased user name whether or not they exist, so an
// answer reveals nothing. A user who is already signed in re-entering the password for a
// signature is not held by the account-wide lock (they hold a session; an attacker who
// triggered the lock must not keep an administrator from unlocking). The client address is
// the socket's unless a trusted proxy is configured explicitly (HISTORIAN_TRUST_PROXY).
// State lives in SQLite so a restart or a second process does not reset it.
import type { DatabaseSync } from 'node:sqlite';
import { statementCache, type Statements } from './statements';
import { AuthError } from './errors';

export interface LockoutPolicy {
  /** Failures for one account from one address inside windowMs that throttle that pair. Default 5. */
  maxFailures: number;
  /** Failures for one account from all addresses inside windowMs that lock it everywhere. Default 50. */
  accountMaxFailures: number;
  /** Default 15 minutes. */
  windowMs: number;
  /** How long a throttled pair or a locked account stays locked. Default 15 minutes. */
  lockMs: number;
  /** Failures from one address inside windowMs that block that address. Default 20. */
  addressMaxFailures: number;
  /** How long a blocked address stays blocked. Default 15 minutes. */
  addressLockMs: number;
}

export const DEFAULT_LOCKOUT_POLICY: LockoutPolicy = {
  maxFailures: 5, accountMaxFailures: 50, windowMs: 15 * 60_000, lockMs: 15 * 60_000, addressMaxFailures: 20, addressLockMs: 15 * 60_000,
};

export interface FailureOutcome {
  /** the account may not sign in from this address (pair throttled) or from anywhere (see `scope`) */
  accountLocked: boolean;
  scope?: 'address' | 'account';
  addressBlocked: boolean;
  lockedUntil?: number;
}

/** A user name's lock, as an administrator sees it (GET /users). */
export interface AccountLock {
  /** locked from every address (the account-wide limit was reached) */
  everywhere: boolean;
  /** client addresses that may not try this account now */
  addresses: number;
  /** epoch ms when the last of these locks ends */
  until: number;
}

const accountKey = (username: string) => `user:${username.toLowerCase()}`;
const addressKey = (address: string) => `addr:${address}`;
/** No address (CLI, internal callers): the pair is the account alone. */
const pairKey = (username: string, address: string | undefined) => `pair:${username.toLowerCase()}|${address ?? ''}`;

export class LoginGuard {
  private readonly sql: Statements;

  constructor(db: DatabaseSync, private readonly policy: LockoutPolicy) {
    this.sql = statementCache(db);
  }

  /**
   * Throws when the address or the account may not try now. `signedIn`: the caller holds a
   * session of this very account (a signature), so the account-wide lock does not apply.
   */
  check(username: string, address: string | undefined, now: number, opts: { signedIn?: boolean } = {}): void {
    if (address) {
      const until = this.lockedUntil(addressKey(address), now);
      if (until !== null) {
        throw new AuthError('rate_limited', 'too many failed logins from this address; try again later',
          { retryAfterSec: Math.ceil((until - now) / 1000) });
      }
    }
    const pair = this.lockedUntil(pairKey(username, address), now);
    const until = pair ?? (opts.signedIn ? null : this.lockedUntil(accountKey(username), now));
    if (until !== null) {
      throw new AuthError('locked', 'account temporarily locked after repeated failed logins; try again later',
        { retryAfterSec: Math.ceil((until - now) / 1000) });
    }
  }

  recordFailure(username: string, address: string | undefined, now: number): FailureOutcome {
    const out: FailureOutcome = { accountLocked: false, addressBlocked: false };
    const pair = pairKey(username, address);
    if (this.addFailure(pair, now) >= this.policy.maxFailures) {
      out.accountLocked = true;
      out.scope = 'address';
      out.lockedUntil = now + this.policy.lockMs;
      this.lock(pair, out.lockedUntil);
    }
    const acct = accountKey(username);
    if (this.addFailure(acct, now) >= this.policy.accountMaxFailures) {
      out.accountLocked = true;
      out.scope = 'account';
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

  /** Clears the failures of the account from this address (others' failures still count). */
  recordSuccess(username: string, address?: string): void {
    this.sql('DELETE FROM login_failures WHERE key = ?').run(pairKey(username, address));
  }

  /** Lets an administrator lift a lockout (e.g. after resetting the password): the account everywhere and every address's throttle of it. */
  unlock(username: string): void {
    const prefix = `pair:${username.toLowerCase()}|`;
    for (const table of ['login_failures', 'lockouts']) {
      this.sql(`DELETE FROM ${table} WHERE key = ? OR substr(key, 1, ?) = ?`).run(accountKey(username), prefix.length, prefix);
    }
  }

  /**
   * Whether a user name is locked now: everywhere (the account-wide lock) and/or from some
   * client addresses (their throttle of it); `until` is the latest of those locks' ends.
   */
  lockState(username: string, now: number): AccountLock | null {
    const prefix = `pair:${username.toLowerCase()}|`;
    const everywhere = this.lockedUntil(accountKey(username), now);
    const pairs = this.sql('SELECT until FROM lockouts WHERE substr(key, 1, ?) = ? AND until > ?').all(prefix.length, prefix, now) as Array<{ until: number }>;
    if (everywhere === null && pairs.length === 0) return null;
    return { everywhere: everywhere !== null, addresses: pairs.length, until: Math.max(everywhere ?? 0, ...pairs.map((p) => p.until)) };
  }

  prune(now: number): void {
    this.sql('DELETE FROM login_failures WHERE at <= ?').run(now - this.policy.windowMs);
    this.sql('DELETE FROM lockouts WHERE until <= ?').run(now);
  }

  private addFailure(key: string, now: number): number {
    this.sql('INSERT INTO login_failures (key, at) VALUES (?, ?)').run(key, now);
    const r = this.sql('SELECT count(*) AS n FROM login_failures WHERE key = ? AND at > ?')
      .get(key, now - this.policy.windowMs) as { n: number };
    return r.n;
  }

  private lock(key: string, until: number): void {
    this.sql('INSERT INTO lockouts (key, until) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET until = excluded.until')
      .run(key, until);
    // The count starts again after the lock: the locked period itself is the penalty.
    this.sql('DELETE FROM login_failures WHERE key = ?').run(key);
  }

  private lockedUntil(key: string, now: number): number | null {
    const r = this.sql('SELECT until FROM lockouts WHERE key = ?').get(key) as { until: number } | undefined;
    return r && r.until > now ? r.until : null;
  }
}

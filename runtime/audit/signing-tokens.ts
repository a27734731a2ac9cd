// Signing tokens live 60 seconds in memory only: random, kept as their SHA-256 so a heap
// dump does not reveal a usable token, single use, bound to one user, action and target.
// Used tokens are remembered until they would have expired, to answer "reused".
import { createHash, randomBytes } from 'node:crypto';
import type { SignatureMeaning } from './entry';

export interface SigningTokenRecord {
  userId: string;
  username: string;
  printedName: string;
  role: string | null;
  meaning: SignatureMeaning;
  action: string;
  target: string | null;
  issuedAt: number;
  expiresAt: number;
  used: boolean;
}

export const TOKEN_PREFIX = 'hsig_';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class SigningTokenStore {
  private readonly records = new Map<string, SigningTokenRecord>();

  issue(rec: Omit<SigningTokenRecord, 'used'>): string {
    const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
    this.records.set(hashToken(token), { ...rec, used: false });
    return token;
  }

  get(token: string): SigningTokenRecord | undefined {
    return this.records.get(hashToken(token));
  }

  prune(now: number): void {
    for (const [k, r] of this.records) if (r.expiresAt <= now) this.records.delete(k);
  }

  get size(): number {
    return this.records.size;
  }
}

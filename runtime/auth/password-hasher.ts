// bcrypt through the native module's async API, which runs on libuv's thread pool so a
// login never blocks the event loop. Cost below 12 exists only to keep tests fast.
import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';

export const DEFAULT_BCRYPT_COST = 12;
const MIN_COST = 4;

export class PasswordHasher {
  readonly cost: number;
  private dummy: Promise<string> | null = null;

  constructor(cost: number = DEFAULT_BCRYPT_COST) {
    if (!Number.isInteger(cost) || cost < MIN_COST || cost > 31) {
      throw new Error(`bcryptCost must be an integer from ${MIN_COST} to 31 (got ${cost})`);
    }
    this.cost = cost;
  }

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  async verify(password: string, hash: string): Promise<boolean> {
    try {
      return await bcrypt.compare(password, hash);
    } catch {
      return false;
    }
  }

  /**
   * Compares against a hash of a random password at the same cost, so that an unknown
   * user costs as much time as a known one with a wrong password. Always false.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummy ??= bcrypt.hash(randomBytes(18).toString('base64url'), this.cost);
    await bcrypt.compare(password, await this.dummy);
    return false;
  }
}

export function bcryptRounds(hash: string): number {
  return bcrypt.getRounds(hash);
}

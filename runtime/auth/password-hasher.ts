// The one place passwords are hashed and checked. New hashes are Argon2id (OWASP Password
// Storage Cheat Sheet's first choice) through Node's built-in crypto.argon2, whose async
// form runs on libuv's thread pool so a login never blocks the event loop. Node before
// 24.7 has no crypto.argon2: there the hasher falls back to bcrypt (native module, also
// off the loop) and says so once. Existing bcrypt hashes keep verifying; a successful
// login with a hash older or weaker than the configured one is re-hashed by the caller
// (needsRehash), so a plant migrates as people sign in.
import bcrypt from 'bcrypt';
import * as crypto from 'node:crypto';
import {
  MAX_MEMORY_KIB, MAX_PASSES, StoredHashError, formatArgon2id, isArgon2idString, parseArgon2id, type Argon2Params,
} from './password-phc';

export const DEFAULT_BCRYPT_COST = 12;
/** OWASP's minimum configuration: 19 MiB, 2 passes, 1 lane. */
export const DEFAULT_ARGON2: Argon2Params = { memoryKiB: 19_456, passes: 2, parallelism: 1 };
/**
 * OWASP's equally strong Argon2id configurations (memory KiB, passes). Configured
 * parameters must reach at least one of them; below that exists only for tests.
 */
export const OWASP_ARGON2_MINIMUMS: ReadonlyArray<readonly [number, number]> = [
  [47_104, 1], [19_456, 2], [12_288, 3], [9_216, 4], [7_168, 5],
];
const MIN_BCRYPT_COST = 4;
const SALT_BYTES = 16;
const TAG_BYTES = 32;
/** bcrypt reads only the first 72 bytes of a password. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;
/**
 * Longest password Argon2id accepts here. Argon2 has no length limit of its own and the
 * password is hashed once (not per pass), so this only bounds request work and memory.
 */
export const ARGON2_MAX_PASSWORD_BYTES = 1024;
const BCRYPT_RE = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export type PasswordAlgorithm = 'argon2id' | 'bcrypt';

export interface PasswordHashingOptions {
  /** Argon2id memory in KiB. Default 19456 (19 MiB). */
  argon2MemoryKiB?: number;
  /** Argon2id passes. Default 2. */
  argon2Passes?: number;
  /** bcrypt cost of the fallback on Node without crypto.argon2. Default 12. */
  bcryptCost?: number;
  /** Default: argon2id where the runtime has it, else bcrypt. Forcing exists for tests. */
  algorithm?: PasswordAlgorithm;
  /** Where the one-time fallback notice goes. Default: nowhere. */
  log?: (line: string) => void;
}

type Argon2Fn = (algorithm: 'argon2id', params: {
  message: string | Buffer; nonce: Buffer; parallelism: number; tagLength: number; memory: number; passes: number;
}, cb: (err: Error | null, key: Buffer) => void) => void;

function nodeArgon2(): Argon2Fn | null {
  const fn = (crypto as unknown as { argon2?: Argon2Fn }).argon2;
  return typeof fn === 'function' ? fn : null;
}

/** True when this Node has crypto.argon2 (24.7 and later). */
export function argon2Available(): boolean {
  return nodeArgon2() !== null;
}

let fallbackReported = false;

/**
 * Why these Argon2id parameters are weaker than OWASP's minimum, or null when they are
 * not. Used where parameters come from configuration.
 */
export function owaspArgon2Problem(memoryKiB: number, passes: number): string | null {
  if (OWASP_ARGON2_MINIMUMS.some(([m, t]) => memoryKiB >= m && passes >= t)) return null;
  const pairs = OWASP_ARGON2_MINIMUMS.map(([m, t]) => `${m} KiB × ${t}`).join(', ');
  return `Argon2id with ${memoryKiB} KiB and ${passes} passes is below OWASP's minimum (at least one of: ${pairs})`;
}

export class PasswordHasher {
  readonly algorithm: PasswordAlgorithm;
  readonly argon2: Argon2Params;
  readonly cost: number;
  /** Longest password (UTF-8 bytes) the current algorithm takes without truncating. */
  readonly maxPasswordBytes: number;
  private readonly argon2Fn: Argon2Fn | null;
  private dummy: Promise<string> | null = null;

  constructor(opts: PasswordHashingOptions | number = {}) {
    const o: PasswordHashingOptions = typeof opts === 'number' ? { bcryptCost: opts } : opts;
    const cost = o.bcryptCost ?? DEFAULT_BCRYPT_COST;
    if (!Number.isInteger(cost) || cost < MIN_BCRYPT_COST || cost > 31) {
      throw new Error(`bcryptCost must be an integer from ${MIN_BCRYPT_COST} to 31 (got ${cost})`);
    }
    const memoryKiB = o.argon2MemoryKiB ?? DEFAULT_ARGON2.memoryKiB;
    const passes = o.argon2Passes ?? DEFAULT_ARGON2.passes;
    // argon2's own floor is 8 KiB per lane; anything under OWASP's minimum is for tests
    if (!Number.isInteger(memoryKiB) || memoryKiB < 8 || memoryKiB > MAX_MEMORY_KIB) {
      throw new Error(`argon2MemoryKiB must be an integer from 8 to ${MAX_MEMORY_KIB} (got ${memoryKiB})`);
    }
    if (!Number.isInteger(passes) || passes < 1 || passes > MAX_PASSES) {
      throw new Error(`argon2Passes must be an integer from 1 to ${MAX_PASSES} (got ${passes})`);
    }
    this.cost = cost;
    this.argon2 = { memoryKiB, passes, parallelism: 1 };
    this.argon2Fn = nodeArgon2();
    if (o.algorithm === 'argon2id' && !this.argon2Fn) {
      throw new Error(`argon2id needs crypto.argon2 (Node 24.7 or later); this is Node ${process.versions.node}`);
    }
    this.algorithm = o.algorithm ?? (this.argon2Fn ? 'argon2id' : 'bcrypt');
    this.maxPasswordBytes = this.algorithm === 'argon2id' ? ARGON2_MAX_PASSWORD_BYTES : BCRYPT_MAX_PASSWORD_BYTES;
    if (!this.argon2Fn && !fallbackReported && o.log) {
      fallbackReported = true;
      o.log(`[historian] Node ${process.versions.node} has no crypto.argon2 (needs 24.7 or later): passwords are hashed with bcrypt cost ${cost}, and Argon2id hashes stored by a newer Node cannot be checked`);
    }
  }

  /** A new hash of the password with the configured algorithm and parameters. */
  async hash(password: string): Promise<string> {
    if (this.algorithm === 'bcrypt') return bcrypt.hash(password, this.cost);
    const salt = crypto.randomBytes(SALT_BYTES);
    const tag = await this.derive(password, { ...this.argon2, salt, tagLength: TAG_BYTES });
    return formatArgon2id({ ...this.argon2, salt, tag });
  }

  /**
   * Whether the password matches the stored hash (argon2id PHC string or bcrypt $2a$/$2b$/$2y$).
   * A stored hash this process cannot use throws StoredHashError naming what is wrong:
   * that is a broken account, not a wrong password.
   */
  verify(password: string, stored: string): Promise<boolean> {
    return this.compare(password, stored);
  }

  private async compare(password: string, stored: string): Promise<boolean> {
    if (isArgon2idString(stored)) {
      const h = parseArgon2id(stored);
      if (!this.argon2Fn) throw new StoredHashError(`stored hash is argon2id, which Node ${process.versions.node} cannot check (needs 24.7 or later)`);
      const tag = await this.derive(password, { ...h, tagLength: h.tag.length });
      return crypto.timingSafeEqual(tag, h.tag);
    }
    if (BCRYPT_RE.test(stored)) {
      const match = await bcrypt.compare(password, stored);
      // bcrypt ignores bytes past 72: a longer password must not match on its first 72
      return match && Buffer.byteLength(password) <= BCRYPT_MAX_PASSWORD_BYTES;
    }
    throw new StoredHashError(stored.startsWith('$2')
      ? 'stored password hash is not a well-formed bcrypt hash'
      : 'stored password hash is neither argon2id nor bcrypt');
  }

  /**
   * True when a stored hash that just verified should be replaced: another algorithm than
   * the configured one, or less memory, passes or bcrypt cost.
   */
  needsRehash(stored: string): boolean {
    if (isArgon2idString(stored)) {
      if (this.algorithm !== 'argon2id') return false; // cannot be checked here anyway
      const h = parseArgon2id(stored);
      return h.memoryKiB < this.argon2.memoryKiB || h.passes < this.argon2.passes || h.tag.length < TAG_BYTES;
    }
    const m = BCRYPT_RE.exec(stored);
    if (!m) return false;
    return this.algorithm === 'argon2id' || Number(m[1]) < this.cost;
  }

  /**
   * Compares against a hash of a random password made with the same algorithm and
   * parameters, so an unknown user costs as much time as a known one with a wrong
   * password. Always false.
   */
  async verifyDummy(password: string): Promise<false> {
    this.dummy ??= this.hash(crypto.randomBytes(18).toString('base64url'));
    await this.compare(password, await this.dummy);
    return false;
  }

  /** Human-readable name of the configured hashing, for logs and events. */
  describe(): string {
    return this.algorithm === 'argon2id'
      ? `argon2id m=${this.argon2.memoryKiB},t=${this.argon2.passes},p=${this.argon2.parallelism}`
      : `bcrypt cost ${this.cost}`;
  }

  private derive(password: string, p: Argon2Params & { salt: Buffer; tagLength: number }): Promise<Buffer> {
    const fn = this.argon2Fn!;
    return new Promise((resolve, reject) => {
      fn('argon2id', {
        message: password, nonce: p.salt, parallelism: p.parallelism, tagLength: p.tagLength,
        memory: p.memoryKiB, passes: p.passes,
      }, (err, key) => (err ? reject(err) : resolve(key)));
    });
  }
}

/** Short name of a stored hash's scheme ("bcrypt cost 12", "argon2id m=…"), for events. */
export function hashScheme(stored: string): string {
  if (isArgon2idString(stored)) {
    try {
      const h = parseArgon2id(stored);
      return `argon2id m=${h.memoryKiB},t=${h.passes},p=${h.parallelism}`;
    } catch { return 'argon2id (corrupt)'; }
  }
  const m = BCRYPT_RE.exec(stored);
  return m ? `bcrypt cost ${Number(m[1])}` : 'unknown';
}

export function bcryptRounds(hash: string): number {
  return bcrypt.getRounds(hash);
}

// The PHC string format of Argon2id hashes, as written by the reference implementation and
// libsodium: $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<tag>, salt and tag in
// standard base64 without padding. Parameters live in the string, so a hash made with
// other parameters (older defaults) still verifies and can be recognised as weaker.

export interface Argon2Params {
  /** Memory in KiB. */
  memoryKiB: number;
  /** Passes over memory (time cost). */
  passes: number;
  /** Lanes. */
  parallelism: number;
}

export interface Argon2idHash extends Argon2Params {
  salt: Buffer;
  tag: Buffer;
}

/** A stored password hash this process cannot use: corrupt, unknown algorithm, or absurd parameters. */
export class StoredHashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoredHashError';
  }
}

export const ARGON2_VERSION = 19;
// Bounds on what a stored string may ask for, so a tampered row cannot make one login
// allocate gigabytes or spin for minutes.
export const MAX_MEMORY_KIB = 1_048_576;
export const MAX_PASSES = 100;
const MAX_LANES = 16;

const PHC_RE = /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function b64(buf: Buffer): string {
  return buf.toString('base64').replace(/=+$/, '');
}

export function formatArgon2id(h: Argon2idHash): string {
  return `$argon2id$v=${ARGON2_VERSION}$m=${h.memoryKiB},t=${h.passes},p=${h.parallelism}$${b64(h.salt)}$${b64(h.tag)}`;
}

export function isArgon2idString(s: string): boolean {
  return s.startsWith('$argon2id$');
}

/** Parses an $argon2id$ string; throws StoredHashError saying what is wrong with it. */
export function parseArgon2id(s: string): Argon2idHash {
  const m = PHC_RE.exec(s);
  if (!m) throw new StoredHashError('stored password hash is not a well-formed $argon2id$v=19$m=…,t=…,p=…$salt$hash string');
  const [, v, mem, t, p, salt64, tag64] = m;
  if (Number(v) !== ARGON2_VERSION) throw new StoredHashError(`stored argon2id hash has version ${v}; only v=${ARGON2_VERSION} is supported`);
  const memoryKiB = Number(mem);
  const passes = Number(t);
  const parallelism = Number(p);
  if (parallelism < 1 || parallelism > MAX_LANES) throw new StoredHashError(`stored argon2id hash has p=${p}; 1 to ${MAX_LANES} is allowed`);
  if (memoryKiB < 8 * parallelism || memoryKiB > MAX_MEMORY_KIB) throw new StoredHashError(`stored argon2id hash has m=${mem}; ${8 * parallelism} to ${MAX_MEMORY_KIB} KiB is allowed`);
  if (passes < 1 || passes > MAX_PASSES) throw new StoredHashError(`stored argon2id hash has t=${t}; 1 to ${MAX_PASSES} is allowed`);
  const salt = Buffer.from(salt64, 'base64');
  const tag = Buffer.from(tag64, 'base64');
  // round-trip check: Node's base64 decoder skips junk silently
  if (b64(salt) !== salt64 || b64(tag) !== tag64) throw new StoredHashError('stored argon2id hash has invalid base64 in its salt or hash');
  if (salt.length < 8) throw new StoredHashError(`stored argon2id hash has a ${salt.length}-byte salt; at least 8 is required`);
  if (tag.length < 16 || tag.length > 64) throw new StoredHashError(`stored argon2id hash has a ${tag.length}-byte hash; 16 to 64 is allowed`);
  return { memoryKiB, passes, parallelism, salt, tag };
}

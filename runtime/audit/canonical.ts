// The canonical encoding hashed into the chain (FORMAT-chain.md). Every field is written
// as `name=<byte length>:<value>\n` (or `name=-\n` for null), in a fixed order, so the
// encoding is unambiguous and an inspector can rebuild it from the CSV export with a few
// lines of any language. Values are the exact strings stored in the database.
import { hash } from 'node:crypto';

export const CHAIN_VERSION = 'historian-audit/1';
export const GENESIS_HASH = '0'.repeat(64);

/** The hashed fields, in hashing order, as stored (TEXT or integer). */
export interface ChainFields {
  seq: number;
  ts: number;
  userId: string | null;
  username: string | null;
  userName: string | null;
  role: string | null;
  action: string;
  target: string | null;
  previousValue: string | null;
  newValue: string | null;
  reason: string | null;
  clientAddress: string | null;
  signature: string | null;
  prevHash: string;
}

export const FIELD_ORDER: ReadonlyArray<[keyof ChainFields, string]> = [
  ['seq', 'seq'], ['ts', 'ts'], ['userId', 'user_id'], ['username', 'username'], ['userName', 'user_name'],
  ['role', 'role'], ['action', 'action'], ['target', 'target'], ['previousValue', 'previous_value'],
  ['newValue', 'new_value'], ['reason', 'reason'], ['clientAddress', 'client_address'],
  ['signature', 'signature'], ['prevHash', 'prev_hash'],
];

function field(name: string, v: string | number | null): string {
  if (v === null) return `${name}=-\n`;
  const s = typeof v === 'number' ? String(v) : v;
  return `${name}=${Buffer.byteLength(s, 'utf8')}:${s}\n`;
}

export function canonicalEncoding(f: ChainFields): string {
  let out = `${CHAIN_VERSION}\n`;
  for (const [key, name] of FIELD_ORDER) out += field(name, f[key]);
  return out;
}

export function entryHash(f: ChainFields): string {
  // One-shot hashing: several times cheaper than a Hash object for entry-sized inputs.
  return hash('sha256', canonicalEncoding(f), 'hex');
}

/**
 * JSON with object keys sorted at every level: previous/new values are stored in this
 * form, so the same change always produces the same stored text.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v instanceof Date) return v.toISOString();
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v as object).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = sortKeys(x);
  }
  return out;
}

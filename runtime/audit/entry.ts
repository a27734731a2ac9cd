// What an audit entry is: the caller's input (AuditEntryInput), and the stored, chained
// entry (AuditEntry) with its sequence number and hashes. Validation turns the input into
// the exact stored strings, naming the offending field when it cannot.
import { stableJson, type ChainFields } from './canonical';
import { invalid } from './errors';

/** Who signed and what for (21 CFR 11.50): part of the hashed entry. */
export interface SignatureManifestation {
  signatureId: string;
  userId: string;
  username: string;
  /** Printed (full) name of the signer. */
  printedName: string;
  meaning: SignatureMeaning;
  /** ISO 8601 UTC date and time of signing. */
  signedAt: string;
  action: string;
  target: string | null;
}

export const SIGNATURE_MEANINGS = ['approval', 'review', 'responsibility', 'authorship'] as const;
export type SignatureMeaning = (typeof SIGNATURE_MEANINGS)[number];

export interface AuditEntryInput {
  /** Epoch ms (UTC); default: the trail's clock. */
  ts?: number;
  userId?: string | null;
  /** Login name. */
  username?: string | null;
  /** Printed (full) name. */
  userName?: string | null;
  role?: string | null;
  /** Stable dotted action name, e.g. "alarms.shelve". */
  action: string;
  target?: string | null;
  /** Any JSON value; stored with sorted keys. */
  previousValue?: unknown;
  newValue?: unknown;
  reason?: string | null;
  clientAddress?: string | null;
  signature?: SignatureManifestation | null;
}

export interface AuditEntry {
  seq: number;
  ts: number;
  /** ISO 8601 UTC form of ts. */
  time: string;
  userId: string | null;
  username: string | null;
  userName: string | null;
  role: string | null;
  action: string;
  target: string | null;
  previousValue: unknown;
  newValue: unknown;
  reason: string | null;
  clientAddress: string | null;
  signature: SignatureManifestation | null;
  prevHash: string;
  hash: string;
}

/** The stored (string) form of an entry, as hashed and exported. */
export interface StoredEntry extends ChainFields {
  hash: string;
}

const MAX_SHORT = 512;
const MAX_VALUE = 256 * 1024;
const ACTION_RE = /^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,127}$/;

function optText(field: string, v: unknown, max = MAX_SHORT): string | null {
  // Empty strings are stored as null: the CSV export then needs no way to tell them apart.
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') throw invalid(field, `must be a string (got ${typeof v})`);
  if (v.length > max) throw invalid(field, `must be at most ${max} characters`);
  return v;
}

function optJson(field: string, v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'function' || typeof v === 'symbol' || typeof v === 'bigint') throw invalid(field, `cannot be stored (${typeof v})`);
  let s: string;
  try {
    s = stableJson(v);
  } catch (e) {
    throw invalid(field, `is not serialisable as JSON (${(e as Error).message})`);
  }
  if (typeof s !== 'string') throw invalid(field, 'is not serialisable as JSON');
  if (s.length > MAX_VALUE) throw invalid(field, `is too large (${s.length} characters, at most ${MAX_VALUE})`);
  return s;
}

function signatureText(v: unknown): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object') throw invalid('signature', 'must be a signature manifestation object');
  const s = v as Partial<SignatureManifestation>;
  for (const k of ['signatureId', 'userId', 'username', 'printedName', 'meaning', 'signedAt', 'action'] as const) {
    if (typeof s[k] !== 'string' || s[k] === '') throw invalid(`signature.${k}`, 'is required');
  }
  return stableJson({
    signatureId: s.signatureId, userId: s.userId, username: s.username, printedName: s.printedName,
    meaning: s.meaning, signedAt: s.signedAt, action: s.action, target: s.target ?? null,
  });
}

/** Validates an input and returns the stored strings (without seq, prevHash, hash). */
export function normaliseInput(input: AuditEntryInput, now: number): Omit<ChainFields, 'seq' | 'prevHash'> {
  if (input === null || typeof input !== 'object') throw invalid('entry', 'must be an object');
  const ts = input.ts ?? now;
  if (!Number.isInteger(ts) || ts < 0 || ts > 8.64e15) throw invalid('ts', 'must be integer epoch milliseconds');
  if (typeof input.action !== 'string' || !ACTION_RE.test(input.action)) {
    throw invalid('action', 'must be 1–128 characters: letters, digits, ".", "_", ":", "-", starting with a letter or digit');
  }
  return {
    ts,
    userId: optText('userId', input.userId),
    username: optText('username', input.username),
    userName: optText('userName', input.userName),
    role: optText('role', input.role, 64),
    action: input.action,
    target: optText('target', input.target, 1024),
    previousValue: optJson('previousValue', input.previousValue),
    newValue: optJson('newValue', input.newValue),
    reason: optText('reason', input.reason, 4096),
    clientAddress: optText('clientAddress', input.clientAddress, 256),
    signature: signatureText(input.signature),
  };
}

function parseJson(s: string | null): unknown {
  if (s === null) return null;
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

export function entryOf(s: StoredEntry): AuditEntry {
  return {
    seq: s.seq, ts: s.ts, time: new Date(s.ts).toISOString(), userId: s.userId, username: s.username,
    userName: s.userName, role: s.role, action: s.action, target: s.target,
    previousValue: parseJson(s.previousValue), newValue: parseJson(s.newValue), reason: s.reason,
    clientAddress: s.clientAddress, signature: parseJson(s.signature) as SignatureManifestation | null,
    prevHash: s.prevHash, hash: s.hash,
  };
}

/** Who acted, from any principal-like object (Principal, editor user...). */
export function actorFields(p: { userId?: string; username?: string; name?: string; role?: string } | null | undefined):
Pick<AuditEntryInput, 'userId' | 'username' | 'userName' | 'role'> {
  if (!p) return { userId: null, username: null, userName: null, role: null };
  return { userId: p.userId ?? null, username: p.username ?? null, userName: p.name ?? null, role: p.role ?? null };
}

// The sealed trail state: what verification found, kept beside the checkpoint key (outside
// the database's reach) and sealed with an HMAC of that key. It carries the evidence a
// database-only attacker must not be able to erase by restarting the server: the last
// verified head, a damage found and not yet acknowledged (with the anchor of that moment),
// and, after an acknowledgement, the baseline verification restarts from. Format:
// FORMAT-chain.md ("Sealed state").
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../platform';
import type { Checkpoint } from './checkpoint';
import type { Baseline, Damage } from './verify';

export const STATE_VERSION = 'historian-audit-state/1';

export interface VerifiedHead {
  seq: number;
  hash: string;
  /** epoch ms of the verification */
  at: number;
}

export interface RecordedDamage extends Damage {
  /** epoch ms when it was first found */
  detectedAt: number;
  /** the anchor file's checkpoint when it was found (evidence; later anchors may differ) */
  anchor: Checkpoint | null;
  /** the head the last successful verification before it had reached */
  verified: VerifiedHead | null;
}

export interface Acknowledgement {
  damage: RecordedDamage;
  /** epoch ms */
  at: number;
  userId: string;
  username: string;
  /** seq of the audit entry recording the acknowledgement */
  entrySeq: number;
}

export interface TrailState {
  verified: VerifiedHead | null;
  damage: RecordedDamage | null;
  baseline: Baseline | null;
  /** every acknowledgement so far, oldest first */
  acknowledged: Acknowledgement[];
}

export const EMPTY_STATE: TrailState = { verified: null, damage: null, baseline: null, acknowledged: [] };

export function defaultStateFile(keyFile: string): string {
  return join(dirname(keyFile), 'audit-state.json');
}

function stateMac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`${STATE_VERSION}\n${body}`, 'utf8').digest('hex');
}

export type StateRead = { state: TrailState; problem: null } | { state: TrailState; problem: string };

/** Reads and checks the seal; a missing file is the empty state (first start or an older version). */
export function readState(file: string, key: Buffer): StateRead {
  if (!existsSync(file)) return { state: EMPTY_STATE, problem: null };
  try {
    const outer = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; body?: unknown; mac?: unknown };
    if (outer.format !== STATE_VERSION || typeof outer.body !== 'string' || typeof outer.mac !== 'string') {
      return { state: EMPTY_STATE, problem: `${file} is not a sealed audit state (${STATE_VERSION})` };
    }
    const want = Buffer.from(stateMac(key, outer.body), 'hex');
    const got = Buffer.from(outer.mac, 'hex');
    if (got.length !== want.length || !timingSafeEqual(got, want)) {
      return { state: EMPTY_STATE, problem: `${file} is not sealed with the checkpoint key: the verification state was forged or replaced` };
    }
    const s = JSON.parse(outer.body) as Partial<TrailState>;
    return {
      state: { verified: s.verified ?? null, damage: s.damage ?? null, baseline: s.baseline ?? null, acknowledged: Array.isArray(s.acknowledged) ? s.acknowledged : [] },
      problem: null,
    };
  } catch (e) {
    return { state: EMPTY_STATE, problem: `${file} cannot be read: ${(e as Error).message}` };
  }
}

/** Atomic replace (temp file, fsync, rename, fsync of the directory), sealed with the key. */
export function writeState(file: string, key: Buffer, state: TrailState): void {
  const body = JSON.stringify(state);
  writeFileAtomic(file, JSON.stringify({ format: STATE_VERSION, body, mac: stateMac(key, body) }) + '\n');
}

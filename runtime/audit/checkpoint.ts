// Keyed checkpoints: HMAC-SHA256 over (seq, hash) of the chain head, chained to the
// previous checkpoint's MAC so a removed checkpoint is noticed too. The newest checkpoint
// is also written to an anchor file beside the key: deleting the newest entries together
// with their checkpoints from the database still leaves the anchor pointing past the end.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../platform';

export type CheckpointKind = 'periodic' | 'open' | 'close' | 'manual';

export interface Checkpoint {
  id: number;
  seq: number;
  hash: string;
  kind: CheckpointKind;
  at: number;
  prevMac: string;
  mac: string;
}

export const CHECKPOINT_VERSION = 'historian-audit-checkpoint/1';
export const NO_MAC = '-';

export function checkpointMac(key: Buffer, c: Omit<Checkpoint, 'mac'>): string {
  const text = `${CHECKPOINT_VERSION}\nid=${c.id}\nseq=${c.seq}\nhash=${c.hash}\nkind=${c.kind}\nat=${c.at}\nprev=${c.prevMac}\n`;
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

export function macValid(key: Buffer, c: Checkpoint): boolean {
  const want = Buffer.from(checkpointMac(key, c), 'hex');
  const got = Buffer.from(typeof c.mac === 'string' ? c.mac : '', 'hex');
  return got.length === want.length && timingSafeEqual(got, want);
}

export function checkpointOf(r: Record<string, unknown>): Checkpoint {
  return {
    id: Number(r.id), seq: Number(r.seq), hash: String(r.hash), kind: r.kind as CheckpointKind,
    at: Number(r.at), prevMac: String(r.prev_mac), mac: String(r.mac),
  };
}

export function defaultAnchorFile(dataDir: string): string {
  return join(dataDir, 'secrets', 'audit-anchor.json');
}

export function readAnchor(file: string): Checkpoint | null {
  if (!existsSync(file)) return null;
  try {
    const c = JSON.parse(readFileSync(file, 'utf8')) as Checkpoint;
    return typeof c === 'object' && c !== null && typeof c.mac === 'string' ? c : { id: -1, seq: -1, hash: '', kind: 'manual', at: 0, prevMac: '', mac: '' };
  } catch {
    return { id: -1, seq: -1, hash: '', kind: 'manual', at: 0, prevMac: '', mac: '' };
  }
}

/** Atomic replace: temp file, fsync, rename, fsync of the directory. */
export function writeAnchor(file: string, c: Checkpoint): void {
  writeFileAtomic(file, JSON.stringify(c) + '\n');
}

// Verification of the whole trail: the hash chain entry by entry (streamed page by page,
// so a million entries never sit in memory at once), the signature records, and the
// keyed checkpoints plus the anchor file. It stops at the first damaged entry and names
// the kind of damage; classification rules are in FORMAT-chain.md ("Verification").
import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { ENTRY_COLUMNS, storedOf, storedOfArray } from './audit-db';
import { entryHash, GENESIS_HASH } from './canonical';
import { checkpointOf, macValid, NO_MAC, type Checkpoint } from './checkpoint';
import type { StoredEntry } from './entry';

export const PREFIX_DIGEST_VERSION = 'historian-audit-prefix/1';

/** Where verification restarts after an acknowledged damage (sealed in the trail state). */
export interface Baseline {
  /** the head when the damage was acknowledged: entries up to it are frozen by `digest` */
  seq: number;
  hash: string;
  /** the newest checkpoint then; the keyed chain restarts from its MAC */
  checkpointId: number;
  checkpointMac: string;
  digest: string;
  /** epoch ms */
  at: number;
}

export type DamageKind = 'altered' | 'inserted' | 'deleted' | 'reordered' | 'truncated' | 'checkpoint';

export interface Damage {
  kind: DamageKind;
  /** The first bad entry (sequence number). */
  seq: number;
  /** When the damage spans entries that cannot be told apart: first and last seq. */
  range?: [number, number];
  message: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Entries checked. */
  entries: number;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
  lastCheckpoint: { seq: number; kind: string; at: string } | null;
  /** Entries after the newest checkpoint: chained, not yet covered by a keyed checkpoint. */
  unanchored: number;
  checkedAt: string;
  durationMs: number;
  damage: Damage | null;
}

export interface VerifyOptions {
  db: DatabaseSync;
  key: Buffer;
  /** The anchor file's checkpoint (null when there is none). */
  anchor: Checkpoint | null;
  /**
   * After an acknowledged damage: the stored prefix up to baseline.seq must still match its
   * digest, and the chain and the checkpoints are verified from there on (trail-state.ts).
   */
  baseline?: Baseline | null;
  pageSize?: number;
  /** Yield to the event loop between pages (server use); false for a tight loop. */
  yieldBetweenPages?: boolean;
  clock?: () => number;
}

/** How far a moved entry's original position is searched for when classifying damage. */
const MOVE_WINDOW = 64;

class Found extends Error {
  constructor(readonly damage: Damage) { super(damage.message); }
}

export async function verifyChain(opts: VerifyOptions): Promise<VerifyResult> {
  const steps = verifySteps(opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (opts.yieldBetweenPages !== false) await new Promise((res) => setImmediate(res));
  }
}

/** The same, run to the end without yielding: for start-up, before anything is written. */
export function verifyChainSync(opts: VerifyOptions): VerifyResult {
  const steps = verifySteps(opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/** Verification as steps: it yields between pages so a caller can give the event loop a turn. */
function* verifySteps(opts: VerifyOptions): Generator<void, VerifyResult> {
  const { db, key } = opts;
  const started = performance.now();
  const clock = opts.clock ?? Date.now;
  const pageSize = opts.pageSize ?? 5000;
  const baseline = opts.baseline ?? null;
  // Snapshot the head and the checkpoints together (synchronously): entries appended
  // while the pages are read are left to the next verification.
  const head = db.prepare('SELECT max(seq) AS s FROM entries').get() as { s: number | null };
  const upTo = head.s ?? 0;
  const allCps = (db.prepare('SELECT * FROM checkpoints ORDER BY id').all() as Record<string, unknown>[]).map(checkpointOf);
  const from = baseline?.seq ?? 0;
  const cps = baseline ? allCps.filter((c) => c.id > baseline.checkpointId) : allCps;
  const signedCount = (db.prepare('SELECT count(*) AS n FROM signatures WHERE seq > ? AND seq <= ?').get(from, upTo) as { n: number }).n;

  let entries = 0;
  let signed = 0;
  let prev: { seq: number; hash: string } = baseline ? { seq: baseline.seq, hash: baseline.hash } : { seq: 0, hash: GENESIS_HASH };
  const problems: Damage[] = [];

  const cpProblem = checkCheckpointChain(key, cps, opts.anchor, baseline ? baseline.checkpointMac : NO_MAC, allCps.at(-1) ?? null);
  const effective = effectiveCheckpoints(cps, opts.anchor, allCps.at(-1) ?? null);
  const bySeq = new Map<number, Checkpoint[]>();
  for (const c of effective) {
    const list = bySeq.get(c.seq) ?? [];
    list.push(c);
    bySeq.set(c.seq, list);
  }
  let lastGoodCp = from;

  const page = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
  page.setReturnArrays(true);
  const sigBySeq = db.prepare('SELECT * FROM signatures WHERE seq = ?');
  try {
    if (baseline) {
      // The acknowledged prefix is frozen: any change to it since the acknowledgement shows.
      const digest = yield* prefixDigestSteps(db, baseline.seq, baseline.checkpointId, pageSize);
      if (digest !== baseline.digest) {
        throw new Found({
          kind: 'altered', seq: 1, range: [1, baseline.seq],
          message: `entries 1–${baseline.seq} changed after the damage acknowledged on ${new Date(baseline.at).toISOString()}: they no longer match the sealed digest of that moment`,
        });
      }
      const at = db.prepare('SELECT hash FROM entries WHERE seq = ?').get(baseline.seq) as { hash: string } | undefined;
      if (baseline.seq > 0 && at?.hash !== baseline.hash) {
        throw new Found({ kind: 'altered', seq: baseline.seq, message: `entry ${baseline.seq} no longer has the hash sealed when the damage was acknowledged` });
      }
    }
    for (;;) {
      const rows = page.all(prev.seq, upTo, pageSize) as unknown as unknown[][];
      if (rows.length === 0) break;
      for (const row of rows) {
        const r = storedOfArray(row);
        checkEntry(db, r, prev);
        if (r.signature !== null) {
          signed++;
          checkSignature(sigBySeq, r);
        }
        for (const c of bySeq.get(r.seq) ?? []) {
          if (c.hash !== r.hash) {
            // The entry after the checkpoint often tells precisely what happened here
            // (an inserted entry, an entry rehashed in place) — prefer that diagnosis.
            const local = peekNext(db, r);
            if (local && local.seq <= r.seq) throw new Found(local);
            throw new Found({
              kind: 'altered', seq: lastGoodCp + 1, range: [lastGoodCp + 1, r.seq],
              message: `entries ${lastGoodCp + 1}–${r.seq} were rewritten: the chain is consistent but the hash of entry ${r.seq} differs from the keyed ${c.kind} checkpoint, so hashes were recomputed without the key after an edit in that range`,
            });
          }
          lastGoodCp = r.seq;
        }
        prev = { seq: r.seq, hash: r.hash };
        entries++;
      }
      yield;
    }
    const maxCp = effective.reduce((m, c) => Math.max(m, c.seq), 0);
    if (maxCp > prev.seq) {
      throw new Found({
        kind: 'truncated', seq: prev.seq + 1, range: [prev.seq + 1, maxCp],
        message: `entries ${prev.seq + 1}–${maxCp} were deleted from the end: a keyed checkpoint covers seq ${maxCp} but the trail ends at ${prev.seq}`,
      });
    }
    const appended = appendedWhileClosed(effective, prev.seq);
    if (appended) throw new Found(appended);
    if (signed !== signedCount) {
      throw new Found({ kind: 'inserted', seq: prev.seq, message: `${signedCount - signed} signature record(s) belong to no signed entry` });
    }
    if (cpProblem) throw new Found(cpProblem);
  } catch (e) {
    if (!(e instanceof Found)) throw e;
    problems.push(e.damage);
  }

  const last = effective.at(-1) ?? null;
  return {
    ok: problems.length === 0,
    entries: entries + from,
    lastSeq: prev.seq,
    lastHash: prev.hash,
    checkpoints: allCps.length,
    lastCheckpoint: last ? { seq: last.seq, kind: last.kind, at: new Date(last.at).toISOString() } : null,
    unanchored: Math.max(0, prev.seq - Math.max(last?.seq ?? 0, from)),
    checkedAt: new Date(clock()).toISOString(),
    durationMs: Math.round((performance.now() - started) * 10) / 10,
    damage: problems[0] ?? null,
  };
}

/**
 * SHA-256 over the stored rows as they are — entries up to `seq`, checkpoints up to
 * `checkpointId`, their signature records — whatever their hashes say: it freezes a
 * prefix that is known to be damaged, so only further change to it is reported.
 */
export function* prefixDigestSteps(db: DatabaseSync, seq: number, checkpointId: number, pageSize = 5000): Generator<void, string> {
  const h = createHash('sha256');
  h.update(`${PREFIX_DIGEST_VERSION}\nseq=${seq}\ncheckpoint=${checkpointId}\n`);
  const page = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
  page.setReturnArrays(true);
  let after = Number.MIN_SAFE_INTEGER;
  for (;;) {
    const rows = page.all(after, seq, pageSize) as unknown as unknown[][];
    if (rows.length === 0) break;
    for (const r of rows) h.update(`e${JSON.stringify(r)}\n`);
    after = Number(rows.at(-1)![0]);
    yield;
  }
  const cps = db.prepare('SELECT id, seq, hash, kind, at, prev_mac, mac FROM checkpoints WHERE id <= ? ORDER BY id');
  cps.setReturnArrays(true);
  for (const r of cps.all(checkpointId) as unknown as unknown[][]) h.update(`c${JSON.stringify(r)}\n`);
  const sigs = db.prepare('SELECT id, seq, entry_hash, user_id, meaning, signed_at, action, target FROM signatures WHERE seq <= ? ORDER BY seq, id');
  sigs.setReturnArrays(true);
  for (const r of sigs.all(seq) as unknown as unknown[][]) h.update(`s${JSON.stringify(r)}\n`);
  return h.digest('hex');
}

export function prefixDigest(db: DatabaseSync, seq: number, checkpointId: number): string {
  const steps = prefixDigestSteps(db, seq, checkpointId);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

function withSeq(r: StoredEntry, seq: number): StoredEntry {
  return { ...r, seq };
}

/** Throws Found when entry r does not continue the chain after prev. */
function checkEntry(db: DatabaseSync, r: StoredEntry, prev: { seq: number; hash: string }): void {
  if (r.seq > prev.seq + 1) {
    const from = prev.seq + 1;
    const to = r.seq - 1;
    throw new Found({
      kind: 'deleted', seq: from, range: [from, to],
      message: from === to ? `entry ${from} was deleted` : `entries ${from}–${to} were deleted`,
    });
  }
  if (entryHash(r) !== r.hash) {
    const original = originalSeq(r);
    if (original === null) {
      if (nextWasShifted(db, r)) {
        throw new Found({ kind: 'inserted', seq: r.seq, message: `entry ${r.seq} was inserted: the entries after it were renumbered` });
      }
      throw new Found({ kind: 'altered', seq: r.seq, message: `entry ${r.seq} was altered: its content does not match its hash` });
    }
    if (original < r.seq) {
      throw new Found({
        kind: 'inserted', seq: original, range: [original, r.seq - 1],
        message: `${r.seq - original} entr${r.seq - original === 1 ? 'y was' : 'ies were'} inserted at seq ${original}: entry ${original} moved to ${r.seq}`,
      });
    }
    if (hashExistsAfter(db, r.prevHash, r.seq)) {
      throw new Found({ kind: 'reordered', seq: r.seq, message: `entries were reordered: entry ${original} now sits at seq ${r.seq}` });
    }
    throw new Found({
      kind: 'deleted', seq: r.seq, range: [r.seq, original - 1],
      message: `entr${original - r.seq === 1 ? 'y' : 'ies'} ${r.seq}${original - r.seq > 1 ? `–${original - 1}` : ''} deleted and the later entries renumbered`,
    });
  }
  if (r.prevHash !== prev.hash) {
    const at = Math.max(prev.seq, 1);
    throw new Found({
      kind: 'altered', seq: at,
      message: prev.seq === 0
        ? 'entry 1 does not start from the genesis hash'
        : `entry ${prev.seq} was altered and its hash recomputed: entry ${r.seq} still links to the original`,
    });
  }
}

function peekNext(db: DatabaseSync, r: StoredEntry): Damage | null {
  const row = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq > ? ORDER BY seq LIMIT 1`).get(r.seq) as Record<string, unknown> | undefined;
  if (!row) return null;
  try {
    checkEntry(db, storedOf(row), { seq: r.seq, hash: r.hash });
    return null;
  } catch (e) {
    if (e instanceof Found) return e.damage;
    throw e;
  }
}

function originalSeq(r: StoredEntry): number | null {
  for (let d = 1; d <= MOVE_WINDOW; d++) {
    if (r.seq - d >= 1 && entryHash(withSeq(r, r.seq - d)) === r.hash) return r.seq - d;
    if (entryHash(withSeq(r, r.seq + d)) === r.hash) return r.seq + d;
  }
  return null;
}

/** An unhashable entry followed by an entry that belongs one position earlier: an insertion. */
function nextWasShifted(db: DatabaseSync, r: StoredEntry): boolean {
  const row = db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq > ? ORDER BY seq LIMIT 1`).get(r.seq) as Record<string, unknown> | undefined;
  if (!row) return false;
  const next = storedOf(row);
  return entryHash(withSeq(next, next.seq - 1)) === next.hash;
}

function hashExistsAfter(db: DatabaseSync, hash: string, seq: number): boolean {
  return db.prepare('SELECT 1 AS x FROM entries WHERE seq > ? AND hash = ? LIMIT 1').get(seq, hash) !== undefined;
}

function checkSignature(stmt: StatementSync, r: StoredEntry): void {
  const rec = stmt.get(r.seq) as Record<string, unknown> | undefined;
  let sig: Record<string, unknown> | null = null;
  try { sig = JSON.parse(r.signature!) as Record<string, unknown>; } catch { /* reported below */ }
  const bad = (why: string) => new Found({ kind: 'altered', seq: r.seq, message: `the signature of entry ${r.seq} ${why}` });
  if (!sig) throw bad('is not readable');
  if (!rec) throw bad('has no signature record (excised)');
  if (rec.entry_hash !== r.hash) throw bad('is bound to another entry hash');
  if (rec.id !== sig.signatureId || rec.user_id !== sig.userId || rec.meaning !== sig.meaning || rec.signed_at !== sig.signedAt) {
    throw bad('does not match its signature record');
  }
  if (sig.action !== r.action || (sig.target ?? null) !== r.target) throw bad(`was given for another action or target (${String(sig.action)})`);
}

function checkCheckpointChain(key: Buffer, cps: Checkpoint[], anchor: Checkpoint | null, startMac: string, newest: Checkpoint | null): Damage | null {
  let prevMac = startMac;
  for (const c of cps) {
    if (c.prevMac !== prevMac || !macValid(key, c)) {
      return { kind: 'checkpoint', seq: c.seq, message: `checkpoint ${c.id} (seq ${c.seq}) is forged or a checkpoint before it was removed` };
    }
    prevMac = c.mac;
  }
  if (anchor) {
    if (!macValid(key, anchor)) return { kind: 'checkpoint', seq: Math.max(anchor.seq, 0), message: 'the anchor file is not signed with the checkpoint key' };
    const last = newest;
    // One behind and equal to the database's previous checkpoint: the process stopped between
    // committing a checkpoint and replacing the anchor file (only the key's holder makes MACs).
    const crashWindow = last && anchor.id === last.id - 1 && cps.some((c) => c.id === anchor.id && c.mac === anchor.mac);
    if (last && anchor.id < last.id && !crashWindow) return { kind: 'checkpoint', seq: last.seq, message: `the anchor file is older than the checkpoints (anchor ${anchor.id}, newest ${last.id}): a stale anchor was restored` };
  } else if (newest) {
    return { kind: 'checkpoint', seq: newest.seq, message: 'the anchor file is missing although checkpoints exist' };
  }
  return null;
}

/** The database's valid checkpoints plus the anchor when the database lost newer ones. */
function effectiveCheckpoints(cps: Checkpoint[], anchor: Checkpoint | null, newest: Checkpoint | null): Checkpoint[] {
  const out = [...cps];
  const last = newest;
  if (anchor && anchor.id >= 0 && (!last || anchor.id > last.id)) out.push(anchor);
  return out;
}

/** A 'close' checkpoint must be followed by an 'open' one at the same head. */
function appendedWhileClosed(cps: Checkpoint[], lastSeq: number): Damage | null {
  for (let i = 0; i < cps.length; i++) {
    const c = cps[i];
    if (c.kind !== 'close') continue;
    const next = cps[i + 1];
    const end = next ? next.seq : lastSeq;
    if (end > c.seq) {
      return {
        kind: 'inserted', seq: c.seq + 1, range: [c.seq + 1, end],
        message: `entries ${c.seq + 1}–${end} were added while the trail was closed (after the close checkpoint at seq ${c.seq})`,
      };
    }
  }
  return null;
}

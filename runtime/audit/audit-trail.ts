// The audit trail service: one per process, opened on the data directory. append() is
// synchronous (one SQLite transaction, fsynced) so the entry is durable before the action
// it records is acknowledged. Keyed checkpoints are written every `checkpointEvery`
// entries, when opening and on close(); verify() checks everything (verify.ts).
// Opening verifies the whole trail BEFORE it writes anything (the open checkpoint moves the
// anchor): damage found is sealed into the trail state beside the key (trail-state.ts) and
// stays reported until an administrator acknowledges it with a signature.
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Writable } from 'node:stream';
import { ENTRY_COLUMNS, openAuditDb, storedOf, transaction } from './audit-db';
import { entryHash, GENESIS_HASH } from './canonical';
import { checkpointMac, checkpointOf, defaultAnchorFile, NO_MAC, readAnchor, writeAnchor, type Checkpoint, type CheckpointKind } from './checkpoint';
import { CRITICAL } from './critical-actions';
import { loadKey, loadOrCreateKey, resolveKeyFile } from './checkpoint-key';
import { csvHeader, csvLine } from './csv';
import { entryOf, normaliseInput, type AuditEntry, type AuditEntryInput, type SignatureManifestation, type StoredEntry } from './entry';
import { AuditError } from './errors';
import { queryEntries, storedPages, type AuditFilter, type AuditPage, type AuditQueryResult } from './query';
import { defaultStateFile, readState, writeState, type Acknowledgement, type RecordedDamage, type StateRead, type TrailState } from './trail-state';
import { prefixDigest, verifyChain, verifyChainSync, type Baseline, type Damage, type VerifyResult } from './verify';

/** A verification as the running trail reports it: the chain's result plus the sealed state. */
export interface TrailVerifyResult extends VerifyResult {
  /** A damage was found (now or earlier) and no administrator has acknowledged it yet. */
  acknowledgementRequired: boolean;
  /** The damage as first found, with the evidence of that moment; null when none is pending. */
  recordedDamage: RecordedDamage | null;
  /** The newest acknowledgement of an earlier damage, if any. */
  lastAcknowledgement: Acknowledgement | null;
}

export interface AcknowledgeInput {
  userId: string;
  username: string;
  userName?: string | null;
  role?: string | null;
  reason: string;
  clientAddress?: string | null;
  signature: SignatureManifestation;
}

export interface AuditTrailOptions {
  dataDir: string;
  /** Default <dataDir>/audit.db. */
  dbFile?: string;
  /** Default: HISTORIAN_AUDIT_KEY_FILE, else <dataDir>/secrets/audit-checkpoint.key. */
  keyFile?: string;
  /** Default <dataDir>/secrets/audit-anchor.json. */
  anchorFile?: string;
  /** The sealed verification state; default audit-state.json beside the key file. */
  stateFile?: string;
  /** Keyed checkpoint every N entries (default 100). */
  checkpointEvery?: number;
  /** Epoch ms; injectable for tests. */
  clock?: () => number;
}

export type AppendListener = (entry: AuditEntry) => void;

export class AuditTrail {
  readonly db: DatabaseSync;
  readonly dbFile: string;
  readonly keyFile: string;
  readonly anchorFile: string;
  readonly stateFile: string;
  readonly checkpointEvery: number;
  /** The verification run when the trail was opened, before anything was written. */
  readonly startupVerify: TrailVerifyResult;
  private state: TrailState;
  private readonly key: Buffer;
  private readonly clock: () => number;
  private head: { seq: number; hash: string };
  private lastCheckpoint: Checkpoint | null;
  private readonly listeners = new Set<AppendListener>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly insertEntry;
  private readonly insertSignature;
  private readonly insertCheckpoint;
  private readonly prevRow;

  static open(opts: AuditTrailOptions): AuditTrail {
    return new AuditTrail(opts);
  }

  private constructor(opts: AuditTrailOptions) {
    this.clock = opts.clock ?? Date.now;
    this.checkpointEvery = opts.checkpointEvery ?? 100;
    if (!Number.isInteger(this.checkpointEvery) || this.checkpointEvery < 1) {
      throw new AuditError('validation', 'checkpointEvery: must be a positive integer', 'checkpointEvery');
    }
    const { file, provisioned } = resolveKeyFile(opts.dataDir, opts.keyFile);
    this.keyFile = file;
    this.key = loadOrCreateKey(file, provisioned);
    this.anchorFile = opts.anchorFile ?? defaultAnchorFile(opts.dataDir);
    mkdirSync(dirname(this.anchorFile), { recursive: true, mode: 0o700 });
    this.dbFile = opts.dbFile ?? join(opts.dataDir, 'audit.db');
    this.db = openAuditDb(this.dbFile);
    this.insertEntry = this.db.prepare(`INSERT INTO entries (${ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertSignature = this.db.prepare('INSERT INTO signatures (id, seq, entry_hash, user_id, meaning, signed_at, action, target) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
    this.insertCheckpoint = this.db.prepare('INSERT INTO checkpoints (id, seq, hash, kind, at, prev_mac, mac) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.prevRow = this.db.prepare(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE seq = ?`);
    const last = this.db.prepare('SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined;
    this.head = last ? { seq: Number(last.seq), hash: last.hash } : { seq: 0, hash: GENESIS_HASH };
    const cp = this.db.prepare('SELECT * FROM checkpoints ORDER BY id DESC LIMIT 1').get() as Record<string, unknown> | undefined;
    this.lastCheckpoint = cp ? checkpointOf(cp) : null;
    this.stateFile = opts.stateFile ?? defaultStateFile(this.keyFile);
    // Verify before writing: the open checkpoint below replaces the anchor, which is the
    // evidence of entries deleted from the end. What is found is sealed first.
    const read = readState(this.stateFile, this.key);
    this.state = read.state;
    const raw = verifyChainSync({ db: this.db, key: this.key, anchor: readAnchor(this.anchorFile), baseline: this.state.baseline, clock: this.clock });
    this.startupVerify = this.assess(raw, read);
    // Marks where this process took over the chain; with the preceding 'close' checkpoint
    // it shows whether entries were added while the trail was closed.
    this.checkpoint('open');
  }

  /** The newest entry's seq and hash (0 and the genesis hash when empty). */
  headOf(): { seq: number; hash: string } {
    return { ...this.head };
  }

  /** Called after every append (e.g. to publish on sys.audit); returns the unsubscribe function. */
  onAppend(fn: AppendListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /**
   * Appends one entry: validates it, checks that the stored previous entry still hashes to
   * the head this trail chained last (so an edit of the newest entry is caught at once),
   * links and hashes the new entry, and stores it — with its signature record, bound to
   * the new entry's hash — in one durable transaction.
   */
  append(input: AuditEntryInput): AuditEntry {
    return this.appendBatch([input])[0];
  }

  private queued: Array<{ input: AuditEntryInput; resolve: (e: AuditEntry) => void; reject: (e: unknown) => void }> = [];

  /**
   * Group commit: appends requested in the same turn of the event loop share one durable
   * transaction (one fsync), each chained and verified as by append(). Resolves once the
   * entry is durable; many concurrent writers thus cost one fsync per turn, not one each.
   */
  appendAsync(input: AuditEntryInput): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      if (this.queued.push({ input, resolve, reject }) === 1) setImmediate(() => this.commitQueued());
    });
  }

  private commitQueued(): void {
    const batch = this.queued;
    this.queued = [];
    try {
      const stored = this.appendBatch(batch.map((b) => b.input));
      batch.forEach((b, i) => b.resolve(stored[i]));
    } catch (e) {
      // all or nothing failed: retry one by one so one invalid entry does not sink the others
      if (batch.length === 1) return batch[0].reject(e);
      for (const b of batch) {
        try {
          b.resolve(this.append(b.input));
        } catch (err) {
          b.reject(err);
        }
      }
    }
  }

  /**
   * Appends several entries in one durable transaction (group commit): all or none are
   * stored. Each is validated, chained and verified exactly as by append().
   */
  appendBatch(inputs: AuditEntryInput[]): AuditEntry[] {
    this.assertOpen();
    if (!Array.isArray(inputs)) throw new AuditError('validation', 'entries: must be an array', 'entries');
    const now = this.clock();
    const all = inputs.map((input, i) => {
      try {
        return normaliseInput(input, now);
      } catch (e) {
        if (inputs.length > 1 && e instanceof AuditError) throw new AuditError('validation', `entries[${i}].${e.message}`, `entries[${i}].${e.field}`);
        throw e;
      }
    });
    const { stored, cp } = transaction(this.db, () => {
      this.checkPrevious();
      let head = this.head;
      let cp: Checkpoint | null = null;
      const out: StoredEntry[] = [];
      for (let i = 0; i < all.length; i++) {
        const seq = head.seq + 1;
        const chain = { seq, ...all[i], prevHash: head.hash };
        const hash = entryHash(chain);
        this.insertEntry.run(seq, chain.ts, chain.userId, chain.username, chain.userName, chain.role, chain.action, chain.target,
          chain.previousValue, chain.newValue, chain.reason, chain.clientAddress, chain.signature, chain.prevHash, hash);
        const sig = inputs[i].signature;
        if (sig) this.bindSignature(sig, seq, hash, chain.action, chain.target);
        out.push({ ...chain, hash });
        head = { seq, hash };
      }
      if (head.seq - ((cp ?? this.lastCheckpoint)?.seq ?? 0) >= this.checkpointEvery) cp = this.insertCheckpointRow('periodic', head);
      return { stored: out, cp };
    });
    // Only a committed append moves the head.
    const last = stored.at(-1);
    if (last) this.head = { seq: last.seq, hash: last.hash };
    if (cp) {
      this.lastCheckpoint = cp;
      writeAnchor(this.anchorFile, cp);
    }
    const entries = stored.map(entryOf);
    for (const entry of entries) {
      for (const fn of this.listeners) {
        try { fn(entry); } catch (e) { console.error('audit append listener failed:', e); }
      }
    }
    return entries;
  }

  query(filter: AuditFilter = {}, page: AuditPage = {}): AuditQueryResult {
    this.assertOpen();
    return queryEntries(this.db, filter, page);
  }

  /** One entry by seq, or null. */
  get(seq: number): AuditEntry | null {
    const r = this.prevRow.get(seq) as Record<string, unknown> | undefined;
    return r ? entryOf(storedOf(r)) : null;
  }

  /** Streams the matching entries as CSV (with the chain hashes), honouring backpressure. */
  async exportCsv(filter: AuditFilter, out: Writable): Promise<{ rows: number }> {
    this.assertOpen();
    let rows = 0;
    const write = async (s: string) => {
      if (!out.write(s)) await Promise.race([once(out, 'drain'), once(out, 'close')]);
      if (out.destroyed) throw new AuditError('closed', 'the export stream was closed by the client');
    };
    await write(csvHeader());
    for (const page of storedPages(this.db, filter)) {
      let chunk = '';
      for (const e of page) chunk += csvLine(e);
      rows += page.length;
      await write(chunk);
    }
    return { rows };
  }

  /**
   * Verifies the whole chain, the signatures, the checkpoints and the sealed state; never
   * throws on damage. A damage found is sealed and reported by every later verification,
   * even one that finds the database consistent again, until acknowledgeDamage().
   */
  async verify(): Promise<TrailVerifyResult> {
    this.assertOpen();
    const read = readState(this.stateFile, this.key);
    // the process's own state is authoritative; the file is read to notice a replaced one
    const problem = read.problem;
    const raw = await verifyChain({ db: this.db, key: this.key, anchor: readAnchor(this.anchorFile), baseline: this.state.baseline, clock: this.clock });
    return this.assess(raw, { state: this.state, problem } as StateRead);
  }

  /** The damage found and not yet acknowledged, or null. */
  pendingDamage(): RecordedDamage | null {
    return this.state.damage;
  }

  /**
   * An administrator's signed acknowledgement of the recorded damage: the trail as it is
   * now becomes the baseline (its stored rows frozen by a digest, so later change to them
   * still shows), the acknowledgement is appended with its signature, a checkpoint anchors
   * it, and verification reports the trail intact again from there on.
   */
  acknowledgeDamage(input: AcknowledgeInput): AuditEntry {
    this.assertOpen();
    const recorded = this.state.damage;
    if (!recorded) throw new AuditError('validation', 'the audit trail has no unacknowledged damage', 'damage');
    const now = this.clock();
    const cpRow = this.db.prepare('SELECT * FROM checkpoints ORDER BY id DESC LIMIT 1').get() as Record<string, unknown> | undefined;
    const cp = cpRow ? checkpointOf(cpRow) : null;
    const baseline: Baseline = {
      seq: this.head.seq, hash: this.head.hash, checkpointId: cp?.id ?? 0, checkpointMac: cp?.mac ?? NO_MAC,
      digest: prefixDigest(this.db, this.head.seq, cp?.id ?? 0), at: now,
    };
    const before = this.state;
    // appending past a damaged head is allowed once the prefix is frozen
    this.state = { ...before, baseline };
    let entry: AuditEntry;
    try {
      entry = this.append({
        ts: now, userId: input.userId, username: input.username, userName: input.userName ?? null, role: input.role ?? null,
        action: CRITICAL.auditAcknowledge, target: 'audit', previousValue: recorded,
        newValue: { baseline: { seq: baseline.seq, hash: baseline.hash, checkpointId: baseline.checkpointId, digest: baseline.digest } },
        reason: input.reason, clientAddress: input.clientAddress ?? null, signature: input.signature,
      });
    } catch (e) {
      this.state = before;
      throw e;
    }
    this.state = {
      verified: { seq: entry.seq, hash: entry.hash, at: now }, damage: null, baseline,
      acknowledged: [...before.acknowledged, { damage: recorded, at: now, userId: input.userId, username: input.username, entrySeq: entry.seq }],
    };
    writeState(this.stateFile, this.key, this.state);
    this.checkpoint('manual');
    return entry;
  }

  /** Combines a chain verification with the sealed state, and seals what it found. */
  private assess(raw: VerifyResult, read: StateRead): TrailVerifyResult {
    const state = this.state;
    let damage: Damage | null = raw.damage;
    if (!damage && read.problem) damage = { kind: 'checkpoint', seq: raw.lastSeq, message: read.problem };
    const v = state.verified;
    if (!damage && v && v.seq > (state.baseline?.seq ?? 0)) {
      const row = this.db.prepare('SELECT hash FROM entries WHERE seq = ?').get(v.seq) as { hash: string } | undefined;
      const when = new Date(v.at).toISOString();
      if (!row && v.seq > raw.lastSeq) {
        damage = {
          kind: 'truncated', seq: raw.lastSeq + 1, range: [raw.lastSeq + 1, v.seq],
          message: `entries ${raw.lastSeq + 1}–${v.seq} were deleted from the end: the verification of ${when} reached seq ${v.seq} but the trail ends at ${raw.lastSeq}`,
        };
      } else if (!row || row.hash !== v.hash) {
        damage = { kind: 'altered', seq: v.seq, message: `entry ${v.seq} differs from the head verified on ${when}: entries up to it were rewritten` };
      }
    }
    const now = this.clock();
    if (damage && !state.damage) {
      this.state = { ...state, damage: { ...damage, detectedAt: now, anchor: readAnchor(this.anchorFile), verified: state.verified } };
      writeState(this.stateFile, this.key, this.state);
    } else if (!damage && !state.damage && (v?.seq !== raw.lastSeq || v?.hash !== raw.lastHash)) {
      this.state = { ...state, verified: { seq: raw.lastSeq, hash: raw.lastHash, at: now } };
      writeState(this.stateFile, this.key, this.state);
    }
    const pending = this.state.damage;
    return {
      ...raw,
      ok: !damage && !pending,
      damage: damage ?? (pending ? stripEvidence(pending) : null),
      acknowledgementRequired: pending !== null,
      recordedDamage: pending,
      lastAcknowledgement: this.state.acknowledged.at(-1) ?? null,
    };
  }

  /**
   * Verifies every intervalMs (runs never overlap) and calls onFailure with a damaged or
   * failed result — the server raises its system alarm from there. Returns the stop function.
   */
  startScheduledVerify(intervalMs: number, onFailure: (r: VerifyResult | Error) => void, onResult?: (r: VerifyResult) => void): () => void {
    if (!(intervalMs >= 1000)) throw new AuditError('validation', 'intervalMs: must be at least 1000', 'intervalMs');
    let running = false;
    const timer = setInterval(() => {
      if (running || !this.db.isOpen) return;
      running = true;
      this.verify().then((r) => {
        onResult?.(r);
        if (!r.ok) onFailure(r);
      }, (e: unknown) => onFailure(e instanceof Error ? e : new Error(String(e)))).finally(() => { running = false; });
    }, intervalMs);
    timer.unref();
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** Writes a keyed checkpoint at the head now. */
  checkpoint(kind: CheckpointKind = 'manual'): Checkpoint {
    this.assertOpen();
    const c = transaction(this.db, () => this.insertCheckpointRow(kind, this.head));
    this.lastCheckpoint = c;
    writeAnchor(this.anchorFile, c);
    return c;
  }

  /** Stops scheduled verification, writes the closing checkpoint and closes the database. */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
    if (!this.db.isOpen) return;
    this.checkpoint('close');
    this.db.close();
  }

  get isOpen(): boolean {
    return this.db.isOpen;
  }

  private bindSignature(s: SignatureManifestation, seq: number, hash: string, action: string, target: string | null): void {
    if (s.action !== action || (s.target ?? null) !== target) {
      throw new AuditError('validation', `signature: given for ${s.action} on ${s.target ?? '(no target)'}, not for ${action} on ${target ?? '(no target)'}`, 'signature');
    }
    try {
      this.insertSignature.run(s.signatureId, seq, hash, s.userId, s.meaning, s.signedAt, s.action, s.target ?? null);
    } catch (e) {
      if (/UNIQUE|PRIMARY/.test((e as Error).message)) throw new AuditError('validation', `signature: ${s.signatureId} is already bound to another entry`, 'signature');
      throw e;
    }
  }

  private insertCheckpointRow(kind: CheckpointKind, head: { seq: number; hash: string }): Checkpoint {
    const base = {
      id: (this.lastCheckpoint?.id ?? 0) + 1, seq: head.seq, hash: head.hash, kind, at: this.clock(),
      prevMac: this.lastCheckpoint?.mac ?? NO_MAC,
    };
    const c: Checkpoint = { ...base, mac: checkpointMac(this.key, base) };
    this.insertCheckpoint.run(c.id, c.seq, c.hash, c.kind, c.at, c.prevMac, c.mac);
    return c;
  }

  private checkPrevious(): void {
    if (this.head.seq === 0) return;
    const r = this.prevRow.get(this.head.seq) as Record<string, unknown> | undefined;
    const prev = r ? storedOf(r) : null;
    // an acknowledged (frozen) prefix may end in an entry that no longer hashes
    const frozen = this.state.baseline !== null && this.head.seq <= this.state.baseline.seq;
    if (!prev || prev.hash !== this.head.hash || (!frozen && entryHash(prev) !== prev.hash)) {
      throw new AuditError('corrupt', `the audit trail was tampered with: entry ${this.head.seq} no longer matches the chain head; nothing can be appended until it is investigated (GET /api/v1/audit/verify)`);
    }
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw new AuditError('closed', 'the audit trail is closed');
  }
}

function stripEvidence(d: RecordedDamage): Damage {
  return { kind: d.kind, seq: d.seq, ...(d.range ? { range: d.range } : {}), message: d.message };
}

/**
 * Verifies an audit database without opening it for writing (a copy, a backup...). With
 * the sealed state file, an acknowledged damage is honoured and a pending one reported.
 */
export async function verifyAuditDatabase(opts: { dbFile: string; keyFile: string; anchorFile: string | null; stateFile?: string | null }): Promise<VerifyResult> {
  const db = openAuditDb(opts.dbFile, { readOnly: true });
  try {
    const key = loadKey(opts.keyFile);
    const read = opts.stateFile ? readState(opts.stateFile, key) : null;
    const r = await verifyChain({ db, key, anchor: opts.anchorFile ? readAnchor(opts.anchorFile) : null, baseline: read?.state.baseline ?? null, yieldBetweenPages: false });
    const pending = read?.state.damage ?? null;
    const damage = r.damage ?? (read?.problem ? { kind: 'checkpoint' as const, seq: r.lastSeq, message: read.problem } : pending ? stripEvidence(pending) : null);
    return { ...r, ok: damage === null, damage };
  } finally {
    db.close();
  }
}

// The audit trail service: one per process, opened on the data directory. append() is
// synchronous (one SQLite transaction, fsynced) so the entry is durable before the action
// it records is acknowledged. Keyed checkpoints are written every `checkpointEvery`
// entries, when opening and on close(); verify() checks everything (verify.ts).
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type { Writable } from 'node:stream';
import { ENTRY_COLUMNS, openAuditDb, storedOf, transaction } from './audit-db';
import { entryHash, GENESIS_HASH } from './canonical';
import { checkpointMac, checkpointOf, defaultAnchorFile, NO_MAC, readAnchor, writeAnchor, type Checkpoint, type CheckpointKind } from './checkpoint';
import { loadKey, loadOrCreateKey, resolveKeyFile } from './checkpoint-key';
import { csvHeader, csvLine } from './csv';
import { entryOf, normaliseInput, type AuditEntry, type AuditEntryInput, type SignatureManifestation, type StoredEntry } from './entry';
import { AuditError } from './errors';
import { queryEntries, storedPages, type AuditFilter, type AuditPage, type AuditQueryResult } from './query';
import { verifyChain, type VerifyResult } from './verify';

export interface AuditTrailOptions {
  dataDir: string;
  /** Default <dataDir>/audit.db. */
  dbFile?: string;
  /** Default: HISTORIAN_AUDIT_KEY_FILE, else <dataDir>/secrets/audit-checkpoint.key. */
  keyFile?: string;
  /** Default <dataDir>/secrets/audit-anchor.json. */
  anchorFile?: string;
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
  readonly checkpointEvery: number;
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

  /** Verifies the whole chain, the signatures and the checkpoints; never throws on damage. */
  async verify(): Promise<VerifyResult> {
    this.assertOpen();
    return verifyChain({ db: this.db, key: this.key, anchor: readAnchor(this.anchorFile), clock: this.clock });
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
    if (!prev || prev.hash !== this.head.hash || entryHash(prev) !== prev.hash) {
      throw new AuditError('corrupt', `the audit trail was tampered with: entry ${this.head.seq} no longer matches the chain head; nothing can be appended until it is investigated (GET /api/v1/audit/verify)`);
    }
  }

  private assertOpen(): void {
    if (!this.db.isOpen) throw new AuditError('closed', 'the audit trail is closed');
  }
}

/** Verifies an audit database without opening it for writing (a copy, a backup...). */
export async function verifyAuditDatabase(opts: { dbFile: string; keyFile: string; anchorFile: string | null }): Promise<VerifyResult> {
  const db = openAuditDb(opts.dbFile, { readOnly: true });
  try {
    return await verifyChain({ db, key: loadKey(opts.keyFile), anchor: opts.anchorFile ? readAnchor(opts.anchorFile) : null, yieldBetweenPages: false });
  } finally {
    db.close();
  }
}

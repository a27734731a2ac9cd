// The CSV export (RFC 4180, UTF-8, CRLF line ends) and its offline verification. Every
// hashed field is exported exactly as stored; an empty field means null (the trail never
// stores empty strings), so an inspector can rebuild the canonical encoding of each row
// and recompute its hash without the database (FORMAT-chain.md, "Offline verification").
import { entryHash, GENESIS_HASH, type ChainFields } from './canonical';
import type { StoredEntry } from './entry';

export const CSV_COLUMNS = [
  'seq', 'time', 'ts', 'user_id', 'username', 'user_name', 'role', 'action', 'target', 'previous_value',
  'new_value', 'reason', 'client_address', 'signature', 'prev_hash', 'hash',
] as const;

function cell(v: string | number | null): string {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function csvLine(e: StoredEntry): string {
  return [
    e.seq, new Date(e.ts).toISOString(), e.ts, e.userId, e.username, e.userName, e.role, e.action, e.target,
    e.previousValue, e.newValue, e.reason, e.clientAddress, e.signature, e.prevHash, e.hash,
  ].map(cell).join(',') + '\r\n';
}

/** Incremental RFC 4180 parser: feed text chunks, get complete records back. */
export class CsvParser {
  private field = '';
  private record: string[] = [];
  private quoted = false;
  private inQuotes = false;
  private pendingQuote = false;

  push(chunk: string): string[][] {
    const out: string[][] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (this.inQuotes) {
        if (this.pendingQuote) {
          this.pendingQuote = false;
          if (c === '"') { this.field += '"'; continue; }
          this.inQuotes = false;
        } else if (c === '"') {
          this.pendingQuote = true;
          continue;
        } else {
          this.field += c;
          continue;
        }
      }
      if (c === '"' && this.field === '' && !this.quoted) { this.inQuotes = true; this.quoted = true; continue; }
      if (c === ',') { this.endField(); continue; }
      if (c === '\r') continue;
      if (c === '\n') { this.endField(); out.push(this.record); this.record = []; continue; }
      this.field += c;
    }
    return out;
  }

  end(): string[][] {
    if (this.pendingQuote) { this.pendingQuote = false; this.inQuotes = false; }
    if (this.field === '' && this.record.length === 0 && !this.quoted) return [];
    this.endField();
    const r = this.record;
    this.record = [];
    return [r];
  }

  private endField(): void {
    this.record.push(this.field);
    this.field = '';
    this.quoted = false;
  }
}

export interface CsvVerifyResult {
  ok: boolean;
  rows: number;
  /** Rows whose predecessor (seq - 1) is in the file and was checked as the link. */
  linked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  lastHash: string | null;
  problem: { seq: number; line: number; message: string } | null;
}

/** Checks each row's hash and, where consecutive, the links between rows. */
export class CsvChainChecker {
  private rows = 0;
  private linked = 0;
  private line = 1;
  private prev: { seq: number; hash: string } | null = null;
  private first: number | null = null;
  private problem: CsvVerifyResult['problem'] = null;
  private header: string[] | null = null;

  add(record: string[]): void {
    if (this.problem) return;
    this.line++;
    if (!this.header) {
      this.line = 1;
      this.header = record;
      if (record.join(',') !== CSV_COLUMNS.join(',')) this.problem = { seq: 0, line: 1, message: `unexpected header: ${record.join(',')}` };
      return;
    }
    if (record.length === 1 && record[0] === '') return;
    const v = (name: (typeof CSV_COLUMNS)[number]) => {
      const s = record[CSV_COLUMNS.indexOf(name)];
      return s === undefined || s === '' ? null : s;
    };
    const seq = Number(v('seq'));
    const f: ChainFields = {
      seq, ts: Number(v('ts')), userId: v('user_id'), username: v('username'), userName: v('user_name'), role: v('role'),
      action: v('action') ?? '', target: v('target'), previousValue: v('previous_value'), newValue: v('new_value'),
      reason: v('reason'), clientAddress: v('client_address'), signature: v('signature'), prevHash: v('prev_hash') ?? '',
    };
    const hash = v('hash');
    if (record.length !== CSV_COLUMNS.length || !Number.isInteger(seq)) {
      this.problem = { seq, line: this.line, message: `line ${this.line}: expected ${CSV_COLUMNS.length} fields` };
    } else if (entryHash(f) !== hash) {
      this.problem = { seq, line: this.line, message: `entry ${seq}: content does not match its hash` };
    } else if (this.prev && this.prev.seq === seq - 1 && f.prevHash !== this.prev.hash) {
      this.problem = { seq, line: this.line, message: `entry ${seq}: does not link to entry ${seq - 1}` };
    } else if (seq === 1 && f.prevHash !== GENESIS_HASH) {
      this.problem = { seq, line: this.line, message: 'entry 1 does not start from the genesis hash' };
    } else if (this.prev && seq <= this.prev.seq) {
      this.problem = { seq, line: this.line, message: `entry ${seq} is out of order` };
    } else {
      if (this.prev && this.prev.seq === seq - 1) this.linked++;
      this.first ??= seq;
      this.prev = { seq, hash: hash! };
      this.rows++;
    }
  }

  result(): CsvVerifyResult {
    return {
      ok: this.problem === null && this.header !== null, rows: this.rows, linked: this.linked, firstSeq: this.first,
      lastSeq: this.prev?.seq ?? null, lastHash: this.prev?.hash ?? null,
      problem: this.problem ?? (this.header ? null : { seq: 0, line: 0, message: 'empty file' }),
    };
  }
}

/** Verifies a whole exported CSV text. */
export function verifyCsvText(text: string): CsvVerifyResult {
  const p = new CsvParser();
  const c = new CsvChainChecker();
  for (const r of p.push(text)) c.add(r);
  for (const r of p.end()) c.add(r);
  return c.result();
}

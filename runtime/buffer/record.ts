// Records of the buffer's append-only segment files (FORMAT-segment.md): a length, a
// CRC-32 over type + payload, a type byte and the payload. A torn tail (a crash during
// append) shows up as a short or mismatching record and is cut, never read as data.
import { crc32 } from 'node:zlib';
import type { Category } from './types';

export const SEGMENT_MAGIC = 0x31425348; // "HSB1" little-endian
export const SEGMENT_HEADER = 8;
export const RECORD_HEADER = 9;
export const MAX_RECORD = 256 << 20;

export const REC_ENTRY = 1;
export const REC_ACK = 2;
export const REC_QUARANTINE = 3;

const CATEGORIES: readonly Category[] = ['telemetry', 'event', 'alarm'];

export interface EntryMeta {
  seq: number;
  id: string;
  source: string;
  subject: string;
  category: Category;
  created: number;
  /** samples in the body */
  count: number;
}

export function segmentHeader(segNo: number): Buffer {
  const b = Buffer.allocUnsafe(SEGMENT_HEADER);
  b.writeUInt32LE(SEGMENT_MAGIC, 0);
  b.writeUInt32LE(segNo, 4);
  return b;
}

function frame(type: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out[8] = type;
  payload.copy(out, RECORD_HEADER);
  out.writeUInt32LE(crc32(out.subarray(8)), 4);
  return out;
}

function metaBytes(m: EntryMeta): Buffer {
  const id = Buffer.from(m.id, 'latin1');
  const src = Buffer.from(m.source, 'utf8');
  const subj = Buffer.from(m.subject, 'utf8');
  if (id.length > 255) throw new Error('id: longer than 255 bytes');
  if (src.length > 0xffff || subj.length > 0xffff) throw new Error('source/subject: longer than 65535 bytes');
  const b = Buffer.allocUnsafe(8 + 8 + 4 + 1 + 1 + id.length + 2 + src.length + 2 + subj.length);
  let o = 0;
  b.writeDoubleLE(m.seq, o); o += 8;
  b.writeDoubleLE(m.created, o); o += 8;
  b.writeUInt32LE(m.count, o); o += 4;
  b[o++] = CATEGORIES.indexOf(m.category);
  b[o++] = id.length; id.copy(b, o); o += id.length;
  b.writeUInt16LE(src.length, o); o += 2; src.copy(b, o); o += src.length;
  b.writeUInt16LE(subj.length, o); o += 2; subj.copy(b, o);
  return b;
}

function readMeta(p: Buffer): { meta: EntryMeta; end: number } {
  let o = 0;
  const seq = p.readDoubleLE(o); o += 8;
  const created = p.readDoubleLE(o); o += 8;
  const count = p.readUInt32LE(o); o += 4;
  const category = CATEGORIES[p[o++]] ?? 'telemetry';
  const idLen = p[o++];
  const id = p.toString('latin1', o, o + idLen); o += idLen;
  const srcLen = p.readUInt16LE(o); o += 2;
  const source = p.toString('utf8', o, o + srcLen); o += srcLen;
  const subjLen = p.readUInt16LE(o); o += 2;
  const subject = p.toString('utf8', o, o + subjLen); o += subjLen;
  return { meta: { seq, id, source, subject, category, created, count }, end: o };
}

/** An entry record; `bodyOffset` is where the body starts inside the returned buffer. */
export function encodeEntry(m: EntryMeta, body: Buffer): { record: Buffer; bodyOffset: number } {
  const meta = metaBytes(m);
  return { record: frame(REC_ENTRY, Buffer.concat([meta, body])), bodyOffset: RECORD_HEADER + meta.length };
}

export function encodeQuarantine(m: EntryMeta, reason: string, quarantined: number, body: Buffer): Buffer {
  const r = Buffer.from(reason.slice(0, 2000), 'utf8');
  const head = Buffer.allocUnsafe(2 + r.length + 8);
  head.writeUInt16LE(r.length, 0);
  r.copy(head, 2);
  head.writeDoubleLE(quarantined, 2 + r.length);
  return frame(REC_QUARANTINE, Buffer.concat([head, metaBytes(m), body]));
}

export function encodeAck(seqs: readonly number[]): Buffer {
  const p = Buffer.allocUnsafe(4 + 8 * seqs.length);
  p.writeUInt32LE(seqs.length, 0);
  for (let i = 0; i < seqs.length; i++) p.writeDoubleLE(seqs[i], 4 + 8 * i);
  return frame(REC_ACK, p);
}

export type Parsed =
  | { kind: 'entry'; meta: EntryMeta; bodyPos: number; bodyLen: number; next: number }
  | { kind: 'ack'; seqs: number[]; next: number }
  | { kind: 'quarantine'; meta: EntryMeta; reason: string; quarantined: number; body: Buffer; next: number }
  | { kind: 'end' }
  | { kind: 'torn'; at: number; why: string };

/** Parses the record at `pos` of a whole file image. */
export function parseRecord(file: Buffer, pos: number): Parsed {
  if (pos === file.length) return { kind: 'end' };
  if (pos + RECORD_HEADER > file.length) return { kind: 'torn', at: pos, why: 'short record header' };
  const len = file.readUInt32LE(pos);
  if (len > MAX_RECORD || pos + RECORD_HEADER + len > file.length) return { kind: 'torn', at: pos, why: 'record runs past the end of the file' };
  const crc = file.readUInt32LE(pos + 4);
  if (crc32(file.subarray(pos + 8, pos + RECORD_HEADER + len)) !== crc) return { kind: 'torn', at: pos, why: 'CRC mismatch' };
  const type = file[pos + 8];
  const p = file.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + len);
  const next = pos + RECORD_HEADER + len;
  try {
    if (type === REC_ENTRY) {
      const { meta, end } = readMeta(p);
      return { kind: 'entry', meta, bodyPos: pos + RECORD_HEADER + end, bodyLen: len - end, next };
    }
    if (type === REC_ACK) {
      const n = p.readUInt32LE(0);
      const seqs = new Array<number>(n);
      for (let i = 0; i < n; i++) seqs[i] = p.readDoubleLE(4 + 8 * i);
      return { kind: 'ack', seqs, next };
    }
    if (type === REC_QUARANTINE) {
      const rl = p.readUInt16LE(0);
      const reason = p.toString('utf8', 2, 2 + rl);
      const quarantined = p.readDoubleLE(2 + rl);
      const rest = p.subarray(2 + rl + 8);
      const { meta, end } = readMeta(rest);
      return { kind: 'quarantine', meta, reason, quarantined, body: Buffer.from(rest.subarray(end)), next };
    }
  } catch (e) {
    return { kind: 'torn', at: pos, why: `unreadable record: ${(e as Error).message}` };
  }
  return { kind: 'torn', at: pos, why: `unknown record type ${type}` };
}

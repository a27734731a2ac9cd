// Binary WAL record: one record per write batch, columnar, with the segment's tag
// dictionary growing inside the records (FORMAT-wal.md). Encoding is two passes over the
// batch into one reused buffer: no per-sample allocation, and no per-batch one either for
// ordinary batches (a fresh 200 kB buffer per 10,000-sample batch, freed a moment later,
// is what fragments the C heap of a long-running process).
import { crc32 } from 'node:zlib';
import type { SampleColumns } from '../model';

export const RECORD_HEADER = 8; // u32 payload length, u32 crc32(payload)
export const RECORD_SAMPLES = 1;
const PAYLOAD_HEADER = 12; // u8 type, 3 pad, u32 newTags, u32 samples

/** Tag dictionary of one segment: ids are dense, in order of first appearance. */
export class TagDictionary {
  readonly ids = new Map<string, number>();
  readonly tags: string[] = [];
}

let scratch = new Uint32Array(4096);

/**
 * Records up to this size are built in one buffer kept for the next record; larger ones
 * (bulk imports) get a buffer of their own so one huge batch does not pin its size.
 */
const REUSED_RECORD_BYTES = 4 << 20;
let recordBuffer = new ArrayBuffer(64 << 10);

/**
 * Encodes the rows whose `keep[i]` is 1 (all when keep is null) as one framed record.
 * New tags are added to `dict`; call `rollback(dict, mark)` if the record is not written.
 * The bytes are valid until the next call: write them out (synchronously) before that.
 */
export function encodeRecord(dict: TagDictionary, rows: SampleColumns, keep: Uint8Array | null, n: number): Buffer {
  const len = rows.length;
  if (scratch.length < len) scratch = new Uint32Array(len * 2);
  const firstNew = dict.tags.length;
  let tagBytes = 0;
  let lastTag = '', lastId = -1;
  for (let i = 0; i < len; i++) {
    if (keep && !keep[i]) continue;
    const tag = rows.tag[i];
    if (tag !== lastTag) {
      let id = dict.ids.get(tag);
      if (id === undefined) {
        id = dict.tags.length;
        dict.ids.set(tag, id);
        dict.tags.push(tag);
        tagBytes += 2 + Buffer.byteLength(tag);
      }
      lastTag = tag; lastId = id;
    }
    scratch[i] = lastId;
  }
  const newTags = dict.tags.length - firstNew;
  const tagEnd = PAYLOAD_HEADER + tagBytes;
  const colStart = (tagEnd + 7) & ~7;
  const payloadLen = colStart + n * 22;
  // The payload starts 8 bytes into the buffer so its 8-aligned columns are aligned in memory too.
  const size = RECORD_HEADER + payloadLen;
  let ab: ArrayBuffer;
  if (size > REUSED_RECORD_BYTES) ab = new ArrayBuffer(size);
  else {
    if (recordBuffer.byteLength < size) recordBuffer = new ArrayBuffer(Math.min(REUSED_RECORD_BYTES, Math.max(size, recordBuffer.byteLength * 2)));
    ab = recordBuffer;
  }
  const buf = Buffer.from(ab, 0, size);
  const base = RECORD_HEADER;
  // a reused buffer holds the last record: zero the padding, the columns are all overwritten
  buf.fill(0, base, base + PAYLOAD_HEADER);
  buf[base] = RECORD_SAMPLES;
  buf.writeUInt32LE(newTags, base + 4);
  buf.writeUInt32LE(n, base + 8);
  let p = base + PAYLOAD_HEADER;
  for (let k = firstNew; k < dict.tags.length; k++) {
    const len = buf.write(dict.tags[k], p + 2, 'utf8');
    buf.writeUInt16LE(len, p);
    p += 2 + len;
  }
  buf.fill(0, p, base + colStart);
  const c = base + colStart;
  const ts = new Float64Array(ab, c, n);
  const values = new Float64Array(ab, c + 8 * n, n);
  const ids = new Uint32Array(ab, c + 16 * n, n);
  const quality = new Uint16Array(ab, c + 20 * n, n);
  if (!keep) {
    ts.set(rows.ts); values.set(rows.value); ids.set(scratch.subarray(0, len)); quality.set(rows.quality);
  } else {
    let j = 0;
    for (let i = 0; i < len; i++) {
      if (!keep[i]) continue;
      ts[j] = rows.ts[i]; values[j] = rows.value[i]; ids[j] = scratch[i]; quality[j] = rows.quality[i]; j++;
    }
  }
  buf.writeUInt32LE(payloadLen, 0);
  buf.writeUInt32LE(crc32(buf.subarray(RECORD_HEADER)), 4);
  return buf;
}

export function dictionaryMark(dict: TagDictionary): number {
  return dict.tags.length;
}

export function rollback(dict: TagDictionary, mark: number): void {
  while (dict.tags.length > mark) dict.ids.delete(dict.tags.pop()!);
}

export interface DecodedRecord {
  ts: Float64Array;
  values: Float64Array;
  ids: Uint32Array;
  quality: Uint16Array;
}

export class RecordError extends Error {}

/**
 * Decodes the record at `off` in a segment's bytes; returns its length or throws
 * RecordError when it is torn or corrupt. New tags are appended to `dict`.
 */
export function decodeRecord(seg: Uint8Array, off: number, dict: TagDictionary, out: { rec: DecodedRecord | null }): number {
  if (off + RECORD_HEADER > seg.length) throw new RecordError(`torn record header at offset ${off}`);
  const dv = new DataView(seg.buffer, seg.byteOffset, seg.byteLength);
  const len = dv.getUint32(off, true);
  const crc = dv.getUint32(off + 4, true);
  if (len < PAYLOAD_HEADER || off + RECORD_HEADER + len > seg.length) throw new RecordError(`torn record at offset ${off} (length ${len})`);
  const payload = seg.subarray(off + RECORD_HEADER, off + RECORD_HEADER + len);
  if (crc32(payload) !== crc) throw new RecordError(`checksum mismatch in record at offset ${off}`);
  // Copy into an aligned buffer so the columns can be viewed as typed arrays.
  const ab = new ArrayBuffer(len);
  const p8 = new Uint8Array(ab);
  p8.set(payload);
  const pv = new DataView(ab);
  if (p8[0] !== RECORD_SAMPLES) throw new RecordError(`unknown record type ${p8[0]} at offset ${off}`);
  const newTags = pv.getUint32(4, true);
  const n = pv.getUint32(8, true);
  let p = PAYLOAD_HEADER;
  const b = Buffer.from(ab);
  for (let k = 0; k < newTags; k++) {
    const tl = pv.getUint16(p, true);
    const tag = b.toString('utf8', p + 2, p + 2 + tl);
    dict.ids.set(tag, dict.tags.length);
    dict.tags.push(tag);
    p += 2 + tl;
  }
  const c = (p + 7) & ~7;
  if (c + n * 22 !== len) throw new RecordError(`inconsistent record at offset ${off}`);
  const ids = new Uint32Array(ab, c + 16 * n, n);
  for (let i = 0; i < n; i++) if (ids[i] >= dict.tags.length) throw new RecordError(`unknown tag id in record at offset ${off}`);
  out.rec = {
    ts: new Float64Array(ab, c, n), values: new Float64Array(ab, c + 8 * n, n), ids,
    quality: new Uint16Array(ab, c + 20 * n, n),
  };
  return RECORD_HEADER + len;
}

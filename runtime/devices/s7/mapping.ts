// node-red-contrib-s7 "s7 in" messages → samples. Its message shapes (red/s7.js, 3.1.x):
//   mode "single" / "all-split": {topic: <variable name>, payload: <value>}
//   mode "all":                  {topic: "", payload: {<variable name>: <value>, ...}}
// Values are numbers, booleans, Dates (sent as epoch ms), strings (CHAR/STRING) or arrays
// (addresses such as "DB1,REAL0.4"). The node reports its connection only through its
// status ("online" with the value / "offline" / "connecting" / "failure"), which a status
// node passes on as msg.status = {fill, shape, text, source}. The endpoint's variable
// table (name → address) maps to tag paths: an explicit tag per variable, else
// <prefix>.<variable name sanitized>, and array elements become <tag>.<index>.
import { QUALITY_CODES, type Sample } from '../../model';
import { joinTag, nameToSegments } from '../tag-path';

export interface S7Variable {
  /** variable name in the s7 endpoint's table */
  name: string;
  /** S7 address, informative (e.g. DB1,REAL4) */
  addr?: string;
  /** tag path; empty = <prefix>.<name> */
  tag?: string;
}

export interface S7Result {
  samples: Sample[];
  /** values that could not become samples (strings, nested objects) */
  skipped: string[];
}

export class S7Mapper {
  private readonly tags = new Map<string, string>();
  private readonly last = new Map<string, { value: number; quality: number }>();

  constructor(readonly prefix: string, vars: S7Variable[] = [], private readonly now: () => number = Date.now) {
    if (prefix) joinTag(prefix, [], 'prefix');
    vars.forEach((v, i) => {
      if (!v.name) throw new Error(`variables[${i}].name: must not be empty`);
      const tag = v.tag && v.tag.trim() ? joinTag(v.tag.trim(), [], `variables[${i}].tag`) : joinTag(prefix, nameToSegments(v.name), `variables[${i}].name`);
      this.tags.set(v.name, tag);
    });
  }

  tagFor(name: string): string {
    return this.tags.get(name) ?? joinTag(this.prefix, nameToSegments(name), 'msg.topic');
  }

  private push(out: S7Result, tag: string, value: unknown, ts: number): void {
    if (Array.isArray(value)) {
      value.forEach((v, i) => this.push(out, `${tag}.${i}`, v, ts));
      return;
    }
    let v: number;
    if (typeof value === 'number' && Number.isFinite(value)) v = value;
    else if (typeof value === 'boolean') v = value ? 1 : 0;
    else if (value instanceof Date) v = value.getTime();
    else {
      out.skipped.push(tag);
      return;
    }
    this.last.set(tag, { value: v, quality: QUALITY_CODES.GOOD });
    out.samples.push({ tag, ts, value: v, quality: QUALITY_CODES.GOOD });
  }

  /** A data message of the s7 in node. */
  fromData(msg: { topic?: unknown; payload?: unknown }, ts: number = this.now()): S7Result {
    const out: S7Result = { samples: [], skipped: [] };
    if (typeof msg.topic === 'string' && msg.topic !== '') {
      this.push(out, this.tagFor(msg.topic), msg.payload, ts);
    } else if (msg.payload !== null && typeof msg.payload === 'object' && !Array.isArray(msg.payload) && !(msg.payload instanceof Date)) {
      for (const [name, value] of Object.entries(msg.payload as Record<string, unknown>)) this.push(out, this.tagFor(name), value, ts);
    } else {
      throw new Error('msg.topic: an s7 in message has the variable name in msg.topic, or (mode "all") an object of variables in msg.payload');
    }
    return out;
  }

  /**
   * A status message (msg.status from a status node watching the s7 in node). Offline or
   * failure marks every tag seen so far BAD_NOT_CONNECTED / BAD_COMM_FAILURE, once.
   */
  fromStatus(status: { fill?: unknown; text?: unknown; [k: string]: unknown }, ts: number = this.now()): S7Result {
    const text = String(status.text ?? '').toLowerCase();
    const fill = String(status.fill ?? '');
    let quality: number | null = null;
    if (text === 'offline' || (fill === 'red' && text !== 'failure')) quality = QUALITY_CODES.BAD_NOT_CONNECTED;
    else if (text === 'failure') quality = QUALITY_CODES.BAD_COMM_FAILURE;
    const out: S7Result = { samples: [], skipped: [] };
    if (quality === null) return out;
    for (const [tag, l] of this.last) {
      if (l.quality === quality) continue;
      l.quality = quality;
      out.samples.push({ tag, ts, value: l.value, quality });
    }
    return out;
  }
}

/** Reads an s7 endpoint config's vartable (array, or JSON string as older flows store it). */
export function variablesFromVartable(vartable: unknown): S7Variable[] {
  const rows = typeof vartable === 'string' ? JSON.parse(vartable) : vartable;
  if (!Array.isArray(rows)) return [];
  return rows.filter((r) => r && r.name && r.addr).map((r) => ({ name: String(r.name), addr: String(r.addr), tag: r.tag ? String(r.tag) : undefined }));
}

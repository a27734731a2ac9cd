// node-red-contrib-opcua's OpcUa-Client messages → samples. Data messages carry
// msg.topic = node id, msg.payload = value, msg.statusCode, msg.sourceTimestamp and
// msg.serverTimestamp (Date or epoch ms); its second output reports the client state as
// {error, endpoint, status}. A state that means the link is gone marks every tag seen so
// far BAD_NOT_CONNECTED once; the next data message brings its own quality back.
import { QUALITY_CODES, type Sample, toEpochMs } from '../../model';
import { joinTag, sanitizeSegment } from '../tag-path';
import { statusToQuality, statusValue } from './status-quality';

export const DISCONNECTED_STATES = ['disconnected', 'connection error', 'terminated', 'closed', 'reconnect', 'invalid session', 'session closed', 'error'];

export interface NodeMapping {
  nodeId: string;
  tag: string;
}

/** A tag segment from a node id: "ns=2;s=Line1.Temp" → "ns2_s_Line1_Temp"-style, dots kept as path separators for string ids. */
export function tagFromNodeId(prefix: string, nodeId: string): string {
  const m = /^ns=(\d+);([isgb])=(.*)$/.exec(nodeId);
  const segs = m && m[2] === 's' ? m[3].split(/[./]/).map(sanitizeSegment) : [sanitizeSegment(nodeId)];
  return joinTag(prefix, segs, 'msg.topic');
}

export interface ConvertResult {
  samples: Sample[];
  /** the message was a client status message */
  status?: string;
}

export class OpcuaMessageConverter {
  private readonly map: Map<string, string>;
  private readonly last = new Map<string, { value: number; quality: number }>();

  constructor(readonly prefix: string, mappings: NodeMapping[] = [], private readonly now: () => number = Date.now) {
    if (prefix) joinTag(prefix, [], 'prefix');
    this.map = new Map();
    mappings.forEach((m, i) => {
      if (!m.nodeId) throw new Error(`mappings[${i}].nodeId: must not be empty`);
      this.map.set(m.nodeId.trim(), joinTag(m.tag.trim(), [], `mappings[${i}].tag`));
    });
  }

  tagFor(nodeId: string): string {
    return this.map.get(nodeId) ?? tagFromNodeId(this.prefix, nodeId);
  }

  convert(msg: { topic?: unknown; payload?: unknown; statusCode?: unknown; sourceTimestamp?: unknown; serverTimestamp?: unknown; status?: unknown; error?: unknown; endpoint?: unknown }): ConvertResult {
    // client status messages from the second output
    if (msg.payload === undefined && typeof msg.status === 'string' && 'endpoint' in msg) {
      const st = msg.status;
      if (!DISCONNECTED_STATES.includes(st)) return { samples: [], status: st };
      const ts = this.now();
      const samples: Sample[] = [];
      for (const [tag, l] of this.last) {
        if (l.quality === QUALITY_CODES.BAD_NOT_CONNECTED) continue;
        l.quality = QUALITY_CODES.BAD_NOT_CONNECTED;
        samples.push({ tag, ts, value: l.value, quality: l.quality });
      }
      return { samples, status: st };
    }
    if (typeof msg.topic !== 'string' || msg.topic === '') throw new Error('msg.topic: must be the OPC UA node id (e.g. "ns=2;s=Temperature")');
    const tag = this.tagFor(msg.topic);
    const status = statusValue(msg.statusCode);
    const quality = status === undefined ? QUALITY_CODES.GOOD : statusToQuality(status);
    const rawTs = msg.sourceTimestamp ?? msg.serverTimestamp;
    const ts = rawTs === undefined || rawTs === null ? this.now() : toEpochMs(rawTs, 'msg.sourceTimestamp');
    const v = msg.payload;
    let value: number;
    if (typeof v === 'number' && Number.isFinite(v)) value = v;
    else if (typeof v === 'boolean') value = v ? 1 : 0;
    else if (typeof v === 'bigint') value = Number(v);
    else if (v instanceof Date) value = v.getTime();
    else if ((v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) && quality !== QUALITY_CODES.GOOD) {
      // a bad status often comes without a usable value: keep the last one
      value = this.last.get(tag)?.value ?? 0;
    } else if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number')) {
      // Int64 / UInt64 arrive as [high, low] 32-bit words
      value = v[0] * 4294967296 + (v[1] >>> 0);
    } else throw new Error(`msg.payload: value of ${msg.topic} is not numeric or boolean (got ${Array.isArray(v) ? 'an array' : typeof v})`);
    this.last.set(tag, { value, quality });
    return { samples: [{ tag, ts, value, quality }] };
  }
}

// Samples in Node-RED messages (ARCHITECTURE.md §2). Two forms are accepted by every
// node: one sample (`msg.topic` = tag, `msg.payload` = value, optional `msg.timestamp`
// and `msg.quality`) or a batch (`msg.payload` = array of `{tag, ts, value, quality?}`).
// Output always uses the wire form: quality as a name, ts as epoch ms.
import { qualityName } from './quality';
import { parseBatch, parseSample, SampleError, type Sample, type SampleInput } from './sample';

export interface MessageLike {
  topic?: unknown;
  payload?: unknown;
  timestamp?: unknown;
  quality?: unknown;
}

export interface WireSample {
  tag: string;
  ts: number;
  value: number;
  quality: string;
}

/** Extracts samples from a message; invalid batch items are reported, the rest kept. */
export function samplesFromMessage(msg: MessageLike, now: number = Date.now()): { samples: Sample[]; errors: SampleError[] } {
  if (Array.isArray(msg.payload)) return parseBatch(msg.payload as SampleInput[], now);
  if (msg.payload !== null && typeof msg.payload === 'object' && 'tag' in (msg.payload as object)) {
    try {
      return { samples: [parseSample(msg.payload as SampleInput, now)], errors: [] };
    } catch (e) {
      return { samples: [], errors: [asSampleError(e)] };
    }
  }
  try {
    const ts = msg.timestamp === undefined ? undefined : msg.timestamp;
    const s = parseSample({ tag: msg.topic, ts, value: msg.payload, quality: msg.quality }, now);
    return { samples: [s], errors: [] };
  } catch (e) {
    const err = asSampleError(e);
    // Name the message property the user actually set.
    const field = err.field === 'tag' ? 'msg.topic' : err.field === 'value' ? 'msg.payload' : err.field === 'ts' ? 'msg.timestamp' : `msg.${err.field}`;
    return { samples: [], errors: [new SampleError(field, err.message.replace(/^[^:]*: /, ''))] };
  }
}

export function toWireSample(s: Sample): WireSample {
  return { tag: s.tag, ts: s.ts, value: s.value, quality: qualityName(s.quality) };
}

function asSampleError(e: unknown): SampleError {
  return e instanceof SampleError ? e : new SampleError('sample', String(e));
}

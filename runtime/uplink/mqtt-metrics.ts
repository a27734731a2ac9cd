// MQTT topics `metrics/{tenant}/{agent}/{metric...}` as tags `{tenant}.{agent}.{metric...}`
// for flows that take data from the built-in MQTT-in node. Payloads: a number, boolean
// or numeric string; JSON `{value, ts?, quality?}` or an array of those; or one of our
// envelopes (then the samples and the event id come from it).
import { parseSample, SampleError, type Sample, type SampleInput } from '../model';
import { decodeEnvelope, looksLikeEnvelope } from './envelope';

export interface Converted { samples: Sample[]; errors: SampleError[]; eventId?: string; source?: string }

/** `metrics/acme/agent-7/cpu/load` -> `acme.agent-7.cpu.load`; characters outside [A-Za-z0-9_-] become `_`. */
export function metricsTopicToTag(topic: string, prefix = 'metrics'): string {
  if (typeof topic !== 'string' || !topic) throw new SampleError('msg.topic', 'must be an MQTT topic such as metrics/{tenant}/{agent}/{metric}');
  const levels = topic.split('/');
  const pre = prefix ? prefix.split('/') : [];
  for (let i = 0; i < pre.length; i++) {
    if (levels[i] !== pre[i]) throw new SampleError('msg.topic', `must start with "${prefix}/" (got "${topic}")`);
  }
  const rest = levels.slice(pre.length);
  if (rest.length < 3 || rest.some((l) => l === '')) throw new SampleError('msg.topic', `must be ${prefix ? `${prefix}/` : ''}{tenant}/{agent}/{metric} (got "${topic}")`);
  return rest.map((l) => l.replace(/[^A-Za-z0-9_-]/g, '_')).join('.');
}

/** Converts one MQTT message (topic + raw or parsed payload) to samples. */
export function convertMqttMessage(topic: string, payload: unknown, now: number = Date.now(), prefix = 'metrics'): Converted {
  let p = payload;
  if (Buffer.isBuffer(p) || p instanceof Uint8Array) {
    if (looksLikeEnvelope(p)) {
      const env = decodeEnvelope(p);
      return { samples: env.samples, errors: env.errors, eventId: env.id, source: env.source };
    }
    p = Buffer.from(p).toString('utf8');
  }
  if (typeof p === 'string') {
    const t = p.trim();
    if (t.startsWith('{') || t.startsWith('[')) {
      if (looksLikeEnvelope(t)) {
        const env = decodeEnvelope(t);
        return { samples: env.samples, errors: env.errors, eventId: env.id, source: env.source };
      }
      try { p = JSON.parse(t); } catch { return { samples: [], errors: [new SampleError('msg.payload', 'is not valid JSON')] }; }
    } else if (t === 'true' || t === 'false') p = t === 'true';
  }
  if (p && typeof p === 'object' && !Array.isArray(p) && Array.isArray((p as { samples?: unknown }).samples) && typeof (p as { id?: unknown }).id === 'string') {
    const env = decodeEnvelope(JSON.stringify(p));
    return { samples: env.samples, errors: env.errors, eventId: env.id, source: env.source };
  }
  let tag: string;
  try { tag = metricsTopicToTag(topic, prefix); } catch (e) { return { samples: [], errors: [e as SampleError] }; }
  const items: unknown[] = Array.isArray(p) ? p : [p];
  const samples: Sample[] = [];
  const errors: SampleError[] = [];
  items.forEach((it, i) => {
    const input: SampleInput = it !== null && typeof it === 'object' ? { ...(it as object), tag } : { tag, value: it };
    try { samples.push(parseSample(input, now, items.length > 1 ? i : undefined)); } catch (e) {
      const err = e as SampleError;
      errors.push(new SampleError(`msg.payload${items.length > 1 ? `[${i}]` : ''}.${err.field}`, err.message.replace(/^[^:]*: /, '')));
    }
  });
  return { samples, errors };
}

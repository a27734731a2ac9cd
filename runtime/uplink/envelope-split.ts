// An envelope larger than the broker takes in one message (MQTT 5's Maximum Packet Size from
// the CONNACK, NATS's max_payload) is sent as several smaller ones instead of being refused
// at every attempt: an MQTT broker disconnects a client that sends an oversize packet, so the
// buffer reconnected and sent it again forever and nothing behind it was delivered. The parts
// carry ids derived from the envelope's own (`<id>~<k>/<n>`), the same at every re-send, so
// the central side's de-duplication by id holds (FORMAT-envelope.md).
import { PermanentError, type OutboundEntry } from '../buffer';

/**
 * The parts of `e` whose bodies are at most `maxBodyBytes` each, in sample order; `[e]` when
 * it fits already. Throws PermanentError when one sample alone does not fit.
 */
export function splitToFit(e: OutboundEntry, maxBodyBytes: number): OutboundEntry[] {
  if (e.body.length <= maxBodyBytes) return [e];
  // the samples as they are on the wire, not re-validated: a part carries exactly what the whole did
  const env = JSON.parse(e.body.toString('utf8')) as Record<string, unknown> & { samples: unknown[] };
  const samples = env.samples;
  for (let n = Math.max(2, Math.ceil(e.body.length / (maxBodyBytes * 0.9))); n <= samples.length; n = Math.min(samples.length, Math.ceil(n * 1.5))) {
    const per = Math.ceil(samples.length / n);
    const total = Math.ceil(samples.length / per);
    const parts: OutboundEntry[] = [];
    for (let k = 0; k < total; k++) {
      const slice = samples.slice(k * per, (k + 1) * per);
      const id = `${e.id}~${k + 1}/${total}`;
      const body = Buffer.from(JSON.stringify({ ...env, id, samples: slice }));
      if (body.length > maxBodyBytes) break;
      parts.push({ ...e, id, count: slice.length, body });
    }
    if (parts.length === total) return parts;
    if (n === samples.length) break;
  }
  throw new PermanentError(`envelope ${e.id}: a single sample does not fit in ${maxBodyBytes} bytes, the most the broker takes in one message`);
}

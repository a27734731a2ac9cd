// The envelope on the wire (FORMAT-envelope.md): one event id, the source gateway, a
// category and one or many samples. The event id makes every consumer idempotent.
import { parseBatch, SampleError, toWireSample, type Sample, type SampleInput, type WireSample } from '../model';
import { CATEGORIES, type Category } from '../buffer';

export interface Envelope {
  id: string;
  source: string;
  category: Category;
  created: number;
  samples: WireSample[];
}

export class EnvelopeError extends Error {
  constructor(readonly field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EnvelopeError';
  }
}

export function encodeEnvelope(e: { id: string; source: string; category: Category; created: number; samples: readonly Sample[] }): Buffer {
  const wire: Envelope = { id: e.id, source: e.source, category: e.category, created: e.created, samples: e.samples.map(toWireSample) };
  return Buffer.from(JSON.stringify(wire));
}

export interface DecodedEnvelope {
  id: string;
  source: string;
  category: Category;
  created: number;
  samples: Sample[];
  /** samples that failed validation (the rest are kept) */
  errors: SampleError[];
}

/** Parses and validates an envelope; throws EnvelopeError naming the field. */
export function decodeEnvelope(data: Uint8Array | string): DecodedEnvelope {
  let raw: unknown;
  try {
    raw = JSON.parse(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8'));
  } catch (e) {
    throw new EnvelopeError('envelope', `is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new EnvelopeError('envelope', 'must be a JSON object');
  const o = raw as Record<string, unknown>;
  if (typeof o.id !== 'string' || !o.id || o.id.length > 255) throw new EnvelopeError('id', 'must be a non-empty string (a UUIDv7)');
  if (typeof o.source !== 'string' || !o.source) throw new EnvelopeError('source', 'must be a non-empty string');
  const category = (o.category ?? 'telemetry') as Category;
  if (!CATEGORIES.includes(category)) throw new EnvelopeError('category', `must be one of ${CATEGORIES.join(', ')}`);
  if (typeof o.created !== 'number' || !Number.isFinite(o.created)) throw new EnvelopeError('created', 'must be epoch milliseconds');
  if (!Array.isArray(o.samples)) throw new EnvelopeError('samples', 'must be an array of samples');
  const { samples, errors } = parseBatch(o.samples as SampleInput[]);
  return { id: o.id, source: o.source, category, created: o.created, samples, errors };
}

/** Whether a payload looks like one of our envelopes (cheap check before decoding). */
export function looksLikeEnvelope(data: Uint8Array | string): boolean {
  const s = typeof data === 'string' ? data.slice(0, 200) : Buffer.from(data.buffer, data.byteOffset, Math.min(200, data.byteLength)).toString('utf8');
  return /^\s*\{\s*"id"\s*:/.test(s) && s.includes('"source"');
}

// Envelopes larger than the broker takes in one message go as parts (envelope-split.ts).
import { describe, expect, it } from 'vitest';
import { PermanentError, type OutboundEntry } from '../../../runtime/buffer';
import { decodeEnvelope, encodeEnvelope } from '../../../runtime/uplink/envelope';
import { splitToFit } from '../../../runtime/uplink/envelope-split';
import type { Sample } from '../../../runtime/model';

function entry(n: number, tag = 'acme.izmir.plant1.line1.pump1.flow'): OutboundEntry {
  const samples: Sample[] = Array.from({ length: n }, (_, i) => ({ tag, ts: 1_700_000_000_000 + i * 1000, value: i + 0.25, quality: 0 }));
  const id = '0190a3c2-6f1e-7b2a-9c4d-1e2f3a4b5c6d';
  return { id, source: 'gw1', subject: 'hist/acme.izmir', category: 'telemetry', created: 1_700_000_000_123, count: n, body: encodeEnvelope({ id, source: 'gw1', category: 'telemetry', created: 1_700_000_000_123, samples }) };
}

describe('splitToFit', () => {
  it('leaves an envelope that fits as it is', () => {
    const e = entry(10);
    expect(splitToFit(e, e.body.length)).toEqual([e]);
  });

  it('splits a larger one into parts that fit, every sample once and in order, with ids derived from its own', () => {
    const e = entry(500);
    const limit = Math.floor(e.body.length / 4.5);
    const parts = splitToFit(e, limit);
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.every((p) => p.body.length <= limit)).toBe(true);
    expect(parts.map((p) => p.id)).toEqual(parts.map((_, k) => `${e.id}~${k + 1}/${parts.length}`));
    expect(parts.reduce((n, p) => n + p.count, 0)).toBe(500);
    const decoded = parts.map((p) => decodeEnvelope(p.body));
    expect(decoded.map((d) => d.id)).toEqual(parts.map((p) => p.id));
    expect(decoded.every((d) => d.source === 'gw1' && d.created === 1_700_000_000_123 && d.category === 'telemetry')).toBe(true);
    expect(decoded.flatMap((d) => d.samples)).toEqual(decodeEnvelope(e.body).samples);
    expect(decoded.every((d) => d.errors.length === 0)).toBe(true);
    // the wire samples exactly as the whole envelope had them
    expect(parts.flatMap((p) => JSON.parse(p.body.toString()).samples)).toEqual(JSON.parse(e.body.toString()).samples);
    expect(parts.every((p) => p.subject === e.subject)).toBe(true);
    // the same parts at every re-send, so the central side drops a repeated part by its id
    expect(splitToFit(e, limit)).toEqual(parts);
  });

  it('refuses for good when one sample alone does not fit', () => {
    const e = entry(3);
    expect(() => splitToFit(e, 60)).toThrow(PermanentError);
    expect(() => splitToFit(e, 60)).toThrow(/a single sample does not fit in 60 bytes/);
  });
});

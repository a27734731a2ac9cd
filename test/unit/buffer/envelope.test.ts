import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeEnvelope } from '../../../runtime/uplink/envelope';
import { compileSubjectTemplate } from '../../../runtime/uplink/subject-template';
import { convertMqttMessage, metricsTopicToTag } from '../../../runtime/uplink/mqtt-metrics';

const s = { tag: 'acme.izmir.plant1.line2.pump3.flow', ts: 1_700_000_000_000, value: 4.5, quality: 0x4001 };

describe('envelope', () => {
  it('round-trips id, source, category, created and samples', () => {
    const b = encodeEnvelope({ id: 'abc', source: 'gw1', category: 'alarm', created: 5, samples: [s] });
    expect(JSON.parse(b.toString()).samples[0].quality).toBe('UNCERTAIN_OOR');
    expect(decodeEnvelope(b)).toEqual({ id: 'abc', source: 'gw1', category: 'alarm', created: 5, samples: [s], errors: [] });
  });

  it('names the bad field; invalid samples are reported and the rest kept', () => {
    expect(() => decodeEnvelope('nope')).toThrow(/^envelope: /);
    expect(() => decodeEnvelope('{"source":"g","created":1,"samples":[]}')).toThrow(/^id: /);
    expect(() => decodeEnvelope('{"id":"x","source":"g","category":"spam","created":1,"samples":[]}')).toThrow(/^category: /);
    expect(() => decodeEnvelope('{"id":"x","source":"g","created":1,"samples":{}}')).toThrow(/^samples: /);
    const d = decodeEnvelope(JSON.stringify({ id: 'x', source: 'g', created: 1, samples: [{ tag: 'a.b', ts: 1, value: 1 }, { tag: 'a.b', ts: 2, value: 'NaN' }] }));
    expect(d.samples).toHaveLength(1);
    expect(d.errors[0].message).toMatch(/^\[1\]\.value: /);
  });
});

describe('subject template', () => {
  it('renders the tag path, a prefix of it, the source and the category', () => {
    expect(compileSubjectTemplate('hist.{tag}')(s, 'gw', 'telemetry')).toBe('hist.acme.izmir.plant1.line2.pump3.flow');
    expect(compileSubjectTemplate('hist.{tag:4}')(s, 'gw', 'telemetry')).toBe('hist.acme.izmir.plant1.line2');
    expect(compileSubjectTemplate('hist/{source}/{category}/{tag:2}')(s, 'gw7', 'event')).toBe('hist/gw7/event/acme.izmir');
    expect(() => compileSubjectTemplate('hist.{tags}')).toThrow(/^template: unknown placeholder/);
    expect(() => compileSubjectTemplate('hist.>')).toThrow(/^template: must not contain/);
  });
});

describe('MQTT metrics topics', () => {
  it('maps metrics/{tenant}/{agent}/{metric} to tags and passes envelopes through', () => {
    expect(metricsTopicToTag('metrics/acme/agent 7/cpu')).toBe('acme.agent_7.cpu');
    expect(() => metricsTopicToTag('metrics/acme/agent')).toThrow(/^msg\.topic: /);
    const now = 1_700_000_000_000;
    expect(convertMqttMessage('metrics/a/b/c', Buffer.from('true'), now).samples).toEqual([{ tag: 'a.b.c', ts: now, value: 1, quality: 0 }]);
    expect(convertMqttMessage('metrics/a/b/c', '[{"value":1,"ts":5},{"value":2,"ts":6}]', now).samples.map((x) => x.ts)).toEqual([5, 6]);
    const env = encodeEnvelope({ id: 'e1', source: 'gw', category: 'telemetry', created: 1, samples: [s] });
    expect(convertMqttMessage('hist/gw/x', env, now)).toMatchObject({ eventId: 'e1', source: 'gw', samples: [s] });
  });
});

import { describe, expect, it } from 'vitest';
import { get } from 'sparkplug-payload';
import { decodePayload, parseTopic, SparkplugDecoder } from '../../../runtime/devices/sparkplug';
import { qualityName } from '../../../runtime/model';

const sp = get('spBv1.0')!;
const enc = (p: any) => Buffer.from(sp.encodePayload(p));
const T0 = 1_700_000_000_000;

function born(d = new SparkplugDecoder({ prefix: 'acme.mqtt', now: () => T0 + 999 })) {
  const r1 = d.handle('spBv1.0/Plant 1/NBIRTH/Edge-A', enc({ timestamp: T0, seq: 0, metrics: [
    { name: 'bdSeq', type: 'UInt64', value: 3 },
    { name: 'Node Control/Rebirth', type: 'Boolean', value: false },
    { name: 'Site/Temp (°C)', alias: 1, type: 'Double', value: 21.5, timestamp: T0 - 5 },
    { name: 'Up', alias: 2, type: 'Boolean', value: true },
  ] }));
  const r2 = d.handle('spBv1.0/Plant 1/DBIRTH/Edge-A/Pump#3', enc({ timestamp: T0 + 1, seq: 1, metrics: [
    { name: 'Motor/Speed', alias: 10, type: 'Int16', value: -300 },
    { name: 'Motor/Count', alias: 11, type: 'Int64', value: -5 },
    { name: 'Label', alias: 12, type: 'String', value: 'pump' },
  ] }));
  return { d, r1, r2 };
}

describe('sparkplug topics and payloads', () => {
  it('parses topics and rejects others naming msg.topic', () => {
    expect(parseTopic('spBv1.0/G/DDATA/E/D')).toEqual({ group: 'G', type: 'DDATA', edge: 'E', device: 'D' });
    expect(parseTopic('spBv1.0/G/NDATA/E')).toEqual({ group: 'G', type: 'NDATA', edge: 'E', device: undefined });
    expect(() => parseTopic('spAv1.0/G/NDATA/E')).toThrow(/^msg\.topic: must start with "spBv1\.0\/"/);
    expect(() => parseTopic('spBv1.0/G/NDATA/E/D')).toThrow(/^msg\.topic: NDATA topics are/);
    expect(() => parseTopic('spBv1.0/G/XDATA/E')).toThrow(/^msg\.topic: unknown message type/);
  });

  it('decodes signed integers, 64-bit values and timestamps', () => {
    const p = decodePayload(enc({ timestamp: T0, seq: 7, metrics: [
      { name: 'a', type: 'Int8', value: -3 }, { name: 'b', type: 'Int32', value: -70000 }, { name: 'c', type: 'UInt32', value: 4_000_000_000 },
      { name: 'd', type: 'Int64', value: -9 }, { name: 'e', type: 'DateTime', value: T0 }, { name: 'f', type: 'Float', value: 1.5 },
    ] }));
    expect(p.timestamp).toBe(T0);
    expect(p.seq).toBe(7);
    expect(p.metrics.map((m) => m.value)).toEqual([-3, -70000, 4_000_000_000, -9, T0, 1.5]);
    expect(() => decodePayload(Buffer.from('not protobuf at all, really'))).toThrow(/^msg\.payload: /);
  });
});

describe('sparkplug decoder', () => {
  it('emits BIRTH metrics on sanitized tag paths with metric/payload timestamps', () => {
    const { r1, r2 } = born();
    expect(r1.samples).toEqual([
      { tag: 'acme.mqtt.Plant_1.Edge-A.Site.Temp___C_', ts: T0 - 5, value: 21.5, quality: 0 },
      { tag: 'acme.mqtt.Plant_1.Edge-A.Up', ts: T0, value: 1, quality: 0 },
    ]);
    expect(r2.samples).toEqual([
      { tag: 'acme.mqtt.Plant_1.Edge-A.Pump_3.Motor.Speed', ts: T0 + 1, value: -300, quality: 0 },
      { tag: 'acme.mqtt.Plant_1.Edge-A.Pump_3.Motor.Count', ts: T0 + 1, value: -5, quality: 0 },
    ]);
  });

  it('resolves aliases in DATA (datatype omitted too), checks seq and asks for rebirth on a gap', () => {
    const { d } = born();
    const r = d.handle('spBv1.0/Plant 1/DDATA/Edge-A/Pump#3', enc({ timestamp: T0 + 10, seq: 2, metrics: [{ alias: 10, type: 'Int16', value: -301 }] }));
    expect(r.samples).toEqual([{ tag: 'acme.mqtt.Plant_1.Edge-A.Pump_3.Motor.Speed', ts: T0 + 10, value: -301, quality: 0 }]);
    expect(r.rebirth).toBeUndefined();
    const gap = d.handle('spBv1.0/Plant 1/NDATA/Edge-A', enc({ timestamp: T0 + 20, seq: 5, metrics: [{ alias: 1, type: 'Double', value: 22 }] }));
    expect(gap.samples[0].value).toBe(22); // data is still used
    expect(gap.rebirth!.topic).toBe('spBv1.0/Plant 1/NCMD/Edge-A');
    const cmd = decodePayload(gap.rebirth!.payload);
    expect(cmd.metrics[0]).toMatchObject({ name: 'Node Control/Rebirth', value: true });
    expect(d.stats.seqErrors).toBe(1);
    // unknown alias → rebirth flagged (rate-limited: no second request within the interval)
    const unk = d.handle('spBv1.0/Plant 1/NDATA/Edge-A', enc({ seq: 6, metrics: [{ alias: 99, type: 'Double', value: 1 }] }));
    expect(unk.rebirth).toBeUndefined();
    expect(unk.warnings.join()).toMatch(/unknown metric alias 99/);
  });

  it('asks for rebirth on DATA from a node never born, and a rebirth restores decoding', () => {
    const d = new SparkplugDecoder({ now: () => T0 });
    const r = d.handle('spBv1.0/G/NDATA/E', enc({ seq: 4, metrics: [{ alias: 1, type: 'Double', value: 1 }] }));
    expect(r.samples).toEqual([]);
    expect(r.rebirth!.topic).toBe('spBv1.0/G/NCMD/E');
    d.handle('spBv1.0/G/NBIRTH/E', enc({ timestamp: T0, seq: 0, metrics: [{ name: 'x', alias: 1, type: 'Double', value: 0 }] }));
    expect(d.handle('spBv1.0/G/NDATA/E', enc({ timestamp: T0, seq: 1, metrics: [{ alias: 1, type: 'Double', value: 7 }] })).samples[0]).toMatchObject({ tag: 'G.E.x', value: 7 });
  });

  it('NDEATH marks every node and device metric BAD_NOT_CONNECTED with its last value; DDEATH only the device', () => {
    const { d } = born();
    const dd = d.handle('spBv1.0/Plant 1/DDEATH/Edge-A/Pump#3', enc({ timestamp: T0 + 30, seq: 2, metrics: [] }));
    expect(dd.samples.map((s) => [s.tag.split('.').slice(-2).join('.'), s.value, qualityName(s.quality), s.ts])).toEqual([
      ['Motor.Speed', -300, 'BAD_NOT_CONNECTED', T0 + 30], ['Motor.Count', -5, 'BAD_NOT_CONNECTED', T0 + 30],
    ]);
    expect(d.isOnline('Plant 1', 'Edge-A')).toBe(true);
    expect(d.isOnline('Plant 1', 'Edge-A', 'Pump#3')).toBe(false);
    const stale = d.handle('spBv1.0/Plant 1/NDEATH/Edge-A', enc({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 2 }] }));
    expect(stale.samples).toEqual([]);
    const nd = d.handle('spBv1.0/Plant 1/NDEATH/Edge-A', enc({ metrics: [{ name: 'bdSeq', type: 'UInt64', value: 3 }] }));
    expect(nd.samples.map((s) => [s.tag, s.value, qualityName(s.quality), s.ts])).toEqual([
      ['acme.mqtt.Plant_1.Edge-A.Site.Temp___C_', 21.5, 'BAD_NOT_CONNECTED', T0 + 999],
      ['acme.mqtt.Plant_1.Edge-A.Up', 1, 'BAD_NOT_CONNECTED', T0 + 999],
    ]);
    expect(d.isOnline('Plant 1', 'Edge-A')).toBe(false);
  });

  it('rejects string payloads with a hint and skips non-numeric metrics', () => {
    const { d, r2 } = born();
    expect(r2.samples.some((s) => s.tag.endsWith('Label'))).toBe(false);
    expect(d.stats.skipped).toBe(1);
    expect(() => d.handle('spBv1.0/G/NDATA/E', 'text')).toThrow(/^msg\.payload: must be a Buffer/);
  });
});

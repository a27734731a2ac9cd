// Acceptance: EGD consumer against the test producer over UDP on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import { EgdConsumer, egdLayoutFromCsv, egdLayoutToCsv, parseEgdLayout, validateExchange } from '../../../runtime/devices/egd';
import { QUALITY_CODES, type Sample } from '../../../runtime/model';
import { startEgdProducer, type EgdProducer } from '../../helpers/egd-producer';
import { freePort } from '../../helpers/ports';
import { waitFor } from '../../helpers/wait';

const LAYOUT = parseEgdLayout(egdLayoutFromCsv(`tag,byte,type,bit,scale,offset,deadband
t.r1,0,int16,,0.1,,
t.r2,2,uint16,,,,
t.flow,4,float32,,,,
t.total,8,float64,,,,
t.count,16,int32,,,,
t.run,20,bool,0,,,
t.trip,20,bool,3,,,
t.byte,21,uint8,,,,
`));

function data(r1: number, r2: number, flow: number, total: number, count: number, bits: number, b: number): Buffer {
  const d = Buffer.alloc(22);
  d.writeInt16LE(r1, 0); d.writeUInt16LE(r2, 2); d.writeFloatLE(flow, 4); d.writeDoubleLE(total, 8); d.writeInt32LE(count, 16); d[20] = bits; d[21] = b;
  return d;
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => { while (cleanup.length) await cleanup.pop()!(); });

async function setup(extra: Partial<ConstructorParameters<typeof EgdConsumer>[0]> = {}): Promise<{ c: EgdConsumer; p: EgdProducer; samples: Sample[]; warnings: string[] }> {
  const port = await freePort();
  const samples: Sample[] = [];
  const warnings: string[] = [];
  const c = new EgdConsumer({ port, bindAddress: '127.0.0.1', producerId: '10.0.0.5', exchangeId: 7, periodMs: 1000, tags: LAYOUT, emit: (ss) => samples.push(...ss), warn: (m) => warnings.push(m), ...extra });
  await c.start();
  const p = await startEgdProducer({ host: '127.0.0.1', port, producerId: '10.0.0.5', exchangeId: 7 });
  cleanup.push(async () => { await p.close(); await c.close(); });
  return { c, p, samples, warnings };
}

describe('egd consumer', () => {
  it('decodes the layout from productions; other exchanges and producers are ignored; duplicates dropped, gaps counted', async () => {
    const { c, p, samples } = await setup();
    const other = await startEgdProducer({ host: '127.0.0.1', port: (c as any).o.port, producerId: '10.0.0.6', exchangeId: 7 });
    cleanup.push(() => other.close());
    await other.send(data(1, 1, 1, 1, 1, 0, 1));
    const ts = Date.UTC(2026, 0, 1);
    await p.send(data(-1234, 65000, 12.5, 1e12 + 0.5, -70000, 0b1001, 200), { requestId: 10, timestampMs: ts });
    await waitFor(() => samples.length === 8, { what: 'eight samples' });
    const v = Object.fromEntries(samples.map((s) => [s.tag, s.value]));
    expect(v).toEqual({ 't.r1': -123.4, 't.r2': 65000, 't.flow': 12.5, 't.total': 1e12 + 0.5, 't.count': -70000, 't.run': 1, 't.trip': 1, 't.byte': 200 });
    expect(samples.every((s) => s.quality === 0)).toBe(true);
    await p.send(data(-1234, 65000, 12.5, 1e12 + 0.5, -70000, 0b1001, 200), { requestId: 10 }); // duplicate
    await p.send(data(-1234, 65000, 13, 1e12 + 0.5, -70000, 0b0001, 200), { requestId: 13 }); // 11, 12 lost
    await waitFor(() => c.stats.exchanges === 2, { what: 'second production' });
    expect(c.stats).toMatchObject({ duplicates: 1, missed: 2 });
    // unchanged values pass again with deadband 0 (every production), changed ones carry the new value
    expect(samples.slice(8).find((s) => s.tag === 't.trip')!.value).toBe(0);
    expect(samples.slice(8).find((s) => s.tag === 't.flow')!.value).toBe(13);
  });

  it('no production within the timeout: BAD_COMM_FAILURE once per tag; the next production is GOOD', async () => {
    const { c, p, samples } = await setup({ periodMs: 40, timeoutMs: 120 });
    p.run(40, () => data(5, 6, 7, 8, 9, 1, 10));
    await waitFor(() => c.stats.exchanges >= 3, { what: 'productions' });
    p.stop();
    await waitFor(() => c.state === 'timeout', { what: 'timeout', timeoutMs: 5_000 });
    const bad = samples.filter((s) => s.quality === QUALITY_CODES.BAD_COMM_FAILURE);
    expect(bad.map((s) => s.tag).sort()).toEqual(LAYOUT.map((t) => t.tag).sort());
    expect(bad.find((s) => s.tag === 't.r1')!.value).toBe(0.5); // last value kept
    expect(c.health()).toMatchObject({ kind: 'egd', state: 'timeout', connected: false, lastError: 'no production within 120 ms' });
    const n = samples.length;
    await p.send(data(5, 6, 7, 8, 9, 1, 10));
    await waitFor(() => samples.slice(n).filter((s) => s.quality === 0).length === LAYOUT.length, { what: 'GOOD again' });
    expect(c.stats.timeouts).toBe(1);
  });

  it('a consumer that never hears its exchange marks its tags BAD after the timeout', async () => {
    const { samples } = await setup({ periodMs: 30, timeoutMs: 60 });
    await waitFor(() => samples.length === LAYOUT.length, { what: 'BAD for every tag' });
    expect(samples.every((s) => s.quality === QUALITY_CODES.BAD_COMM_FAILURE && s.value === 0)).toBe(true);
  });

  it('short exchange, changed configuration signature and malformed datagrams are reported, never crash', async () => {
    const { c, p, samples, warnings } = await setup({ configSignature: 0x1234 });
    await p.send(Buffer.alloc(10), { configSignature: 0x1234 });
    await waitFor(() => samples.length === LAYOUT.length, { what: 'short exchange' });
    expect(samples.filter((s) => s.quality === QUALITY_CODES.BAD_CONFIG_ERROR).map((s) => s.tag).sort()).toEqual(['t.byte', 't.count', 't.run', 't.total', 't.trip']);
    expect(warnings[0]).toMatch(/10 data bytes, too short for t\.total at byte 8/);
    await p.send(data(1, 2, 3, 4, 5, 0, 6), { configSignature: 0x9999 });
    await waitFor(() => c.stats.signatureMismatches === 1, { what: 'signature mismatch' });
    expect(warnings.join('\n')).toMatch(/configuration signature 0x9999 ≠ expected 0x1234/);
    const sock = (await import('node:dgram')).createSocket('udp4');
    await new Promise<void>((r) => sock.send(Buffer.from([1, 2, 3]), (c as any).o.port, '127.0.0.1', () => r()));
    sock.close();
    await waitFor(() => warnings.some((w) => /shorter than the 32-byte EGD header/.test(w)), { what: 'malformed warning' });
  });

  it('layout and exchange errors name the field; CSV round-trips', () => {
    expect(parseEgdLayout(egdLayoutFromCsv(egdLayoutToCsv(LAYOUT)))).toEqual(LAYOUT);
    expect(() => parseEgdLayout([{ tag: 'a.b', byte: 1399, type: 'int16' }])).toThrow('tags[0].byte: must be an integer 0 … 1398 for int16');
    expect(() => parseEgdLayout([{ tag: 'a.b', byte: 0, type: 'bool', bit: 8 }])).toThrow('tags[0].bit: must be an integer 0 … 7');
    expect(() => parseEgdLayout([{ tag: 'a.b', byte: 0, type: 'real' }])).toThrow('tags[0].type: must be one of');
    expect(() => validateExchange({ producerId: '10.0.0.300', exchangeId: 1, periodMs: 100 })).toThrow('producerId: must be a dotted id');
    expect(() => validateExchange({ producerId: '10.0.0.3', exchangeId: 1, periodMs: 100, timeoutMs: 50 })).toThrow('timeout: must be at least the period');
  });

  it('two consumers of different exchanges share one UDP port', async () => {
    const { c, p, samples } = await setup();
    const port = (c as any).o.port;
    const s2: Sample[] = [];
    const c2 = new EgdConsumer({ port, bindAddress: '127.0.0.1', producerId: '10.0.0.5', exchangeId: 8, periodMs: 50, tags: parseEgdLayout([{ tag: 'x.y', byte: 0, type: 'uint16' }]), emit: (ss) => s2.push(...ss) });
    await c2.start();
    cleanup.push(() => c2.close());
    const p8 = await startEgdProducer({ host: '127.0.0.1', port, producerId: '10.0.0.5', exchangeId: 8 });
    cleanup.push(() => p8.close());
    await p8.send(Buffer.from([0x34, 0x12]));
    await p.send(data(1, 2, 3, 4, 5, 0, 6));
    await waitFor(() => s2.some((s) => s.quality === 0) && samples.some((s) => s.quality === 0), { what: 'both exchanges' });
    expect(s2.find((s) => s.quality === 0)!.value).toBe(0x1234);
  });
});

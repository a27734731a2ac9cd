// Acceptance: EtherNet/IP (Logix) poll and write against the CIP test server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EipConnection, EipPoller, eipTagTableFromCsv, eipTagTableToCsv, parseEipTagTable, parseEipWriteTarget, parseGroups, planEipReads, writeEipValue,
} from '../../../runtime/devices/eip';
import { QUALITY_CODES, qualityName, type Sample } from '../../../runtime/model';
import { startCipServer, type TestCipServer } from '../../helpers/cip-server/server';
import { waitFor } from '../../helpers/wait';

const big = Array.from({ length: 300 }, (_, i) => i * 1.5);
let srv: TestCipServer;
beforeAll(async () => {
  srv = await startCipServer({
    slot: 2,
    tags: {
      Speed: { type: 'REAL', value: 1450.5 },
      Running: { type: 'BOOL', value: 1 },
      Count: { type: 'DINT', value: -123456 },
      Small: { type: 'SINT', value: -5 },
      Word: { type: 'UINT', value: 65000 },
      Energy: { type: 'LINT', value: 9_007_199_254_740_000 },
      Precise: { type: 'LREAL', value: 6.02214076e23 },
      Levels: { type: 'INT', value: [10, 20, 30, 40, 50] },
      Trend: { type: 'LREAL', value: big },
      Motor: { struct: { Amps: { type: 'REAL', value: 12.25 }, Fault: { type: 'BOOL', value: 0 } } },
      Pumps: { structArray: [{ Flow: { type: 'REAL', value: 1.5 } }, { Flow: { type: 'REAL', value: 2.5 } }, { Flow: { type: 'REAL', value: 3.5 } }] },
      'Program:Main.Batch': { type: 'UDINT', value: 4_000_000_000 },
      'Program:Main.Recipe': { struct: { Steps: { type: 'DINT', value: [7, 8, 9] } } },
      Setpoint: { type: 'REAL', value: 0 },
      Mode: { type: 'INT', value: 0 },
    },
  });
});
afterAll(async () => { await srv?.dispose(); });

function connect(extra: Partial<ConstructorParameters<typeof EipConnection>[0]> = {}) {
  return new EipConnection({ host: '127.0.0.1', port: srv.port, slot: 2, timeoutMs: 500, backoff: { initialMs: 100, maxMs: 800 }, ...extra });
}

const ROWS = [
  { tag: 'l.speed', address: 'Speed', type: 'real' },
  { tag: 'l.running', address: 'Running', type: 'bool' },
  { tag: 'l.count', address: 'Count', type: 'dint' },
  { tag: 'l.small', address: 'Small', type: 'sint' },
  { tag: 'l.word', address: 'Word', type: 'uint' },
  { tag: 'l.energy', address: 'Energy', type: 'lint' },
  { tag: 'l.precise', address: 'Precise', type: 'lreal' },
  { tag: 'l.level3', address: 'Levels[3]', type: 'int', scale: 0.5, offset: 1 },
  { tag: 'l.levels', address: 'Levels[1]', type: 'int', elements: 3 },
  { tag: 'l.amps', address: 'Motor.Amps', type: 'real' },
  { tag: 'l.fault', address: 'Motor.Fault', type: 'bool' },
  { tag: 'l.pump2', address: 'Pumps[2].Flow', type: 'real' },
  { tag: 'l.batch', address: 'Program:Main.Batch', type: 'udint' },
  { tag: 'l.step', address: 'Program:Main.Recipe.Steps[2]', type: 'dint' },
];

describe('eip poll against the CIP test server', () => {
  it('reads atomic types, arrays, UDT members and program-scoped tags in one Multiple Service Packet per poll', async () => {
    const groups = parseGroups([{ name: 'g', period: '200ms' }]);
    const tags = parseEipTagTable(ROWS, groups);
    const conn = connect();
    const got = new Map<string, Sample>();
    const poller = new EipPoller({ connection: conn, groups, tags, emit: (ss) => ss.forEach((s) => got.set(s.tag, s)) });
    expect(poller.plans()[0].requests).toHaveLength(1);
    expect(poller.plans()[0].requests[0].kind).toBe('multiple');
    srv.resetCounters();
    poller.start();
    try {
      await waitFor(() => got.size === 16, { what: 'every tag read' });
      const v = (t: string) => got.get(t)?.value;
      expect(v('l.speed')).toBe(1450.5);
      expect(v('l.running')).toBe(1);
      expect(v('l.count')).toBe(-123456);
      expect(v('l.small')).toBe(-5);
      expect(v('l.word')).toBe(65000);
      expect(v('l.energy')).toBe(9_007_199_254_740_000);
      expect(v('l.precise')).toBe(6.02214076e23);
      expect(v('l.level3')).toBe(40 * 0.5 + 1);
      expect([v('l.levels.0'), v('l.levels.1'), v('l.levels.2')]).toEqual([20, 30, 40]);
      expect(v('l.amps')).toBe(12.25);
      expect(v('l.fault')).toBe(0);
      expect(v('l.pump2')).toBe(3.5);
      expect(v('l.batch')).toBe(4_000_000_000);
      expect(v('l.step')).toBe(9);
      expect([...got.values()].every((s) => s.quality === QUALITY_CODES.GOOD)).toBe(true);
      // Batching proved server-side: one round trip per poll carrying all 14 reads.
      await waitFor(() => (srv.counters.services.multipleServicePacket ?? 0) >= 2, { what: 'two polls' });
      const polls = srv.counters.services.multipleServicePacket;
      expect(srv.counters.requests).toBeGreaterThanOrEqual(polls);
      expect(srv.counters.requests).toBeLessThanOrEqual(polls + 1);
      expect(srv.counters.services.readTag).toBeGreaterThanOrEqual(14 * polls);
      srv.set('Motor.Amps', 13.5);
      await waitFor(() => got.get('l.amps')?.value === 13.5, { what: 'changed value' });
    } finally {
      poller.stop();
      await conn.close();
    }
  });

  it('packs many tags into as few requests as the 504-byte connection allows, vs one request per tag', async () => {
    const many: Record<string, unknown>[] = [];
    for (let i = 0; i < 200; i++) many.push({ tag: `m.t${i}`, address: `Pumps[${i % 3}].Flow`, type: 'real' });
    const groups = parseGroups([{ name: 'g', period: '1s' }]);
    const tags = parseEipTagTable(many, groups);
    const coalesced = planEipReads(tags, { maxPacket: 504 });
    const perTag = planEipReads(tags, { maxPacket: 504, coalesce: false });
    expect(perTag).toHaveLength(200);
    // Each read request is 2 + 8 + 2 (+2 offset) = 14 bytes with path "Pumps" + index + "Flow" (16 bytes) → 22;
    // the request side bounds the packing: ⌊(504 − 8) / 24⌋ = 20 per packet → 10 packets.
    expect(coalesced.length).toBeLessThanOrEqual(11);
    for (const p of coalesced) {
      const req = 8 + p.reads.reduce((a, r) => a + r.request.length + 2, 0);
      expect(req).toBeLessThanOrEqual(504);
    }
    const conn = connect();
    const got: Sample[] = [];
    const poller = new EipPoller({ connection: conn, groups, tags, emit: (ss) => got.push(...ss) });
    conn.start();
    await waitFor(() => conn.state === 'connected', { what: 'connected' });
    try {
      srv.resetCounters();
      await poller.pollOnce();
      expect(got).toHaveLength(200);
      expect(got.find((s) => s.tag === 'm.t5')?.value).toBe(3.5);
      expect(srv.counters.requests).toBe(coalesced.length);
    } finally {
      await conn.close();
    }
  });

  it('reads an array larger than one reply with Read Tag Fragmented', async () => {
    const groups = parseGroups([{ name: 'g', period: '1s' }]);
    const tags = parseEipTagTable([{ tag: 'f.trend', address: 'Trend', type: 'lreal', elements: 300 }, { tag: 'f.speed', address: 'Speed', type: 'real' }], groups);
    const conn = connect();
    const got = new Map<string, number>();
    const poller = new EipPoller({ connection: conn, groups, tags, emit: (ss) => ss.forEach((s) => got.set(s.tag, s.value)) });
    expect(poller.plans()[0].requests.map((r) => r.kind).sort()).toEqual(['fragmented', 'single']);
    conn.start();
    await waitFor(() => conn.state === 'connected', { what: 'connected' });
    try {
      srv.resetCounters();
      await poller.pollOnce();
      expect(Array.from({ length: 300 }, (_, i) => got.get(`f.trend.${i}`))).toEqual(big);
      // 2400 data bytes in replies of at most 504 − 6 = 498 bytes of data → 5 fragments
      expect(srv.counters.services.readTagFragmented).toBe(Math.ceil(2400 / 498));
    } finally {
      await conn.close();
    }
  });

  it('an unknown tag or an index out of range is BAD_CONFIG_ERROR for that tag only; the rest of the packet is GOOD', async () => {
    const groups = parseGroups([{ name: 'g', period: '1s' }]);
    const tags = parseEipTagTable([
      { tag: 'e.nope', address: 'DoesNotExist', type: 'dint' },
      { tag: 'e.oor', address: 'Levels[9]', type: 'int' },
      { tag: 'e.member', address: 'Motor.Volts', type: 'real' },
      { tag: 'e.ok', address: 'Count', type: 'dint' },
    ], groups);
    const conn = connect();
    const got = new Map<string, Sample>();
    const warnings: string[] = [];
    const poller = new EipPoller({ connection: conn, groups, tags, emit: (ss) => ss.forEach((s) => got.set(s.tag, s)), warn: (m) => warnings.push(m) });
    conn.start();
    await waitFor(() => conn.state === 'connected', { what: 'connected' });
    try {
      await poller.pollOnce();
      expect(qualityName(got.get('e.nope')!.quality)).toBe('BAD_CONFIG_ERROR');
      expect(qualityName(got.get('e.oor')!.quality)).toBe('BAD_CONFIG_ERROR');
      expect(qualityName(got.get('e.member')!.quality)).toBe('BAD_CONFIG_ERROR');
      expect(got.get('e.ok')).toMatchObject({ value: -123456, quality: 0 });
      expect(warnings.join('\n')).toMatch(/DoesNotExist: CIP status 0x05/);
      expect(warnings.join('\n')).toMatch(/Levels\[9\].*index out of range/);
      expect(conn.state).toBe('connected');
    } finally {
      await conn.close();
    }
  });

  it('a wrong slot is refused by the route; the error names the CIP status', async () => {
    const conn = connect({ slot: 5 });
    const groups = parseGroups([{ name: 'g', period: '1s' }]);
    const warnings: string[] = [];
    const poller = new EipPoller({ connection: conn, groups, tags: parseEipTagTable([{ tag: 's.x', address: 'Count', type: 'dint' }], groups), emit: () => {}, warn: (m) => warnings.push(m) });
    conn.start();
    await waitFor(() => conn.state === 'connected', { what: 'connected' });
    try {
      await poller.pollOnce();
      expect(warnings[0]).toMatch(/CIP status 0x01 \(extended 0x0312\)/);
    } finally {
      await conn.close();
    }
  });

  it('connection drop: BAD_NOT_CONNECTED once per tag, reconnect with backoff, GOOD again', async () => {
    const groups = parseGroups([{ name: 'g', period: '100ms' }]);
    const tags = parseEipTagTable([{ tag: 'd.speed', address: 'Speed', type: 'real' }, { tag: 'd.levels', address: 'Levels', type: 'int', elements: 2 }], groups);
    const conn = connect();
    const samples: Sample[] = [];
    const poller = new EipPoller({ connection: conn, groups, tags, emit: (ss) => samples.push(...ss) });
    poller.start();
    try {
      await waitFor(() => samples.length >= 3, { what: 'first values' });
      await srv.stop();
      await waitFor(() => conn.stats.reconnectDelays.length >= 3, { what: 'three reconnect attempts', timeoutMs: 10_000 });
      const bad = samples.filter((s) => s.quality === QUALITY_CODES.BAD_NOT_CONNECTED);
      expect(bad.map((s) => s.tag).sort()).toEqual(['d.levels.0', 'd.levels.1', 'd.speed']);
      expect(bad.find((s) => s.tag === 'd.speed')!.value).toBe(1450.5); // last value kept
      const d = conn.stats.reconnectDelays;
      expect(d[2]).toBeGreaterThan(d[0]); // grows
      const n = samples.length;
      await srv.start();
      await waitFor(() => ['d.speed', 'd.levels.0', 'd.levels.1'].every((t) => samples.slice(n).some((s) => s.tag === t && s.quality === 0)), { what: 'GOOD again', timeoutMs: 10_000 });
      expect(samples.filter((s) => s.quality === QUALITY_CODES.BAD_NOT_CONNECTED)).toHaveLength(3);
    } finally {
      poller.stop();
      await conn.close();
    }
  });

  it('a controller that stops answering times out, is marked BAD and reconnected', async () => {
    const groups = parseGroups([{ name: 'g', period: '100ms' }]);
    const conn = connect({ timeoutMs: 200 });
    const samples: Sample[] = [];
    const poller = new EipPoller({ connection: conn, groups, tags: parseEipTagTable([{ tag: 'h.count', address: 'Count', type: 'dint' }], groups), emit: (ss) => samples.push(...ss) });
    poller.start();
    try {
      await waitFor(() => samples.length >= 1, { what: 'first value' });
      srv.setSilent(true);
      await waitFor(() => samples.some((s) => s.quality === QUALITY_CODES.BAD_NOT_CONNECTED), { what: 'BAD on timeout' });
      expect(conn.lastError?.message ?? '').toMatch(/no reply within 200 ms|not connected/);
      srv.setSilent(false);
      await waitFor(() => samples.at(-1)!.quality === 0, { what: 'GOOD again', timeoutMs: 10_000 });
    } finally {
      srv.setSilent(false);
      poller.stop();
      await conn.close();
    }
  });

  it('writes scaled values with the controller type; range and type errors name the problem', async () => {
    const conn = connect();
    conn.start();
    await waitFor(() => conn.state === 'connected', { what: 'connected' });
    try {
      await writeEipValue(conn, parseEipWriteTarget({ address: 'Setpoint', type: 'real' }), 42.5);
      expect(srv.get('Setpoint')).toEqual([42.5]);
      await writeEipValue(conn, parseEipWriteTarget({ address: 'Mode', type: 'int', scale: 0.1 }), '12.3');
      expect(srv.get('Mode')).toEqual([123]);
      await writeEipValue(conn, parseEipWriteTarget({ address: 'Levels[4]', type: 'int' }), -7);
      expect(srv.get('Levels')).toEqual([10, 20, 30, 40, -7]);
      await writeEipValue(conn, parseEipWriteTarget({ address: 'Program:Main.Recipe.Steps[0]', type: 'dint' }), 70000);
      expect(srv.get('Program:Main.Recipe.Steps[0]')).toEqual([70000]);
      await writeEipValue(conn, parseEipWriteTarget({ address: 'Motor.Fault', type: 'bool' }), true);
      expect(srv.get('Motor.Fault')).toEqual([1]);
      await expect(writeEipValue(conn, parseEipWriteTarget({ address: 'Mode', type: 'int' }), 40000)).rejects.toThrow(/msg.payload: 40000 does not fit INT/);
      await expect(writeEipValue(conn, parseEipWriteTarget({ address: 'Mode', type: 'dint' }), 1)).rejects.toThrow(/data type mismatch/);
      await expect(writeEipValue(conn, parseEipWriteTarget({ address: 'Nope', type: 'dint' }), 1)).rejects.toThrow(/CIP status 0x05/);
      expect(conn.state).toBe('connected');
    } finally {
      await conn.close();
    }
  });

  it('tag table CSV round-trips and errors name the row and column', () => {
    const groups = parseGroups([{ name: 'fast', period: '1s' }, { name: 'slow', period: '10s' }]);
    const csv = 'tag;group;address;type;elements;scale\nl.a;fast;Program:Main.Count;DINT;;\n"l.b";slow;Levels[1];int;3;0.5\n';
    const tags = parseEipTagTable(eipTagTableFromCsv(csv), groups);
    expect(tags[0]).toMatchObject({ tag: 'l.a', group: 'fast', address: 'Program:Main.Count', type: 'dint', elements: 1, scale: 1 });
    expect(parseEipTagTable(eipTagTableFromCsv(eipTagTableToCsv(tags)), groups)).toEqual(tags);
    expect(() => parseEipTagTable([{ tag: 'x.y', address: 'Count', type: 'float' }], groups)).toThrow('tags[0].type: must be one of');
    expect(() => parseEipTagTable([{ tag: 'x.y', address: 'Count..A', type: 'dint' }], groups)).toThrow(/tags\[0\]\.address/);
    expect(() => parseEipTagTable([{ tag: 'x.y', address: 'Count', type: 'dint', group: 'nope' }], groups)).toThrow('tags[0].group: no poll group named "nope"');
    expect(() => parseEipTagTable([{ tag: 'x.y', address: 'A', type: 'dint', elements: 2 }, { tag: 'x.y.1', address: 'B', type: 'dint' }], groups)).toThrow('tags[1].tag: "x.y.1" appears twice');
    expect(() => eipTagTableFromCsv('tag,address,kind\n')).toThrow('csv header: unknown column "kind"');
  });
});

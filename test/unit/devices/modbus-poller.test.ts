import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../runtime/devices/clock';
import { ModbusConnection, ModbusExceptionError, ModbusPoller, parseGroups, parseTagTable, type ModbusTransport, type RegisterKind } from '../../../runtime/devices/modbus';
import { qualityName, type Sample } from '../../../runtime/model';

class FakeDevice implements ModbusTransport {
  up = true;
  open = false;
  holding = new Array(200).fill(0);
  requests: Array<[RegisterKind, number, number]> = [];
  private closeCb: (() => void) | null = null;
  async connect() { if (!this.up) throw new Error('ECONNREFUSED'); this.open = true; }
  async close() { this.open = false; }
  isOpen() { return this.open; }
  onClose(cb: () => void) { this.closeCb = cb; }
  drop() { this.up = false; this.open = false; this.closeCb?.(); }
  async read(kind: RegisterKind, address: number, count: number) {
    if (!this.open) throw new Error('not connected');
    this.requests.push([kind, address, count]);
    if (address + count > 150) throw new ModbusExceptionError(2, 'Illegal data address');
    return this.holding.slice(address, address + count);
  }
  async writeRegisters() {}
  async writeCoils() {}
}

const flush = () => new Promise((r) => setImmediate(r));

async function setup(rows: Record<string, unknown>[], up = true) {
  const clock = new ManualClock(1_700_000_000_000);
  const dev = new FakeDevice();
  dev.up = up;
  const conn = new ModbusConnection({ host: 'plc', port: 502, unitId: 1, timeoutMs: 100, clock, transport: dev, backoff: { initialMs: 500, maxMs: 4000, jitter: 0 } });
  const groups = parseGroups([{ name: 'fast', period: '100ms' }, { name: 'slow', period: '1s' }]);
  const tags = parseTagTable(rows, groups);
  const out: Sample[][] = [];
  const poller = new ModbusPoller({ connection: conn, groups, tags, clock, emit: (s) => out.push(s) });
  poller.start();
  await flush();
  const step = async (ms: number) => { for (let t = 0; t < ms; t += 50) { clock.advance(50); await flush(); await flush(); } };
  return { clock, dev, conn, poller, out, step };
}

describe('modbus poller', () => {
  it('polls each group at its rate with coalesced reads, scaled values and deadband', async () => {
    const { dev, out, step, poller } = await setup([
      { tag: 'a.t1', group: 'fast', register: 'holding', address: 0, scale: 0.1, offset: -5 },
      { tag: 'a.t2', group: 'fast', register: 'holding', address: 1, type: 'int32' },
      { tag: 'a.t3', group: 'slow', register: 'holding', address: 20, deadband: 5 },
    ]);
    dev.holding[0] = 100; dev.holding[2] = 7;
    await step(1000);
    const fast = dev.requests.filter((r) => r[1] === 0);
    expect(fast.length).toBeGreaterThanOrEqual(10);
    expect(fast[0]).toEqual(['holding', 0, 3]); // three registers, one request
    expect(poller.plans().map((p) => p.reads.length)).toEqual([1, 1]);
    const all = out.flat();
    expect(all.find((s) => s.tag === 'a.t1')!.value).toBe(5); // 100 × 0.1 − 5
    expect(all.find((s) => s.tag === 'a.t2')!.value).toBe(7);
    const t3 = () => all.filter((s) => s.tag === 'a.t3');
    dev.holding[20] = 3; await step(2000);
    dev.holding[20] = 9; await step(1000);
    all.splice(0, all.length, ...out.flat());
    expect(t3().map((s) => s.value)).toEqual([0, 9]); // 3 stayed inside the 5-unit deadband
  });

  it('marks every tag BAD_NOT_CONNECTED once per outage, reconnects with backoff, reports GOOD again', async () => {
    const { dev, out, step, conn } = await setup([
      { tag: 'a.t1', group: 'fast', register: 'holding', address: 0 },
      { tag: 'a.t2', group: 'slow', register: 'holding', address: 50 },
    ]);
    await step(1000);
    dev.drop();
    await step(5000);
    const bad = out.flat().filter((s) => s.quality !== 0);
    expect(bad.map((s) => [s.tag, qualityName(s.quality)]).sort()).toEqual([['a.t1', 'BAD_NOT_CONNECTED'], ['a.t2', 'BAD_NOT_CONNECTED']]);
    expect(conn.stats.reconnectDelays.slice(0, 3)).toEqual([500, 1000, 2000]);
    const n = out.flat().length;
    dev.up = true;
    await step(5000);
    const after = out.flat().slice(n);
    expect(after.filter((s) => s.tag === 'a.t1')[0].quality).toBe(0);
    expect(after.filter((s) => s.tag === 'a.t2')[0].quality).toBe(0);
    expect(conn.state).toBe('connected');
  });

  it('marks tags BAD once at start when the device is down', async () => {
    const { dev, out, step } = await setup([{ tag: 'a.t1', group: 'fast', register: 'holding', address: 0 }], false);
    await step(2000);
    expect(out.flat().map((s) => qualityName(s.quality))).toEqual(['BAD_NOT_CONNECTED']);
    dev.up = true;
    await step(3000);
    expect(out.flat().map((s) => qualityName(s.quality))[1]).toBe('GOOD');
  });

  it('maps exception responses to BAD_CONFIG_ERROR', async () => {
    const { dev, out, step } = await setup([
      { tag: 'a.ok', group: 'fast', register: 'holding', address: 0 },
      { tag: 'a.bad', group: 'fast', register: 'holding', address: 149, type: 'int32' },
    ]);
    await step(500);
    const q = (tag: string) => out.flat().filter((s) => s.tag === tag).map((s) => qualityName(s.quality));
    expect(q('a.ok').every((x) => x === 'GOOD')).toBe(true);
    expect(q('a.bad')).toEqual(['BAD_CONFIG_ERROR']); // once, not every poll
    expect(dev.requests.length).toBeGreaterThan(4);
  });
});

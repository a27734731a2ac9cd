// Acceptance: Modbus TCP against a real server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeRegisters, ModbusConnection, ModbusPoller, parseGroups, parseTagTable, writeValue, parseWriteTarget,
  type DataType, type Order,
} from '../../../runtime/devices/modbus';
import { qualityName, type Sample } from '../../../runtime/model';
import { waitFor } from '../../helpers/wait';
import { startModbusServer, type TestModbusServer } from './modbus-server';

let srv: TestModbusServer;
beforeAll(async () => { srv = await startModbusServer(); });
afterAll(async () => { await srv.stop(); });

function connect(extra: Partial<ConstructorParameters<typeof ModbusConnection>[0]> = {}) {
  return new ModbusConnection({ host: '127.0.0.1', port: srv.port, unitId: 1, timeoutMs: 500, backoff: { initialMs: 100, maxMs: 800 }, ...extra });
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0;
}

describe('modbus poll against a real Modbus TCP server', () => {
  it('decodes every data type in every byte/word order from holding and input registers, coils and discretes', async () => {
    const values: Record<DataType, number> = { int16: -1234, uint16: 54321, int32: -123456789, uint32: 3_000_000_000, float32: Math.fround(-273.15), float64: 6.02214076e23, bool: 1, bit: 1 };
    const orders: Array<[Order, Order]> = [['BE', 'BE'], ['BE', 'LE'], ['LE', 'BE'], ['LE', 'LE']];
    const rows: Record<string, unknown>[] = [];
    const expected = new Map<string, number>();
    let addr = 100;
    for (const table of ['holding', 'input'] as const) {
      const regs = table === 'holding' ? srv.holding : srv.input;
      for (const type of ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64'] as DataType[]) {
        for (const [byteOrder, wordOrder] of orders) {
          const words = encodeRegisters(values[type], { type, byteOrder, wordOrder });
          words.forEach((w, i) => { regs[addr + i] = w; });
          const tag = `dt.${table}.${type}.${byteOrder}${wordOrder}`;
          rows.push({ tag, register: table, address: addr, type, byteOrder, wordOrder });
          expected.set(tag, values[type]);
          addr += words.length;
        }
      }
      regs[addr] = 0b0100_0000_0000_0001;
      rows.push({ tag: `dt.${table}.bit14`, register: table, address: addr, type: 'bit', bit: 14 }, { tag: `dt.${table}.bit1`, register: table, address: addr, type: 'bit', bit: 1 });
      rows.push({ tag: `dt.${table}.scaled`, register: table, address: addr + 1, type: 'int16', scale: 0.01, offset: 10 });
      regs[addr + 1] = 0xfc18; // -1000
      expected.set(`dt.${table}.bit14`, 1).set(`dt.${table}.bit1`, 0).set(`dt.${table}.scaled`, 0);
      addr += 2;
    }
    srv.coils[7] = true; srv.coils[8] = false; srv.discretes[9] = true;
    rows.push({ tag: 'dt.coil7', register: 'coil', address: 7 }, { tag: 'dt.coil8', register: 'coil', address: 8 }, { tag: 'dt.di9', register: 'discrete', address: 9 });
    expected.set('dt.coil7', 1).set('dt.coil8', 0).set('dt.di9', 1);

    const groups = parseGroups([{ name: 'g', period: '200ms' }]);
    const conn = connect();
    const got = new Map<string, Sample>();
    const poller = new ModbusPoller({ connection: conn, groups, tags: parseTagTable(rows, groups), emit: (ss) => ss.forEach((s) => got.set(s.tag, s)) });
    poller.start();
    try {
      await waitFor(() => got.size === rows.length, { what: 'every tag decoded' });
      expect([...got.values()].every((s) => s.quality === 0)).toBe(true); // nothing marked BAD while the first connect runs
      for (const [tag, v] of expected) {
        expect(got.get(tag)!.value, tag).toBeCloseTo(v, 10);
        expect(got.get(tag)!.quality, tag).toBe(0);
      }
      // 96 register tags + 6 bit/scaled in two tables, 3 bits: one read per table
      expect(poller.plans()[0].reads.map((r) => r.register)).toEqual(['coil', 'discrete', 'input', 'holding']);
    } finally {
      poller.stop();
      await conn.close();
    }
  });

  it('polls 500 tags in groups of 100 ms, 1 s and 10 s at their rates with coalesced reads (server-side count)', async () => {
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < 300; i++) rows.push({ tag: `rate.fast.t${i}`, group: 'fast', register: 'holding', address: 1000 + i });
    for (let i = 0; i < 150; i++) rows.push({ tag: `rate.mid.t${i}`, group: 'mid', register: 'input', address: 2000 + 2 * i, type: 'float32' });
    for (let i = 0; i < 50; i++) rows.push({ tag: `rate.slow.t${i}`, group: 'slow', register: 'coil', address: 3000 + i });
    for (let i = 0; i < 300; i++) srv.holding[1000 + i] = i;
    const groups = parseGroups([{ name: 'fast', period: '100ms' }, { name: 'mid', period: '1s' }, { name: 'slow', period: '10s' }]);
    const conn = connect();
    const ts = new Map<string, number[]>();
    let samples = 0;
    const poller = new ModbusPoller({
      connection: conn, groups, tags: parseTagTable(rows, groups),
      emit: (ss) => { samples += ss.length; const s = ss[0]; const g = s.tag.split('.')[1]; if (!ts.has(g)) ts.set(g, []); ts.get(g)!.push(s.ts); },
    });
    const reads = Object.fromEntries(poller.plans().map((p) => [p.group, p.reads.length]));
    expect(reads).toEqual({ fast: 3, mid: 3, slow: 1 }); // 300 regs → 125+125+50; 300 regs of floats → 3; 50 coils → 1
    await waitFor(() => conn.state === 'connected' || (conn.start(), false), { what: 'connection' });
    srv.resetCounts();
    const t0 = Date.now();
    poller.start();
    try {
      await waitFor(() => (ts.get('slow')?.length ?? 0) >= 2 && Date.now() - t0 >= 10_500, { what: 'two polls of the 10 s group', timeoutMs: 20_000 });
    } finally {
      poller.stop();
    }
    const elapsed = Date.now() - t0;
    await new Promise((r) => setImmediate(r));
    for (const g of groups) {
      const list = ts.get(g.name)!;
      const slots = Math.floor(elapsed / g.periodMs) + 1;
      const st = poller.stats().find((s) => s.name === g.name)!;
      console.log(`group ${g.name} (${g.periodMs} ms): ${list.length} polls of ${slots} slots, lateness p50 ${pct(st.lateness, 0.5)} ms p99 ${pct(st.lateness, 0.99)} ms max ${Math.max(...st.lateness)} ms, skipped ${st.skipped}, overruns ${st.overruns}`);
      expect(list.length).toBeGreaterThanOrEqual(Math.floor(slots * 0.9));
      expect(list.length).toBeLessThanOrEqual(slots + 1);
      // no drift: poll k happens within one period after start + k·period, for every k
      const first = list[0];
      for (let k = 1; k < list.length; k++) {
        const slot = Math.round((list[k] - first) / g.periodMs);
        expect(list[k] - (first + slot * g.periodMs)).toBeLessThan(Math.min(g.periodMs, 250));
      }
      const lastSlot = Math.round((list[list.length - 1] - first) / g.periodMs);
      expect(lastSlot).toBeGreaterThanOrEqual(list.length - 1);
    }
    // every poll read its plan: the server saw exactly polls × reads requests, nothing per tag.
    // A poll under way when stop() came finishes its reads but delivers nothing, so the
    // server's counts settle once it is done, and at most one poll per group goes undelivered.
    const polls = Object.fromEntries(poller.stats().map((s) => [s.name, s.polls]));
    const seen = () => [srv.requests.get(3), srv.requests.get(4), srv.requests.get(1)];
    await waitFor(() => JSON.stringify(seen()) === JSON.stringify([polls.fast * 3, polls.mid * 3, polls.slow * 1]),
      { what: 'server request counts = polls × planned reads', timeoutMs: 5_000 }).catch((e) => { throw new Error(`${(e as Error).message}: saw ${seen()}, polls ${JSON.stringify(polls)}`); });
    const delivered = { fast: ts.get('fast')!.length, mid: ts.get('mid')!.length, slow: ts.get('slow')!.length };
    for (const g of ['fast', 'mid', 'slow'] as const) expect(delivered[g]).toBeGreaterThanOrEqual(polls[g] - 1);
    expect(samples).toBe(delivered.fast * 300 + delivered.mid * 150 + delivered.slow * 50);
    await conn.close();
  }, 40_000);

  it('server stopped → BAD_NOT_CONNECTED once per tag, reconnects with backoff, GOOD after restart; writes reach the server', async () => {
    const groups = parseGroups([{ name: 'g', period: '100ms' }]);
    const rows = [{ tag: 'link.a', register: 'holding', address: 10 }, { tag: 'link.b', register: 'input', address: 11 }, { tag: 'link.c', register: 'coil', address: 12 }];
    const conn = connect({ timeoutMs: 300 });
    const out: Sample[] = [];
    const poller = new ModbusPoller({ connection: conn, groups, tags: parseTagTable(rows, groups), emit: (ss) => out.push(...ss) });
    poller.start();
    try {
      await waitFor(() => out.length >= 6, { what: 'good samples' });
      // a write through the shared connection lands in the server's holding register
      await writeValue(conn, parseWriteTarget({ register: 'holding', address: 10, type: 'uint16', scale: 0.5 }), 21);
      expect(srv.holding[10]).toBe(42);
      await waitFor(() => out.some((s) => s.tag === 'link.a' && s.value === 42), { what: 'written value polled back' });
      await srv.stop();
      await waitFor(() => out.filter((s) => s.quality !== 0).length >= 3, { what: 'BAD samples' });
      await waitFor(() => conn.stats.reconnectDelays.length >= 3, { what: 'three reconnect attempts', timeoutMs: 10_000 });
      const bad = out.filter((s) => s.quality !== 0);
      expect(bad.map((s) => `${s.tag} ${qualityName(s.quality)}`).sort()).toEqual(['link.a BAD_NOT_CONNECTED', 'link.b BAD_NOT_CONNECTED', 'link.c BAD_NOT_CONNECTED']);
      expect(bad.find((s) => s.tag === 'link.a')!.value).toBe(42); // last known value kept
      const d = conn.stats.reconnectDelays;
      expect(d[1]).toBeGreaterThan(d[0] * 1.2); // grows: 100 → 200 → 400 (minus up to 20 % jitter)
      expect(d[2]).toBeGreaterThan(d[1] * 1.2);
      const n = out.length;
      await srv.start();
      await waitFor(() => ['link.a', 'link.b', 'link.c'].every((t) => out.slice(n).some((s) => s.tag === t && s.quality === 0)), { what: 'GOOD after restart', timeoutMs: 10_000 });
      // still exactly one BAD per tag for the whole outage
      expect(out.filter((s) => s.quality !== 0).length).toBe(3);
    } finally {
      poller.stop();
      await conn.close();
    }
  }, 30_000);
});

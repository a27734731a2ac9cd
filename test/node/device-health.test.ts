// A modbus-device node registers its connection's health (runtime/devices/health.ts) in
// the runtime registry; the system health report reads it and, once the real Modbus TCP
// server has been gone longer than the threshold, reports the device down.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import modbusDevice from '../../nodes/modbus-device/modbus-device';
import modbusPoll from '../../nodes/modbus-poll/modbus-poll';
import { DEFAULT_THRESHOLDS, SystemHealth } from '../../runtime/health/system-health';
import { resetServices, services } from '../../runtime/registry';
import { waitFor } from '../helpers/wait';
import { startModbusServer, type TestModbusServer } from '../integration/devices/modbus-server';

let srv: TestModbusServer;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  resetServices();
  srv = await startModbusServer(100);
});
afterAll(async () => { await srv.stop(); });
afterEach(async () => { await helper.unload(); });

describe('device health', () => {
  it('a Modbus device reports connected with its last good read, then down after the server stops', async () => {
    await new Promise<void>((resolve) => helper.load([modbusDevice, modbusPoll] as any, [
      { id: 'dev1', type: 'modbus-device', name: 'press-plc', host: '127.0.0.1', port: srv.port, unitId: 1, timeout: 300, backoffInitial: 100, backoffMax: 400 },
      { id: 'p1', type: 'modbus-poll', device: 'dev1', groups: [{ name: 'fast', period: '100ms' }], tags: [{ tag: 'press.force', register: 'holding', address: 1, type: 'int16' }], wires: [[]] },
    ], () => resolve()));
    const health = new SystemHealth({
      stores: () => [], buffers: () => [], tiers: () => [], devices: () => services().components.devices.entries(), audit: () => null, links: () => [],
      dataDir: process.cwd(), version: 't',
    }, { ...DEFAULT_THRESHOLDS, diskFreePercent: 0, deviceDownMs: 300 });
    await waitFor(() => health.collect().devices[0]?.requests > 2, { what: 'polls answered' });
    const up = health.collect();
    expect(up.devices[0]).toMatchObject({ name: 'press-plc', kind: 'modbus-tcp', target: `127.0.0.1:${srv.port} unit 1`, connected: true, downForMs: null });
    expect(up.devices[0].lastGoodAt).toBeGreaterThan(Date.now() - 5000);
    expect(up.problems).toEqual([]);
    await srv.stop();
    await waitFor(() => health.collect().problems.some((p) => p.kind === 'device-down' && p.name === 'press-plc'), { what: 'device-down problem', timeoutMs: 10_000 });
    const down = health.collect().devices[0];
    expect(down.connected).toBe(false);
    expect(down.downForMs).toBeGreaterThan(300);
    await srv.start();
    await waitFor(() => health.collect().devices[0]?.connected === true, { what: 'reconnected', timeoutMs: 10_000 });
    expect(health.collect().problems).toEqual([]);
  });
});

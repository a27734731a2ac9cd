// Acceptance: OPC UA subscription and browse against a node-opcua server on loopback.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatusCodes } from 'node-opcua';
import { browseEndpoint, OpcuaSubscriber } from '../../../runtime/devices/opcua/subscriber';
import { qualityName, type Sample } from '../../../runtime/model';
import { waitFor } from '../../helpers/wait';
import { startOpcuaServer, type TestOpcuaServer } from './opcua-server';

let srv: TestOpcuaServer;
beforeAll(async () => { srv = await startOpcuaServer(); }, 60_000);
afterAll(async () => { await srv?.dispose(); });

describe('OPC UA against a node-opcua server', () => {
  it('browse lists the variables of the address space', async () => {
    const vars = await browseEndpoint(srv.endpoint, { pkiDir: srv.pkiDir });
    const plant = vars.filter((v) => v.browsePath.startsWith('Plant/'));
    expect(plant.map((v) => [v.browsePath, v.nodeId, v.dataType]).sort()).toEqual([
      ['Plant/Line1/Count', 'ns=1;s=Line1.Count', 'Int32'],
      ['Plant/Line1/Pressure', 'ns=1;s=Line1.Pressure', 'Float'],
      ['Plant/Line1/Running', 'ns=1;s=Line1.Running', 'Boolean'],
      ['Plant/Line1/Temperature', 'ns=1;s=Line1.Temperature', 'Double'],
    ]);
    expect(vars.some((v) => v.nodeId.startsWith('ns=0;i=22'))).toBe(false); // Server diagnostics left out
  });

  it('subscription values and status codes arrive as samples with source timestamps and quality; disconnect → BAD, reconnect → GOOD', async () => {
    const samples: Sample[] = [];
    const states: string[] = [];
    const sub = new OpcuaSubscriber({
      endpoint: srv.endpoint, pkiDir: srv.pkiDir, samplingInterval: 100, reconnectInitialMs: 200, reconnectMaxMs: 1000,
      items: [
        { nodeId: 'ns=1;s=Line1.Temperature', tag: 'plant.line1.temperature' },
        { nodeId: 'ns=1;s=Line1.Running', tag: 'plant.line1.running' },
        { nodeId: 'ns=1;s=Line1.Count', tag: 'plant.line1.count' },
      ],
      emit: (ss) => samples.push(...ss),
      onState: (s) => states.push(s),
    });
    const of = (tag: string) => samples.filter((s) => s.tag === tag);
    try {
      await sub.start();
      await waitFor(() => samples.length >= 3, { what: 'initial values' });
      expect(of('plant.line1.temperature')[0]).toMatchObject({ value: 20.5, quality: 0 });
      expect(of('plant.line1.running')[0]).toMatchObject({ value: 1, quality: 0 });
      expect(of('plant.line1.count')[0]).toMatchObject({ value: -7, quality: 0 });

      const src = new Date(Date.now() - 60_000);
      srv.set('Temperature', 99.5, StatusCodes.UncertainEngineeringUnitsExceeded, src);
      await waitFor(() => of('plant.line1.temperature').some((s) => s.value === 99.5), { what: 'uncertain value' });
      expect(of('plant.line1.temperature').find((s) => s.value === 99.5)).toEqual({ tag: 'plant.line1.temperature', ts: src.getTime(), value: 99.5, quality: 0x4001 });
      srv.set('Temperature', 99.5, StatusCodes.BadSensorFailure);
      await waitFor(() => of('plant.line1.temperature').some((s) => qualityName(s.quality) === 'BAD_SENSOR_FAILURE'), { what: 'sensor failure' });
      srv.set('Count', 3, StatusCodes.BadOutOfService);
      await waitFor(() => of('plant.line1.count').some((s) => qualityName(s.quality) === 'BAD_OUT_OF_SERVICE' && s.value === 3), { what: 'out of service' });
      srv.set('Temperature', 21, StatusCodes.Good);
      await waitFor(() => of('plant.line1.temperature').some((s) => s.value === 21 && s.quality === 0), { what: 'good again' });

      // server goes away: one BAD_NOT_CONNECTED per tag; back: GOOD values again
      const n = samples.length;
      await srv.stop();
      await waitFor(() => samples.slice(n).filter((s) => qualityName(s.quality) === 'BAD_NOT_CONNECTED').length >= 3, { what: 'BAD_NOT_CONNECTED', timeoutMs: 20_000 });
      expect(samples.slice(n).filter((s) => s.quality !== 0).map((s) => s.tag).sort()).toEqual(['plant.line1.count', 'plant.line1.running', 'plant.line1.temperature']);
      const m = samples.length;
      await srv.start();
      await waitFor(() => ['plant.line1.temperature', 'plant.line1.running'].every((t) => samples.slice(m).some((s) => s.tag === t && s.quality === 0)), { what: 'GOOD after restart', timeoutMs: 30_000 });
      expect(states).toContain('disconnected');
    } finally {
      await sub.close();
    }
  }, 60_000);
});

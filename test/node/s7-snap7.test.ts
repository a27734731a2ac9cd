// End to end against a real S7 protocol endpoint (Snap7's S7Server): node-red-contrib-s7
// (the shipped S7 client) → s7-to-samples → historian-write → store, and a connection drop
// reported as BAD_NOT_CONNECTED through the s7 in node's status.
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import s7ToSamples from '../../nodes/s7-to-samples/s7-to-samples';
import historianStore from '../../nodes/historian-store/historian-store';
import historianWrite from '../../nodes/historian-write/historian-write';
import { services } from '../../runtime/registry';
import { TsdbStore } from '../../runtime/tsdb/store';
import { startS7Server, type TestS7Server } from '../helpers/s7-server';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const s7Nodes = require('node-red-contrib-s7/red/s7.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const statusNode = require('@node-red/nodes/core/common/25-status.js');

let srv: TestS7Server;
let dataDir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('historian-s7-');
  services().dataDir = dataDir;
  const db1 = Buffer.alloc(16);
  db1.writeFloatBE(71.5, 0);
  db1.writeInt16BE(-1234, 4);
  db1[6] = 0b0000_0001;
  const merkers = Buffer.alloc(32);
  merkers.writeUInt16BE(1450, 10);
  const inputs = Buffer.alloc(4);
  inputs[0] = 0b10;
  srv = await startS7Server({ db: { 1: db1 }, merkers, inputs });
}, 60_000);
afterAll(async () => {
  await srv?.dispose();
  await removeTempDir(dataDir);
});
afterEach(async () => { await helper.unload(); });

const VARS = [
  { name: 'Tank Level', addr: 'DB1,REAL0' },
  { name: 'Count', addr: 'DB1,INT4' },
  { name: 'Run', addr: 'DB1,X6.0' },
  { name: 'Speed', addr: 'MW10' },
  { name: 'Door', addr: 'I0.1' },
];

async function readAll(tag: string): Promise<Array<[number, number]>> {
  const s = await TsdbStore.open({ dir: join(dataDir, 'tsdb', 's7'), maintenanceIntervalMs: 0 });
  try {
    const out: Array<[number, number]> = [];
    for await (const b of s.raw({ tag, from: 0, to: 8_000_000_000_000 })) for (let i = 0; i < b.ts.length; i++) out.push([b.values[i], b.quality[i]]);
    return out;
  } finally {
    await s.close();
  }
}

describe('S7 against a real S7 server (Snap7)', () => {
  it('node-red-contrib-s7 → s7-to-samples → historian: DB, merker and input values stored; drop → BAD_NOT_CONNECTED; back → GOOD', async () => {
    await new Promise<void>((resolve) => helper.load([...(Array.isArray(s7Nodes) ? s7Nodes : [s7Nodes]), statusNode, s7ToSamples, historianStore, historianWrite] as any, [
      { id: 'ep1', type: 's7 endpoint', transport: 'iso-on-tcp', address: '127.0.0.1', port: String(srv.port), rack: '0', slot: '1', connmode: 'rack-slot', cycletime: '100', timeout: '1000', vartable: VARS },
      { id: 's7in', type: 's7 in', endpoint: 'ep1', mode: 'all', variable: '', diff: false, wires: [['conv']] },
      { id: 'st', type: 'status', scope: ['s7in'], wires: [['conv']] },
      { id: 'conv', type: 's7-to-samples', prefix: 'acme.s7', variables: VARS.map((v) => ({ ...v, tag: '' })), wires: [['w1', 'h1']] },
      { id: 'store', type: 'historian-store', name: 's7', directory: 'tsdb/s7', fsync: 'interval', fsyncIntervalMs: 20 },
      { id: 'w1', type: 'historian-write', store: 'store', logging: 'every', wires: [[]] },
      { id: 'h1', type: 'helper' },
    ], () => resolve()));
    const samples: any[] = [];
    helper.getNode('h1').on('input', (m: any) => samples.push(...m.payload));
    const latest = (tag: string) => [...samples].reverse().find((s) => s.tag === tag);
    await waitFor(() => ['Tank_Level', 'Count', 'Run', 'Speed', 'Door'].every((t) => latest(`acme.s7.${t}`)?.quality === 'GOOD'), { what: 'first S7 read', timeoutMs: 20_000 });
    expect(latest('acme.s7.Tank_Level').value).toBe(71.5);
    expect(latest('acme.s7.Count').value).toBe(-1234);
    expect(latest('acme.s7.Run').value).toBe(1);
    expect(latest('acme.s7.Speed').value).toBe(1450);
    expect(latest('acme.s7.Door').value).toBe(1);

    const changed = Buffer.alloc(4);
    changed.writeFloatBE(80.25, 0);
    srv.set('db', changed, 0, 1);
    await waitFor(() => latest('acme.s7.Tank_Level')?.value === 80.25, { what: 'changed DB value' });

    const n = samples.length;
    await srv.stop();
    await waitFor(() => samples.slice(n).some((s) => s.quality === 'BAD_NOT_CONNECTED'), { what: 'BAD_NOT_CONNECTED after the drop', timeoutMs: 20_000 });
    expect(new Set(samples.slice(n).filter((s) => s.quality === 'BAD_NOT_CONNECTED').map((s) => s.tag))).toEqual(new Set(['acme.s7.Tank_Level', 'acme.s7.Count', 'acme.s7.Run', 'acme.s7.Speed', 'acme.s7.Door']));
    const m = samples.length;
    await srv.start();
    await waitFor(() => samples.slice(m).some((s) => s.tag === 'acme.s7.Tank_Level' && s.quality === 'GOOD'), { what: 'GOOD after the endpoint is back', timeoutMs: 30_000 });
    await helper.unload();

    const stored = await readAll('acme.s7.Tank_Level');
    expect(stored.some(([v, q]) => v === 71.5 && q === 0)).toBe(true);
    expect(stored.some(([v, q]) => v === 80.25 && q === 0)).toBe(true);
    expect(stored.some(([, q]) => q === 0x8001)).toBe(true);
  }, 90_000);
});

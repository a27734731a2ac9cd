// tier-mover node: moves a store's old blocks on "move now", reports status and the pass,
// registers for GET /api/v1/tiers, takes credentials from Node-RED credentials only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import express from 'express';
import helper from 'node-red-node-test-helper';
import historianStore from '../../nodes/historian-store/historian-store';
import tierMover from '../../nodes/tier-mover/tier-mover';
import { services } from '../../runtime/registry';
import { mountRoutes } from '../../runtime/server/api/route';
import { tierRoutes } from '../../runtime/server/routes/tier-routes';
import type { TierMover } from '../../runtime/tier';
import { TsdbStore } from '../../runtime/tsdb/store';
import { startS3, type S3Server } from '../helpers/s3';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

const NODES = [historianStore, tierMover] as any[];
const W = 7 * 86_400_000;
const T0 = 2800 * W; // 2023: far older than any policy below
let dataDir: string;
let s3: S3Server;

beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('tier-mover-node-');
  services().dataDir = dataDir;
  s3 = await startS3();
  await s3.createBucket('nodes');
  // two sealed weekly blocks, as compaction leaves them
  const st = await TsdbStore.open({ dir: `${dataDir}/tsdb/t`, maintenanceIntervalMs: 0 });
  for (let w = 0; w < 2; w++) {
    const n = 1000, ts = new Float64Array(n), values = new Float64Array(n);
    for (let i = 0; i < n; i++) { ts[i] = T0 + w * W + i * 60_000; values[i] = i / 4; }
    await st.importBlock([{ tag: 'plant.x.flow', cols: { ts, values, quality: new Uint16Array(n) } }], 3);
  }
  await st.close();
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await s3?.dispose(); await removeTempDir(dataDir); });

function load(flow: object[], creds: object = {}): Promise<void> {
  return new Promise((resolve) => helper.load(NODES, flow, creds, () => resolve()));
}

const storeNode = { id: 'st1', type: 'historian-store', name: 'tiered', directory: 'tsdb/t' };
const moverNode = (extra: object = {}) => ({
  id: 'tm1', type: 'tier-mover', name: 'cold', store: 'st1', policyAge: '30d', intervalMinutes: 0, endpoint: s3.endpoint,
  region: 'us-east-1', bucket: 'nodes', prefix: 'n', pathStyle: 'true', parquet: false, wires: [['h1']], ...extra,
});

async function getTiers(permissions: string[]): Promise<{ status: number; body: any }> {
  const app = express();
  const router = express.Router();
  mountRoutes(router, tierRoutes(), async () => ({ role: 'OPERATOR', permissions: new Set(permissions) }) as any);
  app.use('/api/v1', router);
  const server = http.createServer(app).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/tiers`);
    return { status: res.status, body: await res.json() };
  } finally { server.close(); }
}

describe('tier-mover node', () => {
  it('moves old blocks on a message, reports status and the pass, and shows in GET /tiers', async () => {
    await load([storeNode, moverNode(), { id: 'h1', type: 'helper' }], { tm1: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } });
    const node = helper.getNode('tm1');
    const out = helper.getNode('h1');
    const msgs: any[] = [];
    out.on('input', (m: any) => msgs.push(m));
    const statuses: any[] = [];
    node.on('call:status', (c: any) => statuses.push(c.firstArg));
    await waitFor(() => services().components.tiers.get('cold'), { what: 'the mover registered' });
    node.receive({ payload: 'move now' });
    await waitFor(() => msgs.length === 1, { what: 'the pass report', timeoutMs: 20_000 });
    expect(msgs[0].payload.moved.length).toBe(2);
    expect(msgs[0].payload.errors).toEqual([]);
    await waitFor(() => statuses.some((s) => /2 blocks/.test(s.text ?? '')), { what: 'status with 2 blocks' });
    const mover = services().components.tiers.get('cold') as TierMover;
    expect(mover.summary().remote.blocks).toBe(2);
    const ok = await getTiers(['tiers.read']);
    expect(ok.status).toBe(200);
    const t = ok.body.tiers.find((x: any) => x.name === 'cold');
    expect(t.remote).toEqual({ blocks: 2, bytes: expect.any(Number) });
    expect(t.local.blocks).toBe(0);
    expect(t.status.blocksMoved).toBe(2);
    expect(t).toHaveProperty('cache.hitRatio');
    expect((await getTiers([])).status).toBe(403);
    // the secret lives in the credentials, not in the node's flow configuration
    expect(JSON.stringify(moverNode())).not.toContain(s3.secretAccessKey);
  });

  it('without a bucket anywhere (node, settings, HISTORIAN_S3_BUCKET): inactive, says so, stays out of the registry', async () => {
    const before = { ...process.env };
    delete process.env.HISTORIAN_S3_BUCKET;
    try {
      await load([storeNode, moverNode({ id: 'tm2', name: 'broken', bucket: '' }), { id: 'h1', type: 'helper' }]);
      const node = helper.getNode('tm2');
      const calls = (node as any).status.getCalls().filter((c: any) => c.thisValue?.id === 'tm2');
      expect(calls[calls.length - 1]?.firstArg).toEqual({ fill: 'grey', shape: 'ring', text: 'not configured: set HISTORIAN_S3_BUCKET' });
      expect(services().components.tiers.get('broken')).toBeUndefined();
      // asked to move anyway, it says what is missing
      const errors: string[] = [];
      node.on('call:error', (c: any) => errors.push(String(c.firstArg?.message ?? c.firstArg)));
      node.receive({ payload: 'move' });
      await waitFor(() => errors.length > 0, { what: 'a node error' });
      expect(errors[0]).toMatch(/not configured: set HISTORIAN_S3_BUCKET/);
    } finally { process.env = before; }
  });
});

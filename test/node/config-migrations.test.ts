// Flows saved before a node's defaults changed keep working (nodes/MIGRATIONS.md): each
// old form is deployed as saved and must behave as the table says.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import helper from 'node-red-node-test-helper';
import { join } from 'node:path';
import historianStore from '../../nodes/historian-store/historian-store';
import historianWrite from '../../nodes/historian-write/historian-write';
import { parseWriteTarget } from '../../runtime/devices/modbus';
import { services } from '../../runtime/registry';
import { TsdbStore } from '../../runtime/tsdb';
import { makeTempDir, removeTempDir } from '../helpers/tmp';
import { waitFor } from '../helpers/wait';

let dataDir: string;
beforeAll(async () => {
  helper.init(require.resolve('node-red'));
  dataDir = await makeTempDir('historian-migrations-');
  services().dataDir = dataDir;
});
afterEach(async () => { await helper.unload(); });
afterAll(async () => { await removeTempDir(dataDir); });

describe('config migrations', () => {
  it('historian-store saved with outOfOrderMinutes and no lateLimitDays stores late data of any age', async () => {
    const flow = [
      // the form written before lateLimitDays existed
      { id: 'st1', type: 'historian-store', name: 'default', directory: 'tsdb/old', retentionDays: 0, blockHours: 2, fsync: 'interval', fsyncIntervalMs: 20, outOfOrderMinutes: 60 },
      { id: 'w1', type: 'historian-write', store: 'st1', logging: 'every', wires: [['h1']] },
      { id: 'h1', type: 'helper' },
    ];
    await new Promise<void>((resolve) => helper.load([historianStore, historianWrite] as any[], flow, () => resolve()));
    const passed: unknown[] = [];
    helper.getNode('h1').on('input', (m: unknown) => passed.push(m));
    const now = Date.now();
    helper.getNode('w1').receive({ payload: [
      { tag: 'acme.p.a.l.c.e.old', ts: now, value: 1 },
      { tag: 'acme.p.a.l.c.e.old', ts: now - 3 * 86_400_000, value: 2 }, // far older than 60 minutes
    ] });
    await waitFor(() => passed.length === 1, { what: 'the batch passed on once stored' });
    await helper.unload();
    const s = await TsdbStore.open({ dir: join(dataDir, 'tsdb/old'), maintenanceIntervalMs: 0 });
    try {
      const values: number[] = [];
      for await (const b of s.raw({ tag: 'acme.p.a.l.c.e.old', from: 0, to: now + 1 })) values.push(...b.values);
      expect(values).toEqual([2, 1]);
    } finally {
      await s.close();
    }
  });

  it('modbus-write saved without dataType writes uint16 to holding registers and bool to coils', () => {
    expect(parseWriteTarget({ register: 'holding', address: 3, type: undefined }).type).toBe('uint16');
    expect(parseWriteTarget({ register: 'coil', address: 3, type: undefined }).type).toBe('bool');
  });
});

// Open frames survive a crash (SIGKILL) of the process that opened them, and a new engine
// with the same definitions closes them when their end condition arrives.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { FrameEngine, FrameStore, type FrameDefinition } from '../../../runtime/frames';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { spawnManaged } from '../../helpers/process';

const BATCH = 'acme.p.l1.r1.batch_id';
const TEMP = 'acme.p.l1.r1.temp';
const defs: FrameDefinition[] = [
  { key: 'batch', template: 'batch', mode: 'change', tag: BATCH, name: 'Batch {value}' },
  { key: 'heat', template: 'phase', mode: 'expression', start: `${TEMP} > 50`, parent: 'batch' },
];
let dir: string;
afterAll(async () => { await removeTempDir(dir); });

describe('frames across a crash', () => {
  it('keeps open frames through SIGKILL and closes them after restart', async () => {
    dir = await makeTempDir('frames-kill-');
    const samples = [{ tag: BATCH, ts: 1000, value: 4711, quality: 0 }, { tag: TEMP, ts: 2000, value: 60, quality: 0 }];
    const child = spawnManaged('frames', process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'open-frames.ts'), dir, JSON.stringify(defs), JSON.stringify(samples)]);
    const m = await child.waitForOutput(/^(\{.*\})$/m, { timeoutMs: 30_000 });
    const { opened } = JSON.parse(m[1]) as { opened: string[] };
    expect(opened).toHaveLength(2);
    child.kill('SIGKILL');
    await child.exited;

    const store = FrameStore.openIn(dir);
    try {
      const engine = new FrameEngine(defs, store, 'node1');
      expect(engine.resume().map((f) => f.id).sort()).toEqual([...opened].sort());
      // the same batch id again (e.g. the first sample after restart) continues the batch
      expect(engine.ingest([{ tag: BATCH, ts: 3000, value: 4711, quality: 0 }])).toEqual([]);
      const ev = engine.ingest([{ tag: BATCH, ts: 4000, value: 4712, quality: 0 }]);
      expect(ev.map((e) => `${e.type}:${e.key}`)).toEqual(['close:heat', 'close:batch', 'open:batch']);
      const old = store.get(opened[0])!;
      const phase = store.get(opened[1])!;
      expect([old.start, old.end, old.name]).toEqual([1000, 4000, 'Batch 4711']);
      expect([phase.start, phase.end, phase.parent]).toEqual([2000, 4000, old.id]);
    } finally {
      store.shutdown();
    }
  });
});

// Crash recovery: a writer with fsync "always" is killed with SIGKILL at a random moment,
// 20 times; afterwards every acknowledged sample must be in the store and nothing corrupt.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { spawnManaged } from '../../helpers/process';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { valueOf } from './crash-writer';

const WRITER = path.join(__dirname, 'crash-writer.ts');
const CYCLES = 20;

describe('crash recovery', () => {
  let dir: string;
  beforeAll(async () => { dir = await makeTempDir('tsdb-crash-'); });
  afterAll(async () => { await removeTempDir(dir); });

  it(`keeps every acknowledged sample over ${CYCLES} SIGKILLs mid-ingest`, async () => {
    const acked: Array<{ k: number; t0: number; n: number }> = [];
    const problems: string[] = [];
    let seed = 12345;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const p = spawnManaged(`crash-writer-${cycle}`, process.execPath, ['--import', 'tsx', WRITER, dir, String(cycle)], { cwd: path.resolve(__dirname, '../../..') });
      let buf = '';
      let acks = 0;
      const target = 1 + Math.floor(rand() * 120);
      let reached: () => void = () => {};
      const enough = new Promise<void>((res) => { reached = res; });
      p.child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /^ack (\d+) (\d+) (\d+)$/.exec(line);
          if (m) {
            acked.push({ k: Number(m[1]), t0: Number(m[2]), n: Number(m[3]) });
            if (++acks === target) reached();
          }
        }
      });
      p.child.stderr!.on('data', (d: Buffer) => { if (/error|fatal/.test(d.toString())) problems.push(d.toString()); });
      await Promise.race([enough, p.exited.then((e) => { throw new Error(`writer exited early (${JSON.stringify(e)}):\n${p.logs()}`); })]);
      // a random extra moment so the kill lands anywhere: mid-write, mid-fsync, mid-cut or compaction
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
      p.kill('SIGKILL');
      const exit = await p.exited;
      expect(exit.signal).toBe('SIGKILL');
    }
    expect(problems).toEqual([]);
    const errors: string[] = [];
    const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, logger: { info() {}, warn() {}, error: (m) => errors.push(m) } });
    const tags = ['crash.a', 'crash.b', 'crash.c'];
    const got = new Map<string, Map<number, number>>();
    for (const tag of tags) {
      const m = new Map<number, number>();
      for await (const b of store.raw({ tag, from: 0, to: 8e12 })) for (let i = 0; i < b.ts.length; i++) m.set(b.ts[i], b.values[i]);
      got.set(tag, m);
    }
    let missing = 0, wrong = 0, total = 0;
    for (const a of acked) {
      const m = got.get(tags[a.k])!;
      for (let i = 0; i < a.n; i++) {
        const ts = a.t0 + i * 10;
        total++;
        const v = m.get(ts);
        if (v === undefined) missing++;
        else if (v !== valueOf(a.k, ts)) wrong++;
      }
    }
    // anything stored but not acknowledged must still be an intact sample
    for (const [tag, m] of got) for (const [ts, v] of m) if (v !== valueOf(tags.indexOf(tag), ts)) wrong++;
    expect({ missing, wrong, errors, corrupt: store.stats().corruptBlocks }).toEqual({ missing: 0, wrong: 0, errors: [], corrupt: 0 });
    expect(total).toBeGreaterThan(CYCLES * 50);
    // the writers cut blocks while being killed, so recovery covered WAL and blocks together
    expect(store.blocks().length).toBeGreaterThan(0);
    // the store keeps working after all that: compaction and a clean close
    await store.compact();
    await store.close();
  });
});

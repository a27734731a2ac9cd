// Crash recovery: a writer in the store's default configuration (fsync "interval") with
// in-order, out-of-order, late backfill and bad-clock writers is killed with SIGKILL at a
// random moment, 20 times; afterwards every acknowledged sample must be in the store with
// its value, no refused sample may be, and nothing is corrupt.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { spawnManaged } from '../../helpers/process';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { CRASH_TAGS, valueOf } from './crash-writer';

const WRITER = path.join(__dirname, 'crash-writer.ts');
const CYCLES = 20;

describe('crash recovery', () => {
  let dir: string;
  beforeAll(async () => { dir = await makeTempDir('tsdb-crash-'); });
  afterAll(async () => { await removeTempDir(dir); });

  it(`keeps every acknowledged sample over ${CYCLES} SIGKILLs mid-ingest`, async () => {
    const acked: Array<{ k: number; t0: number; n: number; step: number }> = [];
    const refused: Array<{ k: number; ts: number }> = [];
    const problems: string[] = [];
    let seed = 12345;
    const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const p = spawnManaged(`crash-writer-${cycle}`, process.execPath, ['--import', 'tsx', WRITER, dir, String(cycle)], { cwd: path.resolve(__dirname, '../../..') });
      let buf = '';
      let acks = 0;
      const target = 20 + Math.floor(rand() * 300);
      let reached: () => void = () => {};
      const enough = new Promise<void>((res) => { reached = res; });
      // cuts run beside the writes, so a kill can land before any cut ends; every fourth
      // writer is killed only after one has, so recovery always covers blocks and WAL together
      let cutDone: () => void = () => {};
      const cut = cycle % 4 === 1 ? new Promise<void>((res) => { cutDone = res; }) : Promise.resolve();
      p.child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          const m = /^ack (\d+) (\d+) (\d+) (\d+)$/.exec(line);
          if (m) {
            acked.push({ k: Number(m[1]), t0: Number(m[2]), n: Number(m[3]), step: Number(m[4]) });
            if (++acks === target) reached();
          }
          const r = /^refused (\d+) (\d+)$/.exec(line);
          if (r) refused.push({ k: Number(r[1]), ts: Number(r[2]) });
          if (/^cuts \d+$/.test(line)) cutDone();
        }
      });
      p.child.stderr!.on('data', (d: Buffer) => { if (/error|fatal/.test(d.toString())) problems.push(d.toString()); });
      await Promise.race([Promise.all([enough, cut]), p.exited.then((e) => { throw new Error(`writer exited early (${JSON.stringify(e)}):\n${p.logs()}`); })]);
      // a random extra moment so the kill lands anywhere: mid-write, mid-fsync, mid-cut or compaction
      await new Promise((r) => setTimeout(r, Math.floor(rand() * 40)));
      p.kill('SIGKILL');
      const exit = await p.exited;
      expect(exit.signal).toBe('SIGKILL');
    }
    expect(problems).toEqual([]);
    const errors: string[] = [];
    const store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, logger: { info() {}, warn() {}, error: (m) => errors.push(m) } });
    const tags = CRASH_TAGS;
    const got = new Map<string, Map<number, number>>();
    for (const tag of tags) {
      const m = new Map<number, number>();
      for await (const b of store.raw({ tag, from: 0, to: 8e12, limit: 1e9 })) for (let i = 0; i < b.ts.length; i++) m.set(b.ts[i], b.values[i]);
      got.set(tag, m);
    }
    let missing = 0, wrong = 0, total = 0;
    for (const a of acked) {
      const m = got.get(tags[a.k])!;
      for (let i = 0; i < a.n; i++) {
        const ts = a.t0 + i * a.step;
        total++;
        const v = m.get(ts);
        if (v === undefined) missing++;
        else if (v !== valueOf(a.k, ts)) wrong++;
      }
    }
    // anything stored but not acknowledged must still be an intact sample
    for (const [tag, m] of got) for (const [ts, v] of m) if (v !== valueOf(tags.indexOf(tag), ts)) wrong++;
    // a sample the store refused (clock 2 days ahead) was never acknowledged and is not stored
    let refusedButStored = 0;
    for (const r of refused) if (got.get(tags[r.k])!.has(r.ts)) refusedButStored++;
    expect({ missing, wrong, refusedButStored, errors, corrupt: store.stats().corruptBlocks }).toEqual({ missing: 0, wrong: 0, refusedButStored: 0, errors: [], corrupt: 0 });
    console.info(`crash test: ${CYCLES} kills, ${total} acknowledged samples checked (${acked.filter((a) => a.k === 2).length * 60} backfilled a day or more late), ${refused.length} refused for a clock 2 days ahead; missing ${missing}, wrong ${wrong}, refused but stored ${refusedButStored}`);
    expect(total).toBeGreaterThan(CYCLES * 500);
    // every kind of writer got acknowledgements in: in order, shuffled, backfill a day+ late, bad clock
    for (let k = 0; k < tags.length; k++) expect(acked.filter((a) => a.k === k).length).toBeGreaterThan(CYCLES);
    expect(refused.length).toBeGreaterThan(CYCLES);
    // the writers cut blocks while being killed (some cuts finished), so recovery covered WAL and blocks together
    expect(store.blocks().length).toBeGreaterThan(0);
    // the store keeps working after all that: compaction and a clean close
    await store.compact();
    await store.close();
  });
});

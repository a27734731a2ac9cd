// Child process of crash.test.ts: ingests in the store's default configuration (fsync
// "interval", no late-data limit, default clock-skew limit) with four writers until it is
// killed, and prints what each acknowledged write made durable:
//   "ack <k> <t0> <n> <step>"   samples t0, t0+step, ... (n of them) of tag k are acknowledged
//   "refused <k> <ts>"          the store refused this sample (it must not be stored)
//   "cuts <n>"                  n head cuts have finished in this process (blocks written)
// Writers: 0 in order at the current time; 1 out of order (shuffled batches anywhere in
// the last hour, overlapping each other); 2 late backfill (a day to a week ago, newest
// first, the way a gateway drains an outage); 3 a device whose clock is partly far ahead
// (those samples must be refused, the rest stored). Values are a function of (tag, ts)
// so the parent can check every acknowledged sample.
import { TsdbStore } from '../../../runtime/tsdb/store';
import type { Sample } from '../../../runtime/model';

export const CRASH_TAGS = ['crash.inorder', 'crash.shuffled', 'crash.backfill', 'crash.badclock'];

export function valueOf(tagIndex: number, ts: number): number {
  return ((ts / 10) % 1000) / 10 + tagIndex;
}

const DAY = 86_400_000;

async function main(): Promise<void> {
  const [dir, cycleArg] = process.argv.slice(2);
  const cycle = Number(cycleArg);
  let seed = 1 + cycle * 7919;
  const rand = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
  // small heads so that cuts and compaction run while the process is killed; the
  // durability and late-data settings are the defaults
  const store = await TsdbStore.open({
    dir, maintenanceIntervalMs: 20, maxHeadSamples: 3000,
    logger: { info() {}, warn: (m) => process.stderr.write(`warn ${m}\n`), error: (m) => process.stderr.write(`error ${m}\n`) },
  });
  process.stdout.write('ready\n');
  const out = (line: string) => process.stdout.write(line + '\n');
  let cuts = 0;
  setInterval(() => { const n = store.stats().cuts; if (n !== cuts) out(`cuts ${(cuts = n)}`); }, 5);
  const write = async (k: number, batch: Sample[], expectRefused: Set<number> = new Set()) => {
    // batches arrive from the network: let timers (maintenance, fsync) and stdout run
    await new Promise((r) => setImmediate(r));
    const r = await store.write(batch);
    const refused = new Set((r.errors ?? []).map((e) => e.index));
    for (const i of refused) if (!expectRefused.has(i)) throw new Error(`refused unexpectedly: ${JSON.stringify(r.errors)}`);
    for (const i of expectRefused) if (!refused.has(i)) throw new Error(`acknowledged a sample 2 days ahead of the clock: ${batch[i].ts}`);
    return refused;
  };
  const sample = (k: number, ts: number): Sample => ({ tag: CRASH_TAGS[k], ts, value: valueOf(k, ts), quality: 0 });

  const inOrder = async () => {
    // catches up from an hour ago, then follows the clock like a device would
    let t = Math.floor((Date.now() - 3_600_000) / 10) * 10;
    for (;;) {
      if (t + 500 > Date.now()) await new Promise((r) => setTimeout(r, t + 500 - Date.now()));
      const t0 = t;
      t += 500;
      await write(0, Array.from({ length: 50 }, (_, i) => sample(0, t0 + i * 10)));
      out(`ack 0 ${t0} 50 10`);
    }
  };
  const shuffled = async () => {
    for (;;) {
      const t0 = Math.floor((Date.now() - rand() * 3_600_000) / 10) * 10;
      const order = Array.from({ length: 50 }, (_, i) => i).sort(() => rand() - 0.5);
      await write(1, order.map((i) => sample(1, t0 + i * 10)));
      out(`ack 1 ${t0} 50 10`);
    }
  };
  const backfill = async () => {
    // one minute per batch, walking back from a day ago
    let t = Math.floor((Date.now() - DAY - rand() * 6 * DAY) / 1000) * 1000;
    for (;;) {
      const t0 = t;
      t -= 60_000;
      await write(2, Array.from({ length: 60 }, (_, i) => sample(2, t0 + i * 1000)));
      out(`ack 2 ${t0} 60 1000`);
    }
  };
  const badClock = async () => {
    for (;;) {
      const now = Math.floor(Date.now() / 10) * 10;
      const t0 = now - 30_000;
      const batch: Sample[] = [];
      const ahead = new Set<number>();
      for (let i = 0; i < 40; i++) {
        if (rand() < 0.25) { ahead.add(i); batch.push(sample(3, now + 2 * DAY + Math.floor(rand() * 1e6) * 10)); }
        else batch.push(sample(3, t0 + i * 10));
      }
      await write(3, batch, ahead);
      for (let i = 0; i < batch.length; i++) out(ahead.has(i) ? `refused 3 ${batch[i].ts}` : `ack 3 ${batch[i].ts} 1 10`);
    }
  };
  await Promise.all([inOrder(), shuffled(), backfill(), badClock()]);
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`fatal ${e?.stack ?? e}\n`); process.exit(1); });
}

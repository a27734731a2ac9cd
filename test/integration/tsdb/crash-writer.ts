// Child process of crash.test.ts: ingests with fsync "always" and prints one line per
// acknowledged batch ("ack <tag> <firstTs> <count>") until it is killed. Values are a
// function of (tag, ts) so the parent can check every acknowledged sample.
import { TsdbStore } from '../../../runtime/tsdb/store';
import type { Sample } from '../../../runtime/model';

export function valueOf(tagIndex: number, ts: number): number {
  return ((ts / 10) % 1000) / 10 + tagIndex;
}

async function main(): Promise<void> {
  const [dir, cycleArg] = process.argv.slice(2);
  const cycle = Number(cycleArg);
  const store = await TsdbStore.open({
    dir, fsync: 'always', maintenanceIntervalMs: 20, maxHeadSamples: 3000, outOfOrderWindowMs: 365 * 86_400_000,
    logger: { info() {}, warn: (m) => process.stderr.write(`warn ${m}\n`), error: (m) => process.stderr.write(`error ${m}\n`) },
  });
  process.stdout.write('ready\n');
  const base = Date.UTC(2024, 0, 1) + cycle * 3_600_000;
  let ts = base;
  const tags = ['crash.a', 'crash.b', 'crash.c'];
  // a few concurrent writers exercise group commit
  const writer = async (k: number) => {
    for (;;) {
      const t0 = ts;
      ts += 10 * 50;
      const batch: Sample[] = [];
      for (let i = 0; i < 50; i++) batch.push({ tag: tags[k], ts: t0 + i * 10, value: valueOf(k, t0 + i * 10), quality: 0 });
      const r = await store.write(batch);
      if (r.accepted !== batch.length) throw new Error(`rejected ${batch.length - r.accepted}`);
      process.stdout.write(`ack ${k} ${t0} ${batch.length}\n`);
    }
  };
  await Promise.all(tags.map((_, k) => writer(k)));
}

if (require.main === module) {
  main().catch((e) => { process.stderr.write(`fatal ${e?.stack ?? e}\n`); process.exit(1); });
}

// A gateway process for the crash tests: `fill` puts a backlog into the buffer without
// sending, `drain` sends it and reports progress; the test SIGKILLs `drain` mid-flush.
import { StoreForward, type UplinkConfig } from '../../../runtime/uplink/store-forward';
import type { Sample } from '../../../runtime/model';

const BASE_TS = 1_700_000_000_000;
const a = JSON.parse(process.argv[2]) as { mode: 'fill' | 'drain'; dir: string; uplink: UplinkConfig; template: string; samples: number; tags: number };

async function main(): Promise<void> {
  const sf = StoreForward.open({
    dir: a.dir, source: 'gw1', template: a.template, batchSize: 1000, lingerMs: 5, paused: a.mode === 'fill', uplink: a.uplink,
    queue: { journal: 'always', fsync: 'interval' }, dispatcher: { maxInFlight: 16, backoff: { baseMs: 100, maxMs: 1000 } },
  });
  if (a.mode === 'fill') {
    const per = a.samples / a.tags;
    for (let i = 0; i < per; i += 100) {
      const batch: Sample[] = [];
      for (let k = i; k < i + 100; k++) for (let t = 0; t < a.tags; t++) batch.push({ tag: `acme.crash.line1.m${t}.v`, ts: BASE_TS + k, value: k, quality: 0 });
      await sf.write(batch);
    }
    await sf.flush();
    console.log(`filled ${sf.status().pendingSamples}`);
    await sf.close();
    return;
  }
  console.log(`draining ${sf.status().pendingSamples}`);
  const t = setInterval(() => {
    const s = sf.status();
    console.log(`sent ${s.sentSamples} pending ${s.pendingSamples}`);
    if (s.pending === 0) { clearInterval(t); console.log('drained'); void sf.close(); }
  }, 20);
}

main().catch((e) => { console.error(e); process.exit(1); });

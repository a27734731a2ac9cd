// The write policy per ingest path (runtime/ingest/write-policy.ts) on a real store: a
// deadband tag written through each path's sink keeps what the path's decision says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sinkFor, WRITE_POLICY, type IngestPath } from '../../../runtime/ingest/write-policy';
import { GOOD, type Sample } from '../../../runtime/model';
import { TsdbStore } from '../../../runtime/tsdb/store';

let dir: string;
let store: TsdbStore;
const T0 = Date.UTC(2026, 0, 1);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hist-write-policy-'));
  store = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, outOfOrderWindowMs: 365 * 86_400_000, clock: () => T0 + 3_600_000 });
});
afterAll(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

async function stored(tag: string): Promise<number> {
  let n = 0;
  for await (const b of store.raw({ tag, from: 0, to: Number.MAX_SAFE_INTEGER })) n += b.ts.length;
  return n;
}

describe('write policy per ingest path', () => {
  it('gives every path a decision and a reason', () => {
    for (const [path, d] of Object.entries(WRITE_POLICY)) {
      expect(typeof d.appliesTagPolicy, path).toBe('boolean');
      expect(d.why.length, path).toBeGreaterThan(40);
    }
    // the flow's writer compresses; acknowledged protocols store what they acknowledge
    expect(WRITE_POLICY['historian-write'].appliesTagPolicy).toBe(true);
  });

  for (const path of Object.keys(WRITE_POLICY) as IngestPath[]) {
    it(`${path}: ${WRITE_POLICY[path].appliesTagPolicy ? 'applies' : 'does not apply'} the tag's deadband`, async () => {
      const tag = `plant.policy.${path.replace(/-/g, '_')}.level`;
      store.tags.update(tag, { loggingMode: 'deadband', deviation: 1 });
      const values = [10, 10.2, 10.4, 12, 12.5, 14];
      const samples: Sample[] = values.map((value, i) => ({ tag, ts: T0 + i * 1000, value, quality: GOOD }));
      const sink = sinkFor(path, store);
      const r = await sink.write(samples);
      await sink.flush();
      // deadband 1 keeps 10, 12 and 14; every sample otherwise
      const expected = WRITE_POLICY[path].appliesTagPolicy ? 3 : values.length;
      expect(r.accepted).toBe(expected);
      expect(sink.filtered).toBe(values.length - expected);
      expect(await stored(tag)).toBe(expected);
    });
  }
});

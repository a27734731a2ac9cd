// Writes of a tag are applied and acknowledged in the order they came, including one that
// waits for the blocks its overwrite check reads (the later write of a sample wins); a write
// of other tags does not wait for it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TsdbStore } from '../../../runtime/tsdb/store';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { readAll } from './reference';

const T0 = Date.UTC(2024, 0, 1);
const clock = () => T0 + 86_400_000;

describe('write order', () => {
  let dir: string;
  beforeEach(async () => { dir = await makeTempDir('tsdb-write-order-'); });
  afterEach(async () => { await removeTempDir(dir); });

  it('applies and acknowledges writes of a tag in the order they came, when an earlier one has to read blocks for its overwrite check', async () => {
    let s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock });
    const tags = Array.from({ length: 50 }, (_, i) => `o.dev${i}.pv`);
    await s.write(tags.flatMap((tag) => Array.from({ length: 100 }, (_, k) => ({ tag, ts: T0 + k * 1000, value: k, quality: 0 }))));
    await s.flush();
    await s.close();
    // reopened: the tags' pasts are in blocks, so every write to them is checked for overwrites
    s = await TsdbStore.open({ dir, maintenanceIntervalMs: 0, clock });
    const acks: string[] = [];
    const slow = s.write(tags.map((tag, i) => ({ tag, ts: T0 + 5000, value: i === 0 ? -1 : 1000 + i, quality: 0 }))).then(() => acks.push('slow'));
    const quick = s.write([{ tag: tags[0], ts: T0 + 5000, value: -2, quality: 0 }]).then(() => acks.push('quick'));
    const fresh = s.write([{ tag: 'o.new.pv', ts: T0 + 1000, value: 7, quality: 0 }]).then(() => acks.push('fresh'));
    await Promise.all([slow, quick, fresh]);
    // the other tag's write went ahead; the two writes of tags[0] kept their order
    expect(acks).toEqual(['fresh', 'slow', 'quick']);
    // the later write of the same sample wins
    expect((await readAll(s, tags[0])).find((x) => x.ts === T0 + 5000)?.value).toBe(-2);
    await s.close();
  });
});

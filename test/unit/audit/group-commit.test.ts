import { afterEach, describe, expect, it } from 'vitest';
import { AuditTrail } from '../../../runtime/audit/audit-trail';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dir: string;
afterEach(async () => { if (dir) await removeTempDir(dir); });

describe('group commit', () => {
  it('chains concurrent appends in order, one transaction per turn, and the chain verifies', async () => {
    dir = await makeTempDir('audit-group-');
    const trail = AuditTrail.open({ dataDir: dir });
    const stored = await Promise.all(Array.from({ length: 250 }, (_, i) => trail.appendAsync({ action: 'x.write', target: `t${i}` })));
    expect(stored.map((e) => e.target)).toEqual(Array.from({ length: 250 }, (_, i) => `t${i}`));
    expect(stored.map((e) => e.seq)).toEqual(Array.from({ length: 250 }, (_, i) => stored[0].seq + i));
    for (let i = 1; i < stored.length; i++) expect(stored[i].prevHash).toBe(stored[i - 1].hash);
    expect((await trail.verify()).ok).toBe(true);
    trail.close();
  });

  it('rejects only the invalid entry of a turn; the others are stored', async () => {
    dir = await makeTempDir('audit-group-');
    const trail = AuditTrail.open({ dataDir: dir });
    const results = await Promise.allSettled([
      trail.appendAsync({ action: 'x.write', target: 'a' }),
      trail.appendAsync({ action: '', target: 'bad' } as never),
      trail.appendAsync({ action: 'x.write', target: 'c' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((await trail.verify()).ok).toBe(true);
    trail.close();
  });
});

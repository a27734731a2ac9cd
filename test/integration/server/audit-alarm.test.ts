// A damaged audit trail raises the urgent system alarm at the next start.
import { afterAll, describe, expect, it } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { join } from 'node:path';
import { startDistribution, type Distribution } from '../../helpers/distribution';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';

let dist: Distribution | undefined;
let dataDir: string;
afterAll(async () => {
  await dist?.stop();
  if (dataDir) await removeTempDir(dataDir);
});

async function auditAlarm(d: Distribution): Promise<{ state: string; priority: string }> {
  const token = await d.login();
  const body = await (await d.request('/api/v1/alarms?area=sys.>&all=true', { token })).json() as { alarms: Array<{ id: string; state: string; priority: string }> };
  return body.alarms.find((a) => a.id === 'sys.historian.audit:DISCRETE')!;
}

describe('audit chain verification at start-up', () => {
  it('is normal on an intact trail and raises an urgent unacknowledged alarm after tampering', async () => {
    dataDir = await makeTempDir('historian-audit-alarm-');
    dist = await startDistribution({ dataDir });
    expect(await auditAlarm(dist)).toMatchObject({ state: 'A', priority: 'urgent' });
    await dist.stop();
    dist = undefined;

    // someone with write access to the database edits history (dropping the guard trigger first)
    const db = new DatabaseSync(join(dataDir, 'audit.db'));
    db.exec('DROP TRIGGER entries_no_update');
    db.prepare("UPDATE entries SET action = 'auth.logout' WHERE seq = 2").run();
    db.close();

    dist = await startDistribution({ dataDir });
    expect(await auditAlarm(dist)).toMatchObject({ state: 'B', priority: 'urgent' });
    const token = await dist.login();
    const vres = await dist.request('/api/v1/audit/verify', { token });
    const verify = await vres.json() as { ok: boolean; damage: { kind: string; seq: number } };
    expect(vres.status, JSON.stringify(verify) + dist.proc.logs().slice(-3000)).toBe(200);
    expect(verify.ok).toBe(false);
    expect(verify.damage).toMatchObject({ kind: 'altered', seq: 2 });
  });
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openProcessAlarmService, processAlarmService } from '../../../runtime/alarm/process-service';
import { spawnManaged } from '../../helpers/process';
import { makeTempDir, removeTempDir } from '../../helpers/tmp';
import { waitFor } from '../../helpers/wait';

const dirs: string[] = [];
afterEach(async () => {
  processAlarmService()?.close();
  for (const d of dirs.splice(0)) await removeTempDir(d);
});

describe('process alarm service', () => {
  it('keeps an active unacknowledged alarm and its journal across a crash of the process', async () => {
    const dir = await makeTempDir('alarm-process-');
    dirs.push(dir);
    const child = spawnManaged('alarm-process', process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', 'alarm-process.ts'), dir]);
    try {
      // the on-delay is fired by the service's own timer, not by a sample
      await child.waitForOutput(/ACTIVE \d+/, { timeoutMs: 30_000 });
    } finally {
      child.kill('SIGKILL');
      await child.exited;
    }
    const svc = openProcessAlarmService({ dataDir: dir, tickMs: 0 });
    expect(processAlarmService()).toBe(svc);
    expect(svc.file).toBe(join(dir, 'alarms.db'));
    svc.configure('g', [{ id: 'pump1-hot', type: 'HI', tag: 'acme.p.a.l.c.pump1.temperature', setpoint: 80, onDelayMs: 100, priority: 'urgent' }]);
    expect(svc.get('pump1-hot')).toMatchObject({ state: 'B', conditionActive: true, acknowledged: false, value: 95, priority: 'urgent' });
    expect(svc.journal({ alarmId: 'pump1-hot' }).entries.map((e) => [e.from, e.to, e.event])).toEqual([['A', 'B', 'activate']]);
    const r = svc.ack('pump1-hot', { user: 'olga' });
    expect(r.acknowledged.map((t) => t.to)).toEqual(['C']);
  });

  it('is one per process: a second open is refused until the first is closed; its timer fires delays', async () => {
    const dir = await makeTempDir('alarm-process-');
    dirs.push(dir);
    let now = 1_000_000;
    const svc = openProcessAlarmService({ dataDir: dir, clock: () => now, tickMs: 10 });
    expect(() => openProcessAlarmService({ dataDir: dir })).toThrow(/already open/);
    svc.configure('g', [{ id: 'x', type: 'HI', tag: 'a.b', setpoint: 1, onDelayMs: 500 }]);
    const seen: string[] = [];
    svc.onTransition((t) => seen.push(t.to));
    svc.evaluate([{ tag: 'a.b', ts: now, value: 2, quality: 0 }]);
    now += 600;
    await waitFor(() => seen.length === 1, { what: 'the timer firing the on-delay' });
    svc.close();
    expect(processAlarmService()).toBeNull();
    expect(() => openProcessAlarmService({ dataDir: '' })).toThrow(/^dataDir/);
    const again = openProcessAlarmService({ dataDir: dir, tickMs: 0 });
    expect(again.isClosed).toBe(false);
  });
});

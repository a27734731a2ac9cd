import { describe, expect, it } from 'vitest';
import { FleetRegistry } from '../../../runtime/fleet/fleet-registry';
import { FleetAlarmMonitor, fleetAlarmId } from '../../../runtime/fleet/fleet-alarms';
import { decodeHeartbeat, encodeHeartbeat, HeartbeatCollector, type Heartbeat } from '../../../runtime/fleet/heartbeat';

const hb = (id: string, site: string, backlog = 0): Heartbeat => ({
  v: 1, id, site, version: '1.0.0', at: 0, uptimeS: 1, cpuPercent: 1, load: 0.1,
  memory: { rssBytes: 1, hostFreeBytes: 1, hostTotalBytes: 2 }, disk: null,
  backlog: { samples: backlog, entries: backlog ? 1 : 0, oldestAgeMs: 0, quarantined: 0 }, devices: [],
});

describe('heartbeat', () => {
  it('round-trips what the collector measures and names the bad field of a broken one', () => {
    const c = new HeartbeatCollector({ id: 'gw1', site: 'acme.izmir', version: '1', dataDir: process.cwd(), backlog: () => ({ samples: 5, entries: 1, oldestAgeMs: 10, quarantined: 0 }) });
    const h = c.collect();
    expect(h.disk!.totalBytes).toBeGreaterThan(0);
    expect(decodeHeartbeat(encodeHeartbeat(h))).toEqual({ ...h, devices: [] });
    expect(() => decodeHeartbeat('{"v":1,"id":"a.b","site":"x"}')).toThrow(/heartbeat\.id/);
    expect(() => decodeHeartbeat(JSON.stringify({ ...h, backlog: { ...h.backlog, samples: 'x' } }))).toThrow(/heartbeat\.backlog\.samples/);
    expect(() => decodeHeartbeat('nope')).toThrow(/not JSON/);
  });
});

describe('fleet registry and alarms', () => {
  it('turns a gateway offline after the missed-heartbeat time, back online on the next one, and raises/clears its alarm', () => {
    let now = 1_000_000;
    const reg = new FleetRegistry({ offlineAfterMs: 30_000, backlogGrowthMs: 60_000, clock: () => now });
    const configured: unknown[][] = [];
    const evaluated: Array<{ tag: string; value: number }> = [];
    const mon = new FleetAlarmMonitor(reg, { configure: (_g, d) => { configured.push([...d]); return null; }, evaluate: (s) => { evaluated.push(...(s as never[])); return null; } }, { intervalMs: 0 });
    reg.observe(hb('gw1', 'acme.izmir'));
    reg.observe(hb('gw2', 'acme.bursa'));
    mon.check();
    expect(configured.at(-1)!.map((d) => (d as { id: string }).id)).toEqual([fleetAlarmId('gw2', 'offline'), fleetAlarmId('gw2', 'backlog_growing'), fleetAlarmId('gw1', 'offline'), fleetAlarmId('gw1', 'backlog_growing')]);
    expect(reg.list({ site: 'acme.izmir' }).map((g) => g.id)).toEqual(['gw1']);
    expect(reg.list({ site: 'acme' }).map((g) => g.id)).toEqual(['gw2', 'gw1']);
    now += 29_999;
    reg.observe(hb('gw2', 'acme.bursa'));
    expect(reg.list().find((g) => g.id === 'gw1')!.online).toBe(true);
    now += 1;
    expect(reg.list().find((g) => g.id === 'gw1')!.online).toBe(false);
    evaluated.length = 0;
    mon.check();
    expect(evaluated.find((s) => s.tag === 'sys.fleet.gw1.offline')!.value).toBe(1);
    expect(evaluated.find((s) => s.tag === 'sys.fleet.gw2.offline')!.value).toBe(0);
    reg.observe(hb('gw1', 'acme.izmir'));
    evaluated.length = 0;
    mon.check();
    expect(evaluated.find((s) => s.tag === 'sys.fleet.gw1.offline')!.value).toBe(0);
  });

  it('flags a backlog that only grew for the growth time, and forgets it when it shrinks', () => {
    let now = 0;
    const reg = new FleetRegistry({ offlineAfterMs: 1e9, backlogGrowthMs: 60_000, clock: () => now });
    for (let i = 0; i <= 7; i++) { reg.observe(hb('gw1', 's', 100 + i * 10)); if (i < 7) now += 10_000; }
    expect(reg.list()[0].backlogGrowing).toBe(true);
    reg.observe(hb('gw1', 's', 50));
    expect(reg.list()[0].backlogGrowing).toBe(false);
    now += 10_000; reg.observe(hb('gw1', 's', 60));
    now += 30_000; reg.observe(hb('gw1', 's', 70));
    expect(reg.list()[0].backlogGrowing).toBe(false);
  });

  it('survives a central restart: known gateways come back, a dead one turns offline one offline time after the restart', () => {
    let now = 1_000_000;
    const a = new FleetRegistry({ offlineAfterMs: 30_000, clock: () => now });
    a.observe(hb('gw1', 'acme.izmir', 5));
    a.observe(hb('gw2', 'acme.bursa'));
    const saved = a.snapshot()!;
    expect(a.snapshot()).toBeNull(); // nothing new since
    now += 120_000; // the central was down for two minutes
    const b = new FleetRegistry({ offlineAfterMs: 30_000, clock: () => now });
    expect(b.restore(saved)).toBe(2);
    expect(b.list().map((g) => [g.id, g.online, g.lastSeen])).toEqual([['gw2', true, 1_000_000], ['gw1', true, 1_000_000]]);
    now += 10_000;
    b.observe(hb('gw1', 'acme.izmir', 6));
    now += 20_000;
    expect(b.list().map((g) => [g.id, g.online])).toEqual([['gw2', false], ['gw1', true]]);
    expect(b.list().find((g) => g.id === 'gw1')!.heartbeat.backlog.samples).toBe(6);
    expect(() => b.restore('{"v":2}')).toThrow(/unknown format/);
  });
});


// The central's view of the gateway fleet, from their heartbeats: online while heartbeats
// keep coming, offline once none arrived for `offlineAfterMs`; last seen (central clock,
// so a gateway's wrong clock cannot make it look alive), backlog and whether it grows.
import type { Heartbeat } from './heartbeat';

export interface FleetOptions {
  /** no heartbeat for this long = offline (default 30 s: three missed 10 s beats) */
  offlineAfterMs?: number;
  /** backlog growing for at least this long (and never shrinking meanwhile) = alarm (default 5 min) */
  backlogGrowthMs?: number;
  clock?: () => number;
}

export interface GatewayEntry {
  id: string;
  site: string;
  online: boolean;
  /** central clock, epoch ms */
  lastSeen: number;
  firstSeen: number;
  /** since when the backlog has only grown (null: not growing) */
  backlogGrowingSince: number | null;
  backlogGrowing: boolean;
  heartbeat: Heartbeat;
}

export class FleetRegistry {
  // `watchFrom`: when the offline clock started, the last heartbeat or, for a gateway
  // restored from the saved registry, the central's start: a central restart alone does
  // not make every gateway offline, and a gateway that died meanwhile still turns offline.
  private readonly gateways = new Map<string, { entry: Omit<GatewayEntry, 'online' | 'backlogGrowing'>; lastBacklog: number; watchFrom: number }>();
  private changed = false;
  readonly offlineAfterMs: number;
  readonly backlogGrowthMs: number;
  private readonly clock: () => number;
  invalid = 0;

  constructor(o: FleetOptions = {}) {
    this.offlineAfterMs = o.offlineAfterMs ?? 30_000;
    this.backlogGrowthMs = o.backlogGrowthMs ?? 300_000;
    if (!(this.offlineAfterMs > 0)) throw new Error('offlineAfterMs: must be positive');
    if (!(this.backlogGrowthMs > 0)) throw new Error('backlogGrowthMs: must be positive');
    this.clock = o.clock ?? Date.now;
  }

  observe(h: Heartbeat): void {
    const now = this.clock();
    const g = this.gateways.get(h.id);
    if (!g) {
      this.gateways.set(h.id, { entry: { id: h.id, site: h.site, lastSeen: now, firstSeen: now, backlogGrowingSince: null, heartbeat: h }, lastBacklog: h.backlog.samples, watchFrom: now });
      this.changed = true;
      return;
    }
    g.watchFrom = now;
    this.changed = true;
    const e = g.entry;
    // growing: more than before and not drained; any drop resets the clock
    if (h.backlog.samples > g.lastBacklog && h.backlog.samples > 0) e.backlogGrowingSince ??= now;
    else if (h.backlog.samples < g.lastBacklog || h.backlog.samples === 0) e.backlogGrowingSince = null;
    g.lastBacklog = h.backlog.samples;
    e.site = h.site;
    e.lastSeen = now;
    e.heartbeat = h;
  }

  list(filter: { site?: string } = {}): GatewayEntry[] {
    const now = this.clock();
    const out: GatewayEntry[] = [];
    for (const { entry, watchFrom } of this.gateways.values()) {
      if (filter.site && entry.site !== filter.site && !entry.site.startsWith(`${filter.site}.`)) continue;
      const online = now - watchFrom < this.offlineAfterMs;
      out.push({ ...entry, online, backlogGrowing: entry.backlogGrowingSince !== null && now - entry.backlogGrowingSince >= this.backlogGrowthMs });
    }
    return out.sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
  }

  /** What to keep across a central restart (JSON); null when nothing changed since the last call. */
  snapshot(): string | null {
    if (!this.changed) return null;
    this.changed = false;
    return JSON.stringify({ v: 1, gateways: [...this.gateways.values()].map((g) => ({ ...g.entry, lastBacklog: g.lastBacklog })) });
  }

  /** Takes back a snapshot: gateways known before the restart, their offline clocks starting now. */
  restore(text: string): number {
    const o = JSON.parse(text) as { v?: number; gateways?: Array<Omit<GatewayEntry, 'online' | 'backlogGrowing'> & { lastBacklog: number }> };
    if (o.v !== 1 || !Array.isArray(o.gateways)) throw new Error('fleet registry file: unknown format');
    const now = this.clock();
    let n = 0;
    for (const { lastBacklog, ...entry } of o.gateways) {
      if (typeof entry?.id !== 'string' || this.gateways.has(entry.id) || !entry.heartbeat) continue;
      this.gateways.set(entry.id, { entry, lastBacklog: Number(lastBacklog) || 0, watchFrom: Math.max(Number(entry.lastSeen) || 0, now) });
      n++;
    }
    return n;
  }

  sites(): string[] {
    return [...new Set([...this.gateways.values()].map((g) => g.entry.site))].sort();
  }
}

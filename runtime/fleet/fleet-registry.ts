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
  private readonly gateways = new Map<string, { entry: Omit<GatewayEntry, 'online' | 'backlogGrowing'>; lastBacklog: number }>();
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
      this.gateways.set(h.id, { entry: { id: h.id, site: h.site, lastSeen: now, firstSeen: now, backlogGrowingSince: null, heartbeat: h }, lastBacklog: h.backlog.samples });
      return;
    }
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
    for (const { entry } of this.gateways.values()) {
      if (filter.site && entry.site !== filter.site && !entry.site.startsWith(`${filter.site}.`)) continue;
      const online = now - entry.lastSeen < this.offlineAfterMs;
      out.push({ ...entry, online, backlogGrowing: entry.backlogGrowingSince !== null && now - entry.backlogGrowingSince >= this.backlogGrowthMs });
    }
    return out.sort((a, b) => a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
  }

  sites(): string[] {
    return [...new Set([...this.gateways.values()].map((g) => g.entry.site))].sort();
  }
}

// Fleet (central only): the gateways seen by their heartbeats, online/offline, last seen,
// backlog and its oldest entry, host metrics and device states, filtered by site. Refreshes
// every few seconds from GET /fleet/gateways; offline gateways come first.
import { LitElement, html, css } from 'lit';
import { get, errorText } from '../../api';
import { Refresh } from '../../lib/refresh';
import { adminStyles, fmtBytes, fmtDuration, fmtNumber, fmtTime } from '../admin/admin-common';

interface Heartbeat {
  version: string; uptimeS: number; cpuPercent: number; load: number;
  memory: { rssBytes: number; hostFreeBytes: number; hostTotalBytes: number };
  disk: { freeBytes: number; totalBytes: number } | null;
  backlog: { samples: number; entries: number; oldestAgeMs: number; quarantined: number };
  devices: Array<{ name: string; connected: boolean; detail: string | null }>;
}
interface Gateway { id: string; site: string; online: boolean; lastSeen: number; backlogGrowing: boolean; heartbeat: Heartbeat }
interface FleetAnswer { enabled: boolean; connected: boolean; offlineAfterMs: number | null; sites: string[]; gateways: Gateway[] }

const REFRESH_MS = 2000;

export class FleetView extends LitElement {
  static properties = { data: { state: true }, error: { state: true }, site: { state: true } };
  declare data: FleetAnswer | null;
  declare error: string;
  declare site: string;
  private readonly refresh = new Refresh(this, () => this.load(), REFRESH_MS);

  static styles = [...adminStyles, css`
    .summary { padding: 8px 10px; font-weight: 600; margin-bottom: 8px; border: 1px solid var(--ok-border); background: var(--ok-bg); }
    .summary.problems { border-color: var(--bad-border); background: var(--bad-bg); }
    .summary .detail { font-weight: 400; font-size: 12px; color: var(--fg); }
    .filters { display: flex; gap: 8px; align-items: center; margin-bottom: 8px; flex-wrap: wrap; }
    tr.offline td { background: var(--bad-bg); }
    .state { font-weight: 600; }
    .devices { margin: 0; padding: 0; list-style: none; }
  `];

  constructor() {
    super();
    this.data = null;
    this.error = '';
    this.site = '';
  }

  private async load(): Promise<void> {
    try {
      this.data = await get<FleetAnswer>(`/fleet/gateways${this.site ? `?site=${encodeURIComponent(this.site)}` : ''}`);
      this.error = '';
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private pickSite(e: Event): void {
    this.site = (e.target as HTMLSelectElement).value;
    void this.load();
  }

  render() {
    const d = this.data;
    if (!d) return html`${this.error ? html`<div class="error" role="alert">${this.error}</div>` : html`<div class="empty">Loading…</div>`}`;
    if (!d.enabled) return html`<h2>Fleet</h2><div class="empty">This Historian does not watch a gateway fleet. Set HISTORIAN_FLEET_MONITOR=true and HISTORIAN_NATS_URL on the central (README "Scaling out").</div>`;
    const gws = [...d.gateways].sort((a, b) => Number(a.online) - Number(b.online) || a.site.localeCompare(b.site) || a.id.localeCompare(b.id));
    const offline = gws.filter((g) => !g.online).length;
    const growing = gws.filter((g) => g.backlogGrowing).length;
    return html`
      <h2>Fleet</h2>
      <div class="summary ${offline || growing ? 'problems' : ''}" role="status" data-testid="fleet-summary">
        ${gws.length - offline} of ${gws.length} gateway${gws.length === 1 ? '' : 's'} online${offline ? `, ${offline} offline` : ''}${growing ? `, ${growing} with a growing backlog` : ''}
        <span class="detail"> · offline after ${fmtDuration(d.offlineAfterMs)} without heartbeat${d.connected ? '' : ' · NOT connected to NATS'}</span>
      </div>
      <div class="filters">
        <label for="fleet-site">Site</label>
        <select id="fleet-site" data-testid="fleet-site" @change=${this.pickSite}>
          <option value="" ?selected=${!this.site}>All sites</option>
          ${d.sites.map((s) => html`<option value=${s} ?selected=${this.site === s}>${s}</option>`)}
        </select>
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${gws.length ? html`<div class="scroll"><table class="cards" data-testid="fleet-gateways">
        <thead><tr><th scope="col">Gateway</th><th scope="col">Site</th><th scope="col">State</th><th scope="col">Last seen</th><th scope="col">Backlog</th><th scope="col">Oldest</th><th scope="col">CPU</th><th scope="col">Memory</th><th scope="col">Disk free</th><th scope="col">Devices</th><th scope="col">Version · uptime</th></tr></thead>
        <tbody>${gws.map((g) => {
          const h = g.heartbeat;
          return html`<tr class=${g.online ? '' : 'offline'} data-gateway=${g.id}>
            <td data-label="Gateway">${g.id}</td><td data-label="Site">${g.site}</td>
            <td data-label="State" data-field="state" class="state">${g.online ? 'online' : 'offline'}</td>
            <td data-label="Last seen">${fmtTime(g.lastSeen)}</td>
            <td data-label="Backlog" data-field="backlog">${fmtNumber(h.backlog.samples, 0)} samples${g.backlogGrowing ? html` <strong>growing</strong>` : ''}${h.backlog.quarantined ? html` · ${h.backlog.quarantined} quarantined` : ''}</td>
            <td data-label="Oldest">${h.backlog.entries ? fmtDuration(h.backlog.oldestAgeMs) : '—'}</td>
            <td data-label="CPU">${h.cpuPercent.toFixed(1)} % <span class="muted">load ${h.load.toFixed(2)}</span></td>
            <td data-label="Memory">${fmtBytes(h.memory.rssBytes)} <span class="muted">host ${fmtBytes(h.memory.hostFreeBytes)} free</span></td>
            <td data-label="Disk free">${h.disk ? `${fmtBytes(h.disk.freeBytes)} of ${fmtBytes(h.disk.totalBytes)}` : '—'}</td>
            <td data-label="Devices">${h.devices.length ? html`<ul class="devices">${h.devices.map((x) => html`<li>${x.name}: ${x.connected ? 'connected' : html`<strong>down</strong>`}</li>`)}</ul>` : '—'}</td>
            <td data-label="Version · uptime">${h.version || '—'} · ${fmtDuration(h.uptimeS * 1000)}</td>
          </tr>`;
        })}</tbody></table></div>` : html`<div class="empty">No gateway heartbeat received yet${this.site ? ` for site ${this.site}` : ''}.</div>`}`;
  }
}
customElements.define('historian-fleet', FleetView);

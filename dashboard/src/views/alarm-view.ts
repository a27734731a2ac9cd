// Alarm console (ISA-18.2): active alarms, unacknowledged first, then by priority and
// time; acknowledge one or many, shelve with duration and reason (and an electronic
// signature when the server asks for one); the journal; alarm-system KPIs.
import { LitElement, html, css } from 'lit';
import { api, get, qs, errorText, ApiError } from '../api';
import { live } from '../live-client';
import { can } from '../session';
import { base } from '../styles';
import { withSignature } from '../components/signature-dialog';

interface AlarmView {
  id: string; tag: string; type: string; priority: string; state: string; stateName?: string; since: number;
  acknowledged: boolean; value: number | null; limit: number | null; message: string;
  shelve?: { user: string; reason: string; until: number | null; oneShot: boolean } | null;
}
type Tab = 'active' | 'journal' | 'kpi';
const PRIO: Record<string, number> = { urgent: 0, high: 1, medium: 2, low: 3 };
const DURATIONS = [['15 min', 15 * 60_000], ['1 h', 3_600_000], ['4 h', 4 * 3_600_000], ['8 h', 8 * 3_600_000], ['one-shot (until it clears)', 0]] as const;

function listOf<T>(r: any, ...keys: string[]): T[] {
  if (Array.isArray(r)) return r;
  for (const k of keys) if (Array.isArray(r?.[k])) return r[k];
  return [];
}

export function sortAlarms(a: AlarmView[]): AlarmView[] {
  return [...a].sort((x, y) => Number(x.acknowledged) - Number(y.acknowledged) || (PRIO[x.priority] ?? 9) - (PRIO[y.priority] ?? 9) || y.since - x.since);
}

export class AlarmConsole extends LitElement {
  static properties = {
    tab: { state: true }, alarms: { state: true }, absent: { state: true }, error: { state: true }, selected: { state: true },
    journal: { state: true }, kpi: { state: true }, shelving: { state: true }, info: { state: true },
  };
  declare tab: Tab;
  declare alarms: AlarmView[];
  declare absent: boolean;
  declare error: string;
  declare selected: Set<string>;
  declare journal: any[] | null;
  declare kpi: any | null;
  declare shelving: AlarmView | null;
  declare info: string;
  private off: (() => void) | null = null;
  private timer: number | undefined;

  constructor() {
    super();
    this.tab = 'active';
    this.alarms = [];
    this.absent = false;
    this.error = '';
    this.selected = new Set();
    this.journal = null;
    this.kpi = null;
    this.shelving = null;
    this.info = '';
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    tr.unack td { font-weight: 600; }
    tr.unack td.state { color: #fff; background: #b00000; }
    .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 8px; }
    .kpis .panel b { display: block; font-size: 20px; }
    .bars { display: flex; align-items: flex-end; gap: 1px; height: 80px; background: #f2f2f2; border: 1px solid #ccc; padding: 2px; }
    .bars i { flex: 1; background: #8a8a8a; min-width: 1px; }
    .bars i.flood { background: #b00000; }
    .scroll { overflow: auto; max-height: calc(100vh - 190px); }
    /* long ISA-95 paths wrap at their dots so the commands stay on screen on a 10" tablet */
    td.tag { overflow-wrap: anywhere; min-width: 120px; }
    td.since { white-space: nowrap; }
    @media (max-width: 1100px) {
      table { font-size: 12px; }
      td.tag { max-width: 200px; }
      th, td { padding: 3px 5px; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.off = live.onAlarm(() => { void this.refresh(); });
    this.timer = window.setInterval(() => { if (this.tab === 'active' && !this.absent) void this.refresh(); }, 5000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    window.clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    try {
      if (this.tab === 'active') this.alarms = sortAlarms(listOf<AlarmView>(await get('/alarms'), 'alarms', 'items'));
      else if (this.tab === 'journal') this.journal = listOf(await get(`/alarms/journal${qs({ limit: 500 })}`), 'entries', 'journal', 'items');
      else {
        const to = Date.now();
        this.kpi = await get(`/alarms/kpi${qs({ from: to - 24 * 3_600_000, to })}`);
      }
      this.absent = false;
      this.error = '';
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.absent = true;
      else this.error = errorText(e);
    }
  }

  private setTab(t: Tab): void { this.tab = t; void this.refresh(); }

  private async ack(ids: string[]): Promise<void> {
    try {
      if (ids.length === 1) await api('POST', `/alarms/${encodeURIComponent(ids[0])}/ack`, {});
      else await api('POST', '/alarms/ack', { ids });
      this.info = `acknowledged ${ids.length} alarm${ids.length > 1 ? 's' : ''}`;
      this.selected = new Set();
      await this.refresh();
    } catch (e) { this.error = `acknowledge: ${errorText(e)}`; }
  }

  private async shelve(e: Event): Promise<void> {
    e.preventDefault();
    const a = this.shelving!;
    const f = new FormData(e.target as HTMLFormElement);
    const ms = Number(f.get('duration'));
    const reason = String(f.get('reason') ?? '').trim();
    const body = ms > 0 ? { durationMs: ms, reason } : { oneShot: true, reason };
    this.shelving = null;
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot, { action: 'alarms.shelve', target: a.id, title: `shelve ${a.tag}` },
        (headers) => api('POST', `/alarms/${encodeURIComponent(a.id)}/shelve`, body, { headers }));
      this.info = r === null ? 'shelve cancelled (no signature)' : `shelved ${a.tag}`;
      await this.refresh();
    } catch (err) { this.error = `shelve: ${errorText(err)}`; }
  }

  private renderActive() {
    if (!this.alarms.length) return html`<div class="empty">No active alarms.</div>`;
    const mayAck = can('alarms.ack');
    const unackSel = [...this.selected];
    return html`
      ${mayAck ? html`<div class="toolbar"><button data-action="ack-selected" ?disabled=${!unackSel.length} @click=${() => this.ack(unackSel)}>Acknowledge selected (${unackSel.length})</button>
        <button data-action="ack-all" ?disabled=${!this.alarms.some((a) => !a.acknowledged)} @click=${() => this.ack(this.alarms.filter((a) => !a.acknowledged).map((a) => a.id))}>Acknowledge all shown</button></div>` : ''}
      <div class="scroll"><table data-testid="alarm-table"><thead><tr>${mayAck ? html`<th></th>` : ''}<th>Priority</th><th>State</th><th>Since</th><th>Tag</th><th>Message</th><th>Value</th><th>Limit</th><th></th></tr></thead>
      <tbody>${this.alarms.map((a) => html`<tr class=${a.acknowledged ? '' : 'unack'} data-alarm=${a.id}>
        ${mayAck ? html`<td><input type="checkbox" aria-label="select ${a.id}" .checked=${this.selected.has(a.id)} ?disabled=${a.acknowledged}
          @change=${(e: Event) => { const s = new Set(this.selected); if ((e.target as HTMLInputElement).checked) s.add(a.id); else s.delete(a.id); this.selected = s; }} /></td>` : ''}
        <td><span class="chip prio-${a.priority}">${a.priority}</span></td>
        <td class="state">${a.stateName ?? a.state}${a.shelve ? html` <span class="muted">(shelved by ${a.shelve.user})</span>` : ''}</td>
        <td class="since">${new Date(a.since).toLocaleString()}</td><td class="tag">${a.tag}</td><td>${a.message}</td>
        <td>${a.value ?? '—'}</td><td>${a.limit ?? '—'}</td>
        <td class="toolbar">
          ${mayAck && !a.acknowledged ? html`<button data-action="ack" @click=${() => this.ack([a.id])}>Ack</button>` : ''}
          ${can('alarms.shelve') && a.state !== 'E' ? html`<button data-action="shelve" @click=${() => { this.shelving = a; }}>Shelve…</button>` : ''}
        </td></tr>`)}</tbody></table></div>`;
  }

  private renderJournal() {
    const j = this.journal ?? [];
    if (!j.length) return html`<div class="empty">The alarm journal is empty.</div>`;
    return html`<div class="scroll"><table data-testid="journal-table"><thead><tr><th>Time</th><th>Tag</th><th>Event</th><th>From → To</th><th>Value</th><th>User</th><th>Comment</th></tr></thead>
      <tbody>${j.map((e) => html`<tr><td>${new Date(e.ts).toLocaleString()}</td><td>${e.tag}</td><td>${e.event}</td><td>${e.from} → ${e.to}</td><td>${e.value ?? ''}</td><td>${e.user ?? ''}</td><td>${e.comment ?? ''}</td></tr>`)}</tbody></table></div>`;
  }

  private renderKpi() {
    const k = this.kpi;
    if (!k) return html`<div class="empty">No KPI data.</div>`;
    const max = Math.max(1, ...(k.periods ?? []).map((p: any) => p.count));
    const card = (label: string, v: unknown, note = '') => html`<div class="panel"><span class="muted">${label}</span><b>${v}</b><span class="muted">${note}</span></div>`;
    return html`<div class="kpis" data-testid="kpi-panel">
        ${card('Alarms (24 h)', k.alarms)}
        ${card('Average per 10 min', Number(k.averagePer10Min ?? 0).toFixed(2), 'target ≈ 1')}
        ${card('Peak in 10 min', k.peak10Min)}
        ${card('Time in flood', `${Number(k.floodPercent ?? 0).toFixed(1)} %`, 'target < 1 %')}
        ${card('Top-10 share', `${Number(k.top10Share ?? 0).toFixed(1)} %`)}
        ${card('Chattering', (k.chattering ?? []).length)}
        ${card('Stale (> 24 h)', (k.stale ?? []).length)}
        ${card('Shelved / out of service', `${k.shelved ?? 0} / ${k.outOfService ?? 0}`)}
        ${card('Priority low+med / high / urgent', k.priority ? `${k.priority.percent.lowMedium.toFixed(0)} / ${k.priority.percent.high.toFixed(0)} / ${k.priority.percent.urgent.toFixed(0)} %` : '—', 'target 80 / 15 / 5')}
      </div>
      <h4>Alarms per 10 minutes</h4>
      <div class="bars">${(k.periods ?? []).map((p: any) => html`<i class=${p.count > 10 ? 'flood' : ''} style="height:${(p.count / max) * 100}%" title="${new Date(p.start).toLocaleString()}: ${p.count}"></i>`)}</div>
      <h4>Top offenders</h4>
      ${(k.top10 ?? []).length ? html`<table><thead><tr><th>Alarm</th><th>Tag</th><th>Count</th><th>Share</th></tr></thead><tbody>${k.top10.map((t: any) => html`<tr><td>${t.alarmId}</td><td>${t.tag}</td><td>${t.count}</td><td>${t.share.toFixed(1)} %</td></tr>`)}</tbody></table>` : html`<div class="empty">None.</div>`}`;
  }

  render() {
    return html`
      <div class="tabs">${(['active', 'journal', 'kpi'] as Tab[]).map((t) => html`<button aria-pressed=${String(this.tab === t)} data-tab=${t} @click=${() => this.setTab(t)}>${t === 'active' ? 'Active alarms' : t === 'journal' ? 'Journal' : 'KPIs'}</button>`)}</div>
      ${this.info ? html`<div class="muted" role="status">${this.info}</div>` : ''}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.absent ? html`<div class="empty" data-testid="alarms-absent">Alarm management is not available on this server yet.</div>`
        : this.tab === 'active' ? this.renderActive() : this.tab === 'journal' ? this.renderJournal() : this.renderKpi()}
      ${this.shelving ? html`<dialog open data-testid="shelve-dialog"><form @submit=${this.shelve}>
          <h3 style="margin:0">Shelve ${this.shelving.tag}</h3>
          <label>Duration <select name="duration">${DURATIONS.map(([l, v]) => html`<option value=${v}>${l}</option>`)}</select></label>
          <label>Reason <input name="reason" required maxlength="500" placeholder="why (recorded)" /></label>
          <div class="toolbar"><button type="submit">Shelve</button><button type="button" @click=${() => { this.shelving = null; }}>Cancel</button></div>
        </form></dialog>` : ''}`;
  }
}

customElements.define('historian-alarm-console', AlarmConsole);

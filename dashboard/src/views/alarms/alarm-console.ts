// Alarm console (ISA-18.2): the alarms that need attention, unacknowledged first, then by
// priority and time, with every operator command the API has (acknowledge, reset latched,
// shelve with duration and expiry, unshelve, suppress / lift, out of service / return to
// service), each through the one signature dialog when the server asks for a signature;
// an alarm's limits changed (setpoint, deadband, delays …; signed, deployed into the node
// that defines it); consequence and corrective action per alarm; the journal; KPIs.
import { LitElement, html, css, nothing } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { api, get, errorText, ApiError } from '../../api';
import { live } from '../../live-client';
import { can } from '../../session';
import { base } from '../../styles';
import { withSignature } from '../../components/signature-dialog';
import { PRIORITY_RANK, priorityIcon } from '../../components/chips';
import { fmtDateTime, fmtDuration, formatWithUnit, type TagInfo } from '../../lib/format';
import { limitText, unitOf } from './alarm-values';
import { tagMetas } from '../../lib/tag-list';
import { stateName } from './alarm-names';
import type { AlarmList, AlarmSummary } from '../../../../runtime/server/api/contract';
import './alarm-journal';
import './alarm-kpi';
import { tagPath } from '../../components/tag-path';

/** An alarm as GET /alarms answers it (the API contract). */
export type AlarmView = AlarmSummary;
const TABS = ['active', 'journal', 'kpi'] as const;
type Tab = typeof TABS[number];
type Show = 'attention' | 'all';
/** The limits dialog's fields, in the names PUT /alarms/{id}/limits takes. */
const LIMIT_LABELS: Array<[keyof AlarmView['limits'], string]> = [
  ['setpoint', 'Setpoint'], ['limit', 'Deviation limit'], ['ratePerSecond', 'Rate limit'], ['windowS', 'Rate window (s)'],
  ['deadband', 'Deadband'], ['onDelayS', 'On-delay (s)'], ['offDelayS', 'Off-delay (s)'],
];

/** A limit field's label with its unit: the tag's unit, per second for a rate ("Rate limit (°C/s)"). */
function limitLabel(k: keyof AlarmView['limits'], label: string, unit: string): string {
  if (k === 'ratePerSecond') return `${label} (${unit ? `${unit}/s` : 'per second'})`;
  return unit && (k === 'setpoint' || k === 'limit' || k === 'deadband') ? `${label} (${unit})` : label;
}
const DURATIONS = [['15 min', 15 * 60_000], ['1 h', 3_600_000], ['4 h', 4 * 3_600_000], ['8 h', 8 * 3_600_000], ['One-shot (until it clears)', 0]] as const;

/** Command name (URL segment) → audit/signature action name. */
const ACTION: Record<string, string> = {
  ack: 'alarms.ack', reset: 'alarms.reset', shelve: 'alarms.shelve', unshelve: 'alarms.unshelve', suppress: 'alarms.suppress',
  unsuppress: 'alarms.unsuppress', 'out-of-service': 'alarms.out_of_service', 'return-to-service': 'alarms.return_to_service',
};

export function sortAlarms(a: AlarmView[]): AlarmView[] {
  const unack = (x: AlarmView) => (x.state === 'B' || x.state === 'D' ? 0 : 1);
  return [...a].sort((x, y) => unack(x) - unack(y) || (PRIORITY_RANK[x.priority] ?? 9) - (PRIORITY_RANK[y.priority] ?? 9) || y.since - x.since);
}

export class AlarmConsole extends LitElement {
  static properties = {
    tab: {}, alarms: { state: true }, absent: { state: true }, error: { state: true }, selected: { state: true },
    dialog: { state: true }, info: { state: true }, show: { state: true }, open: { state: true }, metas: { state: true },
  };
  /** the tab shown, from the URL (`#/alarms?tab=journal`), so a tab can be bookmarked and shared */
  declare tab: Tab;
  declare alarms: AlarmView[];
  declare absent: boolean;
  declare error: string;
  declare selected: Set<string>;
  /** the command dialog open (shelve, out of service, limits) */
  declare dialog: { kind: 'shelve' | 'out-of-service' | 'limits'; alarm: AlarmView } | null;
  declare info: string;
  declare show: Show;
  /** alarms whose details (consequence, corrective action) are shown */
  declare open: Set<string>;
  /** the tag registry, for units and state names (empty where the user may not read it) */
  declare metas: Map<string, TagInfo>;
  private off: (() => void) | null = null;
  private timer: number | undefined;

  constructor() {
    super();
    this.tab = 'active';
    this.alarms = [];
    this.absent = false;
    this.error = '';
    this.selected = new Set();
    this.dialog = null;
    this.info = '';
    this.show = 'attention';
    this.open = new Set();
    this.metas = new Map();
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    tr.unack td { font-weight: 600; }
    tr.unack td.state { color: var(--bad-fg); }
    .scroll { overflow: auto; max-height: calc(100vh - 230px); }
    td.tag { overflow-wrap: anywhere; min-width: 120px; }
    td.since, td.num { white-space: nowrap; }
    td.cmds { white-space: normal; }
    td.cmds .toolbar { gap: 4px; }
    .detail td { background: var(--panel-2); font-weight: 400 !important; }
    .detail dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
    .detail dt { color: var(--muted); }
    .detail dd { margin: 0; }
    .prio { display: inline-flex; gap: 4px; align-items: center; white-space: nowrap; }
    .expiry { font-size: 12px; color: var(--muted); display: block; font-weight: 400; }
    .msg { display: block; }
    dialog.cmd { max-width: min(34em, 94vw); }
    dialog h2 { margin: 0; font-size: 16px; }
    dialog p { margin: 0; }
    .limits { display: grid; grid-template-columns: max-content minmax(0, 10em); gap: 6px 10px; align-items: center; }
    @media (max-width: 1100px) {
      table { font-size: 12px; }
      th, td { padding: 3px 5px; }
      .hide-m { display: none; }
    }
    /* phone: each alarm is a card; priority, state, message and the commands stay reachable */
    @media (max-width: 700px) {
      .hide-s, .hide-m { display: none !important; }
      .scroll { max-height: none; }
      thead { display: none; }
      table, tbody { display: block; }
      tbody tr { display: grid; grid-template-columns: auto 1fr; gap: 2px 10px; padding: 6px; border-bottom: 1px solid var(--rule); }
      tbody td { display: block; border: none; padding: 0; }
      td.tag, td.cmds, tr.detail td { grid-column: 1 / -1; min-width: 0; }
      td.cmds button { min-height: 36px; }
      /* the value beside its limit, each named */
      td.num::before { content: attr(data-label) ' '; color: var(--muted); font-weight: 400; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.off = live.onAlarm(() => { if (this.tab === 'active') void this.refresh(); });
    this.timer = window.setInterval(() => { if (this.tab === 'active' && !this.absent) void this.refresh(); }, 5000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    window.clearInterval(this.timer);
  }

  updated(): void {
    const d = this.renderRoot.querySelector('dialog.cmd') as HTMLDialogElement | null;
    if (d && !d.open) d.showModal();
  }

  private async refresh(): Promise<void> {
    if (this.tab !== 'active') return;
    try {
      const [{ alarms: list }, metas] = await Promise.all([get<AlarmList>('/alarms'), tagMetas()]);
      this.metas = metas;
      this.alarms = sortAlarms(this.show === 'all' ? list : list.filter((a) => a.state !== 'A'));
      this.absent = false;
      this.error = '';
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.absent = true;
      else this.error = errorText(e);
    }
  }

  /** Opens a tab through the URL: the app passes it back as `tab`, and Back returns to the last one. */
  private setTab(t: Tab): void { location.hash = t === 'active' ? '#/alarms' : `#/alarms?tab=${t}`; }

  willUpdate(changed: Map<string, unknown>): void {
    if (!TABS.includes(this.tab)) this.tab = 'active';
    if (changed.has('tab') && changed.get('tab') !== undefined) { this.info = ''; this.error = ''; void this.refresh(); }
  }

  /** Runs one command on one alarm, with a signature when the server asks for one. */
  private async command(a: AlarmView, cmd: string, body: Record<string, unknown> = {}, label = cmd): Promise<void> {
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot, { action: ACTION[cmd], target: a.id, title: `${label} ${a.tag}` },
        (headers) => api<{ ok?: boolean; reason?: string; message?: string }>('POST', `/alarms/${encodeURIComponent(a.id)}/${cmd}`, body, { headers }));
      if (r === null) this.info = `${label}: cancelled (not signed)`;
      else if (r.ok === false) this.error = `${label}: refused (${r.reason ?? r.message ?? 'not possible now'})`;
      else { this.info = `${label}: ${a.tag} done`; this.error = ''; }
      await this.refresh();
    } catch (e) {
      this.error = `${label}: ${errorText(e)}`;
    }
  }

  /** PUT /alarms/{id}/limits with the fields changed, signed; the server deploys the node that defines the alarm. */
  private async changeLimits(a: AlarmView, f: FormData): Promise<void> {
    const body: Record<string, number> = {};
    for (const [k] of LIMIT_LABELS) {
      const raw = f.get(k);
      if (raw === null || String(raw).trim() === '') continue;
      const v = Number(raw);
      if (v !== a.limits[k]) body[k] = v;
    }
    const what = a.message || a.tag;
    if (!Object.keys(body).length) { this.info = `Limits of ${what}: nothing changed`; return; }
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot, { action: 'alarms.limits.change', target: a.id, title: `Change the limits of ${what}`, meaning: 'approval' },
        (headers) => api<{ before: Record<string, unknown>; after: Record<string, unknown> }>('PUT', `/alarms/${encodeURIComponent(a.id)}/limits`, body, { headers }));
      if (r === null) { this.info = `Limits of ${what}: cancelled (not signed)`; return; }
      const label = (k: string) => LIMIT_LABELS.find(([x]) => x === k)?.[1].toLowerCase() ?? k;
      this.info = `Limits of ${what} changed and deployed: ${Object.keys(body).map((k) => `${label(k)} ${a.limits[k as keyof AlarmView['limits']] ?? '—'} → ${r.after[k] ?? body[k]}`).join(', ')}`;
      this.error = '';
      await this.refresh();
    } catch (e) {
      this.error = `Limits of ${what}: ${errorText(e)}`;
    }
  }

  private async ack(ids: string[]): Promise<void> {
    if (ids.length === 1) { const a = this.alarms.find((x) => x.id === ids[0]); if (a) { await this.command(a, 'ack', {}, 'Acknowledge'); return; } }
    try {
      await api('POST', '/alarms/ack', { ids });
      this.info = `acknowledged ${ids.length} alarm${ids.length > 1 ? 's' : ''}`;
      this.selected = new Set();
      await this.refresh();
    } catch (e) { this.error = `acknowledge: ${errorText(e)}`; }
  }

  private async submitDialog(e: Event): Promise<void> {
    e.preventDefault();
    const d = this.dialog!;
    const f = new FormData(e.target as HTMLFormElement);
    const reason = String(f.get('reason') ?? '').trim();
    this.dialog = null;
    if (d.kind === 'limits') {
      await this.changeLimits(d.alarm, f);
    } else if (d.kind === 'shelve') {
      const ms = Number(f.get('duration'));
      await this.command(d.alarm, 'shelve', ms > 0 ? { durationMs: ms, reason } : { oneShot: true, reason }, 'Shelve');
    } else {
      await this.command(d.alarm, 'out-of-service', reason ? { reason } : {}, 'Out of service');
    }
  }

  private commands(a: AlarmView) {
    const s = a.state;
    const inService = 'ABCD'.includes(s);
    const b: unknown[] = [];
    const btn = (cmd: string, label: string, fn: () => void, primary = false, disabled = false) =>
      html`<button data-action=${cmd} class=${primary ? 'primary' : ''} ?disabled=${disabled} aria-label="${label} ${a.tag}" @click=${fn}>${label}</button>`;
    // Ack keeps its place (disabled once acknowledged) so the other commands never move
    // under the operator's finger when the alarm changes state
    if (can('alarms.ack')) b.push(btn('ack', 'Ack', () => this.ack([a.id]), true, !(s === 'B' || s === 'D')));
    if (can('alarms.ack') && a.latched && s === 'C' && !a.conditionActive) b.push(btn('reset', 'Reset', () => this.command(a, 'reset', {}, 'Reset')));
    if (can('alarms.shelve') && inService) b.push(btn('shelve', 'Shelve…', () => { this.dialog = { kind: 'shelve', alarm: a }; }));
    if (can('alarms.shelve') && s === 'E') b.push(btn('unshelve', 'Unshelve', () => this.command(a, 'unshelve', {}, 'Unshelve')));
    if (can('alarms.suppress') && (inService || s === 'E') && !a.suppressed?.manually) b.push(btn('suppress', 'Suppress', () => this.command(a, 'suppress', {}, 'Suppress')));
    if (can('alarms.suppress') && a.suppressed?.manually) b.push(btn('unsuppress', 'Lift suppression', () => this.command(a, 'unsuppress', {}, 'Lift suppression')));
    if (can('alarms.out_of_service') && s !== 'G') b.push(btn('out-of-service', 'Out of service…', () => { this.dialog = { kind: 'out-of-service', alarm: a }; }));
    if (can('alarms.out_of_service') && s === 'G') b.push(btn('return-to-service', 'Return to service', () => this.command(a, 'return-to-service', {}, 'Return to service')));
    if (can('alarms.configure') && a.limits) b.push(btn('limits', 'Limits…', () => { this.dialog = { kind: 'limits', alarm: a }; }));
    return html`<div class="toolbar">${b}</div>`;
  }

  private toggleOpen(id: string): void {
    const o = new Set(this.open);
    if (o.has(id)) o.delete(id); else o.add(id);
    this.open = o;
  }

  private renderActive() {
    const mayAck = can('alarms.ack');
    const unack = this.alarms.filter((a) => a.state === 'B' || a.state === 'D');
    const sel = [...this.selected];
    return html`
      <div class="toolbar">
        <label for="alarm-show">Show</label>
        <select id="alarm-show" @change=${(e: Event) => { this.show = (e.target as HTMLSelectElement).value as Show; void this.refresh(); }}>
          <option value="attention" ?selected=${this.show === 'attention'}>Alarms not normal</option><option value="all" ?selected=${this.show === 'all'}>All configured alarms</option></select>
        ${mayAck ? html`<button data-action="ack-selected" ?disabled=${!sel.length} @click=${() => this.ack(sel)}>Acknowledge selected (${sel.length})</button>
          <button data-action="ack-all" ?disabled=${!unack.length} @click=${() => this.ack(unack.map((a) => a.id))}>Acknowledge all shown (${unack.length})</button>` : ''}
      </div>
      ${!this.alarms.length ? html`<div class="empty">No alarms need attention.</div>` : html`
      <div class="scroll"><table data-testid="alarm-table"><thead><tr>${mayAck ? html`<th class="hide-s"><span class="sr-only">select</span></th>` : ''}<th>Priority</th><th>State</th><th class="hide-m">Since</th><th>Alarm</th><th>Value</th><th>Limit</th><th>Commands</th></tr></thead>
      <tbody>${repeat(this.alarms, (a) => a.id, (a) => {
        const unacked = a.state === 'B' || a.state === 'D';
        const isOpen = this.open.has(a.id);
        return html`<tr class=${unacked ? 'unack' : ''} data-alarm=${a.id} data-state=${a.state}>
        ${mayAck ? html`<td class="hide-s"><input type="checkbox" aria-label="select ${a.tag}" .checked=${this.selected.has(a.id)} ?disabled=${!unacked}
          @change=${(e: Event) => { const s = new Set(this.selected); if ((e.target as HTMLInputElement).checked) s.add(a.id); else s.delete(a.id); this.selected = s; }} /></td>` : ''}
        <td><span class="prio">${priorityIcon(a.priority)}${a.priority}</span></td>
        <td class="state" data-testid="alarm-state">${stateName(a.state)}${a.latched ? ' (latched)' : ''}
          ${a.state === 'E' && a.shelve ? html`<span class="expiry" data-testid="shelve-expiry">${a.shelve.oneShot ? 'until it clears' : a.shelve.until ? `until ${fmtDateTime(a.shelve.until)} (${fmtDuration(a.shelve.until - Date.now())} left)` : ''} · by ${a.shelve.user}</span>` : ''}
          ${a.state === 'G' && a.outOfService ? html`<span class="expiry">by ${a.outOfService.user}${a.outOfService.reason ? `: ${a.outOfService.reason}` : ''}</span>` : ''}</td>
        <td class="since hide-m">${fmtDateTime(a.since)}</td>
        <td class="tag"><span class="msg">${a.message}</span><span class="muted">${tagPath(a.tag)}</span>
          <button class="link" aria-expanded=${String(isOpen)} data-action="details" @click=${() => this.toggleOpen(a.id)}>${isOpen ? 'Hide' : 'Consequence & action'}</button></td>
        <td class="num" data-label="Value">${formatWithUnit(a.value, this.metas.get(a.tag))}</td><td class="num" data-label="Limit">${limitText(a, this.metas.get(a.tag))}</td>
        <td class="cmds">${this.commands(a)}</td></tr>
        ${isOpen ? html`<tr class="detail"><td colspan="8"><dl data-testid="alarm-detail">
          <dt>Consequence</dt><dd>${a.consequence || 'not documented'}</dd>
          <dt>Corrective action</dt><dd>${a.correctiveAction || 'not documented'}</dd>
          <dt>Type</dt><dd>${a.type}</dd><dt>Since</dt><dd>${fmtDateTime(a.since)}</dd></dl></td></tr>` : ''}`;
      })}</tbody></table></div>`}`;
  }

  private renderDialog() {
    const d = this.dialog;
    if (!d) return '';
    if (d.kind === 'limits') {
      const fields = LIMIT_LABELS.filter(([k]) => d.alarm.limits[k] !== undefined);
      return html`<dialog class="cmd" data-testid="limits-dialog" aria-labelledby="cmd-title" @cancel=${() => { this.dialog = null; }}>
        <form @submit=${this.submitDialog}>
          <h2 id="cmd-title">Limits: ${d.alarm.message || d.alarm.tag}</h2>
          <p class="muted">${d.alarm.type} on ${d.alarm.tag}. The change is signed, recorded in the audit trail and deployed into the flow node that defines the alarm.</p>
          <div class="limits">${fields.map(([k, label]) => html`<label for="lim-${k}">${limitLabel(k, label, unitOf(this.metas.get(d.alarm.tag)))}</label>
            <input id="lim-${k}" name=${k} type="number" step="any" required .value=${String(d.alarm.limits[k])} min=${k === 'setpoint' ? nothing : 0} />`)}</div>
          <div class="toolbar"><span class="spacer"></span><button type="button" @click=${() => { this.dialog = null; }}>Cancel</button><button type="submit" class="primary">Change limits</button></div>
        </form></dialog>`;
    }
    const shelve = d.kind === 'shelve';
    return html`<dialog class="cmd" data-testid=${shelve ? 'shelve-dialog' : 'oos-dialog'} aria-labelledby="cmd-title" @cancel=${() => { this.dialog = null; }}>
      <form @submit=${this.submitDialog}>
        <h2 id="cmd-title">${shelve ? 'Shelve' : 'Take out of service'}: ${d.alarm.message || d.alarm.tag}</h2>
        <p class="muted">${d.alarm.tag}</p>
        ${shelve ? html`<label for="cmd-duration">Duration</label><select id="cmd-duration" name="duration">${DURATIONS.map(([l, v]) => html`<option value=${v}>${l}</option>`)}</select>` : ''}
        <label for="cmd-reason">Reason${shelve ? '' : ' (optional)'}</label>
        <input id="cmd-reason" name="reason" ?required=${shelve} maxlength="2000" />
        <div class="toolbar"><span class="spacer"></span><button type="button" @click=${() => { this.dialog = null; }}>Cancel</button><button type="submit" class="primary">${shelve ? 'Shelve' : 'Out of service'}</button></div>
      </form></dialog>`;
  }

  render() {
    const tabs: Array<[Tab, string]> = [['active', 'Alarms'], ['journal', 'Journal'], ['kpi', 'KPIs']];
    return html`
      <div class="tabs" role="tablist">${tabs.map(([t, l]) => html`<button role="tab" aria-selected=${String(this.tab === t)} data-tab=${t} @click=${() => this.setTab(t)}>${l}</button>`)}</div>
      ${this.info ? html`<div class="muted" role="status" data-testid="alarm-info">${this.info}</div>` : ''}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.absent ? html`<div class="empty" data-testid="alarms-absent">Alarm management is not available on this server yet.</div>`
        : this.tab === 'active' ? this.renderActive() : this.tab === 'journal' ? html`<historian-alarm-journal></historian-alarm-journal>` : html`<historian-alarm-kpi></historian-alarm-kpi>`}
      ${this.renderDialog()}`;
  }
}

customElements.define('historian-alarm-console', AlarmConsole);

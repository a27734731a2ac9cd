// <historian-alarm-banner>: on every view, the active unacknowledged alarms (state B)
// counted by priority, the newest one, and a link to the console. The browser title
// carries the count so a background tab still shows it. Optional audible annunciation
// (a per-user preference, off by default) sounds when a new unacknowledged alarm arrives.
import { LitElement, html, css } from 'lit';
import { get, ApiError } from '../api';
import { live } from '../live-client';
import { base } from '../styles';
import { PRIORITIES, PRIORITY_RANK, priorityIcon } from './chips';
import { preferences, setPreference, onPreferences } from '../lib/preferences';
import { fmtClock } from '../lib/format';

export interface BannerAlarm { id: string; tag: string; priority: string; state: string; since: number; message: string }

const TITLE = 'Historian';

export class AlarmBanner extends LitElement {
  static properties = { alarms: { state: true }, returned: { state: true }, absent: { state: true }, audible: { state: true } };
  declare alarms: BannerAlarm[];
  /** alarms back to normal but not yet acknowledged (state D): not counted, but said */
  declare returned: number;
  declare absent: boolean;
  declare audible: boolean;
  private offs: Array<() => void> = [];
  private timer: number | undefined;
  private known = new Set<string>();
  private first = true;
  private audio: AudioContext | null = null;

  constructor() { super(); this.alarms = []; this.returned = 0; this.absent = false; this.audible = false; }

  static styles = [base, css`
    :host { display: block; }
    .bar { display: flex; align-items: center; gap: 10px; padding: 3px 12px; background: var(--panel); border-bottom: 1px solid var(--border); font-size: 13px; min-height: 30px; flex-wrap: wrap; }
    .bar.active { background: var(--panel-2); border-bottom: 2px solid var(--prio-urgent); }
    .counts { display: flex; gap: 8px; align-items: center; color: var(--fg); text-decoration: none; }
    .count { display: inline-flex; gap: 3px; align-items: center; font-weight: 700; font-variant-numeric: tabular-nums; }
    .count.zero { opacity: 0.55; font-weight: 400; }
    .newest { flex: 1; min-width: 0; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; color: var(--fg); text-decoration: none; }
    .newest:hover { text-decoration: underline; }
    .ok { color: var(--muted); flex: 1; }
    button { min-height: 24px; padding: 1px 8px; font-size: 12px; }
    @media (max-width: 600px) { .newest { flex-basis: 100%; order: 3; } }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.audible = preferences().audible;
    void this.refresh();
    this.offs.push(live.onAlarm(() => { void this.refresh(); }));
    this.offs.push(onPreferences((p) => { this.audible = p.audible; }));
    this.timer = window.setInterval(() => { void this.refresh(); }, 5000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const o of this.offs) o();
    this.offs = [];
    window.clearInterval(this.timer);
    document.title = TITLE;
  }

  private async refresh(): Promise<void> {
    try {
      const r = await get<{ alarms: BannerAlarm[] }>('/alarms?state=B,D');
      const list = (r.alarms ?? []).filter((a) => a.state === 'B');
      this.returned = (r.alarms ?? []).filter((a) => a.state === 'D').length;
      const fresh = list.filter((a) => !this.known.has(`${a.id}@${a.since}`));
      this.known = new Set(list.map((a) => `${a.id}@${a.since}`));
      if (!this.first && fresh.length && this.audible) this.beep(Math.min(...fresh.map((a) => PRIORITY_RANK[a.priority] ?? 4)));
      this.first = false;
      this.alarms = list;
      this.absent = false;
    } catch (e) {
      if (e instanceof ApiError && (e.status === 404 || e.status === 403)) this.absent = true;
    }
    document.title = this.alarms.length ? `(${this.alarms.length}) ${TITLE} – ${this.alarms.length} unacknowledged alarm${this.alarms.length > 1 ? 's' : ''}` : TITLE;
  }

  /** A short tone: higher and repeated for more urgent alarms. */
  private beep(rank: number): void {
    try {
      this.audio ??= new AudioContext();
      const ctx = this.audio;
      const n = Math.max(1, 4 - rank);
      for (let i = 0; i < n; i++) {
        const o = ctx.createOscillator();
        const g = ctx.createGain();
        o.frequency.value = 1100 - rank * 150;
        g.gain.value = 0.08;
        o.connect(g).connect(ctx.destination);
        const t = ctx.currentTime + i * 0.25;
        o.start(t); o.stop(t + 0.15);
      }
      (window as any).__historianBeeps = ((window as any).__historianBeeps ?? 0) + 1;
    } catch { /* no audio device: the banner still shows the alarm */ }
  }

  private toggleAudible(): void {
    const next = !this.audible;
    // created on a click, so the browser lets it play later
    if (next) this.audio ??= new AudioContext();
    setPreference('audible', next);
  }

  render() {
    if (this.absent) return html``;
    const by = new Map<string, number>();
    for (const a of this.alarms) by.set(a.priority, (by.get(a.priority) ?? 0) + 1);
    const newest = this.alarms.reduce<BannerAlarm | null>((n, a) => (!n || a.since > n.since ? a : n), null);
    const total = this.alarms.length;
    return html`<div class="bar ${total ? 'active' : ''}" role="region" aria-label="alarm banner" data-testid="alarm-banner">
      <a class="counts" href="#/alarms" data-testid="banner-counts"><span class="sr-only">Unacknowledged alarms by priority (urgent, high, medium, low), open the alarm console:</span>
        ${PRIORITIES.map((p) => html`<span class="count ${by.get(p) ? '' : 'zero'}" data-priority=${p} title="${p}">${priorityIcon(p)}<span>${by.get(p) ?? 0}</span></span>`)}
      </a>
      ${newest
        ? html`<a class="newest" href="#/alarms" data-testid="banner-newest">${fmtClock(newest.since)} · ${newest.message || newest.tag} <span class="muted">(${newest.tag})</span></a>`
        : html`<span class="ok" data-testid="banner-ok">No active unacknowledged alarms${this.returned
          ? html` · <a href="#/alarms" data-testid="banner-returned">${this.returned} returned, unacknowledged</a>` : ''}</span>`}
      <button aria-pressed=${String(this.audible)} data-action="audible" title="Sound a tone when a new alarm arrives (this user, this browser)"
        @click=${this.toggleAudible}>${this.audible ? 'Sound: on' : 'Sound: off'}</button>
    </div>`;
  }
}

customElements.define('historian-alarm-banner', AlarmBanner);

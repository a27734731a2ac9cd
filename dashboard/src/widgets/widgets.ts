// Layout widgets: value card, gauge/bar, alarm list, text (safe Markdown), image; the
// trend widget is <historian-trend compact>. Each live widget listens to its own tag.
import { LitElement, html, css, svg } from 'lit';
import { get, qs } from '../api';
import type { AlarmList, AlarmSummary, TagDetail } from '../../../runtime/server/api/contract';
import { live, type LiveSample } from '../live-client';
import { base } from '../styles';
import { renderMarkdown } from '../lib/markdown';
import '../components/chips';
import { formatValue, qualityLevel, qualityLabel, qualityText, fmtClock, type TagInfo } from '../lib/format';

abstract class TagWidget extends LitElement {
  static properties = { tag: { type: String }, sample: { state: true }, unit: { state: true }, meta: { state: true } };
  declare tag: string;
  declare sample: LiveSample | null;
  declare unit: string;
  declare meta: TagInfo | undefined;
  private off: (() => void) | null = null;
  private bound = '';

  constructor() { super(); this.tag = ''; this.sample = null; this.unit = ''; }

  protected updated(): void {
    if (this.tag === this.bound) return;
    this.off?.();
    this.bound = this.tag;
    this.sample = null;
    if (!this.tag) return;
    this.off = live.on(this.tag, (s) => { const last = s[s.length - 1]; this.sample = { ...last, quality: qualityText(last.quality) }; });
    // the tag API may give quality as its stored number: normalise it to the name
    void get<TagDetail>(`/tags/${encodeURIComponent(this.tag)}`).then((m) => {
      this.unit = m.unit ?? '';
      this.meta = m;
      if (!this.sample && m.latest) this.sample = { tag: this.tag, ...m.latest, quality: qualityText(m.latest.quality) };
    }).catch(() => undefined);
  }

  disconnectedCallback(): void { super.disconnectedCallback(); this.off?.(); this.bound = ''; }

  protected qualityClass(): string {
    if (!this.sample) return 'bad';
    const q = qualityLevel(this.sample.quality);
    return q === 'BAD' ? 'bad' : q === 'UNCERTAIN' ? 'uncertain' : '';
  }
}

export class ValueCard extends TagWidget {
  static properties = { ...TagWidget.properties, decimals: { type: Number } };
  declare decimals: number | undefined;
  static styles = [base, css`
    :host { display: flex; flex-direction: column; justify-content: center; height: 100%; padding: 4px 8px; box-sizing: border-box; }
    .v { font-size: 28px; font-variant-numeric: tabular-nums; }
    .u { color: var(--muted); font-size: 14px; margin-left: 4px; }
    .q { font-size: 12px; }
    .q.bad { color: var(--bad-fg); }
  `];
  render() {
    const s = this.sample;
    const v = s ? (this.decimals !== undefined ? s.value.toFixed(this.decimals) : formatValue(s.value, this.meta)) : '—';
    return html`<div class="v" data-testid="value">${v}<span class="u">${this.unit}</span></div>
      <div class="q ${this.qualityClass()}">${s ? `${qualityLabel(s.quality)} · ${fmtClock(s.ts)}` : 'no value'}</div>`;
  }
}

export class GaugeWidget extends TagWidget {
  static properties = { ...TagWidget.properties, min: { type: Number }, max: { type: Number }, kind: { type: String } };
  declare min: number;
  declare max: number;
  declare kind: 'gauge' | 'bar';
  constructor() { super(); this.min = 0; this.max = 100; this.kind = 'bar'; }
  static styles = [base, css`:host { display: block; height: 100%; } svg { width: 100%; height: 100%; } text { font: 12px system-ui; fill: var(--fg); } text.big { font-size: 18px; }
    .track { fill: none; stroke: var(--gauge-track); } rect.track { fill: var(--gauge-track); stroke: var(--gauge-edge); }
    /* the bar stretches to its cell; its labels are text, so they stay undistorted at any cell shape */
    .barw { display: flex; flex-direction: column; justify-content: center; gap: 6px; height: 100%; padding: 0 8px; box-sizing: border-box; }
    .barw svg { height: 28px; }
    .scale { display: flex; justify-content: space-between; align-items: baseline; gap: 8px; font-size: 12px; font-variant-numeric: tabular-nums; }
    .scale .v { font-size: 18px; }`];
  render() {
    const v = this.sample?.value;
    const f = v === undefined ? 0 : Math.max(0, Math.min(1, (v - this.min) / (this.max - this.min)));
    const bad = this.qualityClass() === 'bad';
    const fill = bad ? 'var(--bad-fg)' : 'var(--normal-line)';
    const label = `${v === undefined ? '—' : formatValue(v, this.meta)} ${this.unit}`;
    if (this.kind === 'bar') {
      return html`<div class="barw" data-testid="gauge">
        <svg viewBox="0 0 200 22" preserveAspectRatio="none" aria-hidden="true">${svg`
          <rect class="track" x="0" y="0" width="200" height="22" vector-effect="non-scaling-stroke"/>
          <rect x="0" y="0" width=${200 * f} height="22" fill=${fill}/>`}</svg>
        <div class="scale"><span>${this.min}</span><span class="v">${label}</span><span>${this.max}</span></div>
      </div>`;
    }
    const a = Math.PI * (1 - f);
    return html`<svg viewBox="0 0 200 120" data-testid="gauge">${svg`
      <path class="track" d="M20 100 A80 80 0 0 1 180 100" stroke-width="16"/>
      <path d="M20 100 A80 80 0 0 1 ${100 + 80 * Math.cos(a)} ${100 - 80 * Math.sin(a)}" fill="none" stroke=${fill} stroke-width="16"/>
      <text x="100" y="95" text-anchor="middle" class="big">${label}</text>
      <text x="20" y="116" text-anchor="middle">${this.min}</text><text x="180" y="116" text-anchor="middle">${this.max}</text>`}</svg>`;
  }
}

export class AlarmListWidget extends LitElement {
  static properties = { area: { type: String }, max: { type: Number }, alarms: { state: true }, absent: { state: true } };
  declare area: string;
  declare max: number;
  declare alarms: AlarmSummary[];
  declare absent: boolean;
  private timer: number | undefined;
  constructor() { super(); this.area = '>'; this.max = 10; this.alarms = []; this.absent = false; }
  // one row per alarm that wraps inside a narrow tile: the message leads, its state, the tag
  // (shortened) and the time under it; a click opens the alarm console
  static styles = [base, css`
    :host { display: block; overflow: auto; height: 100%; font-size: 12px; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: grid; grid-template-columns: auto minmax(0, 1fr); gap: 2px 6px; align-items: start; padding: 3px 4px; border-bottom: 1px solid var(--rule); }
    a { color: inherit; text-decoration: none; overflow-wrap: anywhere; }
    a:hover b, a:focus b { text-decoration: underline; }
    .where { display: block; color: var(--muted); }
    li.unack .state { font-weight: 600; color: var(--fg); }
  `];
  connectedCallback(): void { super.connectedCallback(); void this.load(); this.timer = window.setInterval(() => this.load(), 5000); }
  disconnectedCallback(): void { super.disconnectedCallback(); window.clearInterval(this.timer); }
  private async load(): Promise<void> {
    try {
      const r = await get<AlarmList>(`/alarms${qs({ area: this.area === '>' ? undefined : this.area })}`);
      this.alarms = r.alarms.slice(0, this.max);
      this.absent = false;
    } catch { this.absent = true; }
  }
  render() {
    if (this.absent) return html`<div class="muted">Alarms not available.</div>`;
    if (!this.alarms.length) return html`<div class="muted">No active alarms.</div>`;
    return html`<ul data-testid="alarm-list">${this.alarms.map((a) => html`<li data-alarm=${a.id} class=${a.acknowledged ? '' : 'unack'}>
      <historian-priority-chip priority=${a.priority}></historian-priority-chip>
      <a href="#/alarms" title=${a.tag}><b>${a.message || a.tag}</b>
        <span class="where"><span class="state">${a.stateName ?? a.state}</span> · ${a.tag.split('.').slice(-3).join('.')} · ${fmtClock(a.activeSince ?? a.since)}</span></a></li>`)}</ul>`;
  }
}

export class TextWidget extends LitElement {
  static properties = { markdown: { type: String }, label: { type: String } };
  declare markdown: string;
  /** the widget's title: names the text as a region where it scrolls */
  declare label: string | undefined;
  private resize?: ResizeObserver;
  constructor() { super(); this.markdown = ''; }
  static styles = [base, css`:host { display: block; overflow: auto; height: 100%; padding: 0 8px; } h3, h4 { margin: 6px 0; }`];
  connectedCallback(): void {
    super.connectedCallback();
    this.resize = new ResizeObserver(() => this.markScrolling());
    this.resize.observe(this);
  }
  disconnectedCallback(): void { super.disconnectedCallback(); this.resize?.disconnect(); }
  updated(): void { this.markScrolling(); }
  /** Text that overflows its card scrolls: keyboard users must reach it too (it gets a tab stop and a name only then). */
  private markScrolling(): void {
    const scrolls = this.scrollHeight > this.clientHeight + 1 || this.scrollWidth > this.clientWidth + 1;
    if (scrolls) {
      this.tabIndex = 0;
      this.setAttribute('role', 'region');
      this.setAttribute('aria-label', this.label?.trim() || 'text');
    } else {
      this.removeAttribute('tabindex');
      this.removeAttribute('role');
      this.removeAttribute('aria-label');
    }
  }
  render() { return html`<div data-testid="markdown">${renderMarkdown(this.markdown)}</div>`; }
}

customElements.define('historian-value-card', ValueCard);
customElements.define('historian-gauge', GaugeWidget);
customElements.define('historian-alarm-list', AlarmListWidget);
customElements.define('historian-text', TextWidget);

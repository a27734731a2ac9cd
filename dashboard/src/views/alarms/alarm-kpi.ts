// Alarm-system KPIs (ISA-18.2 / EEMUA 191) over a chosen range: rate and EEMUA's reading
// of it, flood, top offenders, chattering and stale alarms by name, priority mix, with a
// labelled chart of alarms per 10 minutes (y axis = count, flood threshold drawn, x axis =
// time) drawn at the width it is shown, so its text is never stretched.
import { LitElement, html, svg, css } from 'lit';
import { get, qs, errorText } from '../../api';
import type { AlarmKpiView } from '../../../../runtime/server/api/contract';
import { base } from '../../styles';
import { fmtDateTime, HOUR } from '../../lib/format';
import { rangeBounds, type TimeRange } from '../../lib/ranges';
import { tagPath } from '../../components/tag-path';
import '../../components/time-range';

const FLOOD = 10;

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / p) * p;
}

export class AlarmKpi extends LitElement {
  static properties = { kpi: { state: true }, error: { state: true }, range: { state: true }, width: { state: true } };
  declare kpi: AlarmKpiView | null;
  declare error: string;
  declare range: TimeRange;
  /** the chart's width in CSS pixels, as laid out */
  declare width: number;
  private resize: ResizeObserver | null = null;
  constructor() { super(); this.kpi = null; this.error = ''; this.range = { preset: '24h' }; this.width = 800; }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
    .kpis .panel b { display: block; font-size: 20px; }
    figure { margin: 0; }
    figcaption { font-weight: 600; margin-bottom: 4px; }
    svg.chart { display: block; width: 100%; height: 200px; background: var(--panel); border: 1px solid var(--border); box-sizing: border-box; }
    svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
    h3 { font-size: 14px; margin: 8px 0 4px; }
    td.tag { overflow-wrap: anywhere; }
    p.none { margin: 0; }
    .id { display: block; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    this.resize = new ResizeObserver((entries) => {
      const w = Math.round(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && w !== this.width) this.width = w;
    });
  }

  disconnectedCallback(): void { super.disconnectedCallback(); this.resize?.disconnect(); }

  updated(): void {
    const fig = this.renderRoot.querySelector('figure');
    if (fig) this.resize?.observe(fig);
  }

  private async load(): Promise<void> {
    const { from, to } = rangeBounds(this.range);
    try { this.kpi = await get<AlarmKpiView>(`/alarms/kpi${qs({ from, to })}`); this.error = ''; } catch (e) { this.error = errorText(e); }
  }

  private chart(periods: Array<{ start: number; count: number }>, from: number, to: number) {
    const W = Math.max(200, this.width); const H = 200; const L = 44; const B = 28; const T = 10; const R = 10;
    const max = niceMax(Math.max(FLOOD + 2, ...periods.map((p) => p.count)));
    const x = (t: number) => L + ((t - from) / Math.max(1, to - from)) * (W - L - R);
    const y = (c: number) => H - B - (c / max) * (H - B - T);
    const bw = Math.max(1, ((10 * 60_000) / Math.max(1, to - from)) * (W - L - R) - 1);
    const ticks = [0, max / 2, max];
    // a label is ~70 px wide: five on a desktop, three on a phone
    const fractions = W >= 480 ? [0, 0.25, 0.5, 0.75, 1] : [0, 0.5, 1];
    const xt = fractions.map((f) => from + f * (to - from));
    const span = to - from;
    const lbl = (t: number) => new Date(t).toLocaleString(undefined, span > 2 * 86_400_000 ? { month: 'short', day: 'numeric' } : { hour: HOUR, minute: '2-digit' });
    return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="alarms per 10 minutes; flood above ${FLOOD}">${svg`
      ${ticks.map((c) => svg`<line x1=${L} x2=${W - R} y1=${y(c)} y2=${y(c)} stroke="var(--rule)"/><text x=${L - 4} y=${y(c) + 4} text-anchor="end">${c}</text>`)}
      <line x1=${L} x2=${W - R} y1=${y(FLOOD)} y2=${y(FLOOD)} stroke="var(--prio-urgent)" stroke-dasharray="5 4"/>
      <text x=${W - R} y=${y(FLOOD) - 3} text-anchor="end">flood (&gt; ${FLOOD} / 10 min)</text>
      ${periods.map((p) => svg`<rect x=${x(p.start)} y=${y(p.count)} width=${bw} height=${Math.max(0, H - B - y(p.count))} fill=${p.count > FLOOD ? 'var(--prio-urgent)' : 'var(--normal-line)'}><title>${fmtDateTime(p.start)}: ${p.count}</title></rect>`)}
      ${xt.map((t, i) => svg`<text x=${x(t)} y=${H - 8} text-anchor=${i === 0 ? 'start' : i === xt.length - 1 ? 'end' : 'middle'}>${lbl(t)}</text>`)}
      <text x="10" y=${T + 4} transform="rotate(-90 10 ${T + 4})" text-anchor="end">alarms</text>`}</svg>`;
  }

  render() {
    const k = this.kpi;
    const { from, to } = rangeBounds(this.range);
    const card = (label: string, v: unknown, note = '') => html`<div class="panel"><span class="muted">${label}</span><b>${v}</b><span class="muted">${note}</span></div>`;
    return html`
      <historian-time-range .range=${this.range} .presets=${['1h', '8h', '24h', '7d', '30d']}
        @range-change=${(e: CustomEvent<TimeRange>) => { this.range = e.detail; void this.load(); }}></historian-time-range>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${!k ? html`<div class="empty">No KPI data.</div>` : html`
      <div class="kpis" data-testid="kpi-panel">
        ${card('Alarms in range', k.alarms)}
        ${card('Average per 10 min', Number(k.averagePer10Min ?? 0).toFixed(2), `target ≤ 1 · ${k.load}`)}
        ${card('Peak in 10 min', k.peak10Min)}
        ${card('Time in flood', `${Number(k.floodPercent ?? 0).toFixed(1)} %`, 'target < 1 %')}
        ${card('Top-10 share', `${Number(k.top10Share ?? 0).toFixed(1)} %`)}
        ${card('Chattering', (k.chattering ?? []).length, '≥ 3 alarms in 1 min')}
        ${card('Stale (> 24 h)', (k.stale ?? []).length)}
        ${card('Shelved / out of service', `${k.shelved ?? 0} / ${k.outOfService ?? 0}`)}
        ${card('Priority low+med / high / urgent', k.priority ? `${k.priority.percent.lowMedium.toFixed(0)} / ${k.priority.percent.high.toFixed(0)} / ${k.priority.percent.urgent.toFixed(0)} %` : '—', 'target 80 / 15 / 5')}
      </div>
      <figure data-testid="kpi-chart"><figcaption>Alarms per 10 minutes</figcaption>${this.chart(k.periods ?? [], from, to)}</figure>
      ${this.list('Top offenders', 'kpi-top', k.top10 ?? [], ['Count', 'Share'], (t) => [String(t.count), `${t.share.toFixed(1)} %`])}
      ${this.list('Chattering', 'kpi-chattering', k.chattering ?? [], ['Most in 1 min'], (t) => [String(t.maxPerMinute)])}
      ${this.list('Stale (in alarm for more than 24 h)', 'kpi-stale', k.stale ?? [], ['Since', 'For'], (t) => [fmtDateTime(t.activeSince), `${(t.ageMs / 3_600_000).toFixed(1)} h`])}`}`;
  }

  /** A table of alarms named by their message (their id below it), with columns of figures. */
  private list<T extends { alarmId: string; tag: string; message: string | null }>(title: string, testid: string, rows: T[], heads: string[], cells: (r: T) => string[]) {
    return html`<h3>${title}</h3>
      ${rows.length ? html`<table class="cards" data-testid=${testid}><thead><tr><th>Alarm</th><th>Tag</th>${heads.map((h) => html`<th>${h}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>
        <td data-label="Alarm">${r.message ?? r.alarmId}${r.message ? html`<span class="id">${r.alarmId}</span>` : ''}</td>
        <td class="tag" data-label="Tag">${tagPath(r.tag)}</td>
        ${cells(r).map((c, i) => html`<td data-label=${heads[i]}>${c}</td>`)}</tr>`)}</tbody></table>` : html`<p class="muted none">None in this range.</p>`}`;
  }
}

customElements.define('historian-alarm-kpi', AlarmKpi);

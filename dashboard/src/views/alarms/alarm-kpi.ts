// Alarm-system KPIs (ISA-18.2 / EEMUA 191) over a chosen range: rate, flood, top
// offenders, priority mix, with a labelled chart of alarms per 10 minutes (y axis =
// count, flood threshold drawn, x axis = time).
import { LitElement, html, svg, css } from 'lit';
import { get, qs, errorText } from '../../api';
import type { AlarmKpiView } from '../../../../runtime/server/api/contract';
import { base } from '../../styles';
import { rangeBounds, type TimeRange } from '../../lib/ranges';
import '../../components/time-range';

const FLOOD = 10;

function niceMax(n: number): number {
  if (n <= 5) return 5;
  const p = 10 ** Math.floor(Math.log10(n));
  return Math.ceil(n / p) * p;
}

export class AlarmKpi extends LitElement {
  static properties = { kpi: { state: true }, error: { state: true }, range: { state: true } };
  declare kpi: AlarmKpiView | null;
  declare error: string;
  declare range: TimeRange;
  constructor() { super(); this.kpi = null; this.error = ''; this.range = { preset: '24h' }; }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    .kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
    .kpis .panel b { display: block; font-size: 20px; }
    figure { margin: 0; }
    figcaption { font-weight: 600; margin-bottom: 4px; }
    svg.chart { width: 100%; height: 200px; background: var(--panel); border: 1px solid var(--border); }
    svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
    h3 { font-size: 14px; margin: 8px 0 4px; }
  `];

  connectedCallback(): void { super.connectedCallback(); void this.load(); }

  private async load(): Promise<void> {
    const { from, to } = rangeBounds(this.range);
    try { this.kpi = await get<AlarmKpiView>(`/alarms/kpi${qs({ from, to })}`); this.error = ''; } catch (e) { this.error = errorText(e); }
  }

  private chart(periods: Array<{ start: number; count: number }>, from: number, to: number) {
    const W = 800; const H = 200; const L = 44; const B = 28; const T = 10; const R = 10;
    const max = niceMax(Math.max(FLOOD + 2, ...periods.map((p) => p.count)));
    const x = (t: number) => L + ((t - from) / Math.max(1, to - from)) * (W - L - R);
    const y = (c: number) => H - B - (c / max) * (H - B - T);
    const bw = Math.max(1, ((10 * 60_000) / Math.max(1, to - from)) * (W - L - R) - 1);
    const ticks = [0, max / 2, max];
    const xt = [0, 0.25, 0.5, 0.75, 1].map((f) => from + f * (to - from));
    const span = to - from;
    const lbl = (t: number) => new Date(t).toLocaleString(undefined, span > 2 * 86_400_000 ? { month: 'short', day: 'numeric' } : { hour: '2-digit', minute: '2-digit' });
    return html`<svg class="chart" viewBox="0 0 ${W} ${H}" preserveAspectRatio="none" role="img" aria-label="alarms per 10 minutes; flood above ${FLOOD}">${svg`
      ${ticks.map((c) => svg`<line x1=${L} x2=${W - R} y1=${y(c)} y2=${y(c)} stroke="var(--rule)"/><text x=${L - 4} y=${y(c) + 4} text-anchor="end">${c}</text>`)}
      <line x1=${L} x2=${W - R} y1=${y(FLOOD)} y2=${y(FLOOD)} stroke="var(--prio-urgent)" stroke-dasharray="5 4"/>
      <text x=${W - R} y=${y(FLOOD) - 3} text-anchor="end">flood (&gt; ${FLOOD} / 10 min)</text>
      ${periods.map((p) => svg`<rect x=${x(p.start)} y=${y(p.count)} width=${bw} height=${Math.max(0, H - B - y(p.count))} fill=${p.count > FLOOD ? 'var(--prio-urgent)' : 'var(--normal-line)'}><title>${new Date(p.start).toLocaleString()}: ${p.count}</title></rect>`)}
      ${xt.map((t, i) => svg`<text x=${x(t)} y=${H - 8} text-anchor=${i === 0 ? 'start' : i === 4 ? 'end' : 'middle'}>${lbl(t)}</text>`)}
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
        ${card('Average per 10 min', Number(k.averagePer10Min ?? 0).toFixed(2), 'target ≤ 1')}
        ${card('Peak in 10 min', k.peak10Min)}
        ${card('Time in flood', `${Number(k.floodPercent ?? 0).toFixed(1)} %`, 'target < 1 %')}
        ${card('Top-10 share', `${Number(k.top10Share ?? 0).toFixed(1)} %`)}
        ${card('Chattering', (k.chattering ?? []).length)}
        ${card('Stale (> 24 h)', (k.stale ?? []).length)}
        ${card('Shelved / out of service', `${k.shelved ?? 0} / ${k.outOfService ?? 0}`)}
        ${card('Priority low+med / high / urgent', k.priority ? `${k.priority.percent.lowMedium.toFixed(0)} / ${k.priority.percent.high.toFixed(0)} / ${k.priority.percent.urgent.toFixed(0)} %` : '—', 'target 80 / 15 / 5')}
      </div>
      <figure data-testid="kpi-chart"><figcaption>Alarms per 10 minutes</figcaption>${this.chart(k.periods ?? [], from, to)}</figure>
      <h3>Top offenders</h3>
      ${(k.top10 ?? []).length ? html`<table><thead><tr><th>Alarm</th><th>Tag</th><th>Count</th><th>Share</th></tr></thead><tbody>${k.top10.map((t) => html`<tr><td>${t.alarmId}</td><td>${t.tag}</td><td>${t.count}</td><td>${t.share.toFixed(1)} %</td></tr>`)}</tbody></table>` : html`<div class="empty">None.</div>`}`}`;
  }
}

customElements.define('historian-alarm-kpi', AlarmKpi);

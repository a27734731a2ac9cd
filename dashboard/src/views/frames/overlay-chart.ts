// <historian-frame-overlay>: several frames of one tag on a common axis of time since each
// frame's start (golden-batch comparison). The reference frame is drawn thick with its band
// (reference ± band) shaded; the other frames are thin pens in the trend's palette.
import { LitElement, html, css, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { base } from '../../styles';
import { penColor } from '../../trend/pens';
import { fmtValue } from '../../lib/format';
import { onThemeChange } from '../../lib/theme-watch';
import type { OverlayAnswer } from './frame-types';

/** Minutes since start, as the x axis shows them. */
const minutes = (ms: number) => ms / 60_000;

export class FrameOverlay extends LitElement {
  static properties = { data: { attribute: false }, height: { type: Number } };
  declare data: OverlayAnswer | null;
  declare height: number;
  private plot: uPlot | null = null;
  private resize: ResizeObserver | null = null;

  constructor() { super(); this.data = null; this.height = 320; }

  static styles = [base, unsafeCSS(uplotCss), css`
    :host { display: block; min-width: 0; }
    /* overflow hidden: the plot box follows its container (and the ResizeObserver redraws), not the canvas */
    .plot { background: var(--plot-bg); border: 1px solid var(--border); min-height: 120px; overflow: hidden; }
    .legend { display: flex; flex-wrap: wrap; gap: 4px 12px; font-size: 12px; margin-top: 4px; }
    .swatch { display: inline-block; width: 14px; height: 4px; vertical-align: middle; margin-right: 4px; }
  `];

  private offTheme: (() => void) | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    this.offTheme = onThemeChange(() => { this.draw(); this.requestUpdate(); });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offTheme?.();
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('data') || changed.has('height')) this.draw();
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.swatch[data-color]')) el.style.background = el.dataset.color!;
  }

  private draw(): void {
    this.plot?.destroy();
    this.plot = null;
    const el = this.renderRoot.querySelector<HTMLElement>('.plot');
    const d = this.data;
    if (!el || !d) return;
    const dark = document.documentElement.dataset.theme === 'dark';
    const cs = getComputedStyle(this);
    const axis = cs.getPropertyValue('--axis').trim() || '#444';
    const grid = cs.getPropertyValue('--grid').trim() || '#ddd';
    const bandFill = cs.getPropertyValue('--unc-bg').trim() || 'rgba(200,200,0,0.2)';
    // one x grid: bucket k of every frame is the same relative time; buckets finer than a
    // frame's sampling are empty, so lines span those gaps (a real gap is wider than one bucket)
    const n = Math.ceil(d.spanMs / d.bucketMs);
    const xs = Array.from({ length: n }, (_, k) => minutes(k * d.bucketMs));
    const column = (t: number[], v: number[]) => {
      const out: Array<number | null> = new Array(n).fill(null);
      t.forEach((tt, i) => { out[Math.round(tt / d.bucketMs)] = v[i]; });
      return out;
    };
    const data: Array<Array<number | null>> = [xs];
    const series: uPlot.Series[] = [{ label: 'min since start', value: (_u, v) => (v == null ? '' : `${v.toFixed(1)} min`) }];
    const bands: uPlot.Band[] = [];
    const ref = d.reference;
    if (ref) {
      if (ref.lo && ref.hi) {
        data.push(column(ref.t, ref.hi), column(ref.t, ref.lo));
        series.push({ label: 'band high', stroke: 'transparent', points: { show: false }, spanGaps: true }, { label: 'band low', stroke: 'transparent', points: { show: false }, spanGaps: true });
        bands.push({ series: [1, 2], fill: bandFill });
      }
      data.push(column(ref.t, ref.v));
      series.push({ label: `${ref.name} (reference)`, stroke: dark ? '#E4E4E4' : '#000', width: 3, points: { show: false }, spanGaps: true, value: (_u, v) => (v == null ? '' : fmtValue(v)) });
    }
    d.frames.forEach((f, i) => {
      if (ref && f.id === ref.id) return;
      data.push(column(f.t, f.v));
      series.push({ label: f.name, stroke: penColor(i, dark), width: 1.5, points: { show: false }, spanGaps: true, value: (_u, v) => (v == null ? '' : fmtValue(v)) });
    });
    const width = Math.max(280, el.clientWidth || 600);
    this.plot = new uPlot({
      width, height: this.height, series, bands, legend: { show: false }, cursor: { drag: { x: true, y: false } },
      scales: { x: { time: false } },
      axes: [
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: 'minutes since start', labelSize: 18, size: 40 },
        { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, label: `${d.tag.startsWith('*.') ? `${d.tag.slice(2)} (each frame's own)` : d.tag.split('.').slice(-2).join('.')}${d.unit ? `, ${d.unit}` : ''}`, labelSize: 18, size: 56 },
      ],
    }, data as uPlot.AlignedData, el);
    this.resize?.disconnect();
    this.resize = new ResizeObserver(() => { if (this.plot && el.clientWidth) this.plot.setSize({ width: el.clientWidth, height: this.height }); });
    this.resize.observe(el);
  }

  render() {
    const d = this.data;
    if (!d) return html`<div class="empty">Pick frames and a tag, then press Overlay.</div>`;
    const dark = document.documentElement.dataset.theme === 'dark';
    return html`
      <div class="plot" role="img" aria-label=${`Overlay of ${d.frames.length} frames of ${d.tag.startsWith('*.') ? `each frame's own ${d.tag.slice(2)}` : d.tag}${d.unit ? ` (${d.unit})` : ''} on time since start`}></div>
      <div class="legend" data-testid="overlay-legend">
        ${d.reference ? html`<span><span class="swatch" data-color=${dark ? '#E4E4E4' : '#000'}></span>${d.reference.name} (reference${d.reference.lo ? ', band shaded' : ''})</span>` : ''}
        ${d.frames.filter((f) => !d.reference || f.id !== d.reference.id).map((f, i) => html`<span><span class="swatch" data-color=${penColor(d.frames.indexOf(f) >= 0 ? d.frames.indexOf(f) : i, dark)}></span>${f.name}${
          f.maxDeviation != null ? html` <span class="muted">max dev ${fmtValue(f.maxDeviation)}${d.unit ? ` ${d.unit}` : ''}</span>` : ''}</span>`)}
      </div>`;
  }
}

customElements.define('historian-frame-overlay', FrameOverlay);

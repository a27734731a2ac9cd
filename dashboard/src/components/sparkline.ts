// <historian-sparkline>: a small grey line of recent values (ISA-101: no colour for the
// normal trend; the last point is marked). Gaps (null) break the line; `stopped` shades
// where the historian was not running (fractions of the width), where values are held ones.
import { LitElement, html, svg, css } from 'lit';

export class Sparkline extends LitElement {
  static properties = { values: { attribute: false }, step: { type: Boolean }, stopped: { attribute: false } };
  declare values: Array<number | null>;
  declare step: boolean;
  declare stopped: Array<[number, number]>;
  constructor() { super(); this.values = []; this.step = false; this.stopped = []; }
  static styles = css`:host { display: inline-block; width: 100px; height: 22px; vertical-align: middle; } svg { width: 100%; height: 100%; display: block; }`;

  render() {
    const v = this.values;
    const nums = v.filter((x): x is number => x !== null && Number.isFinite(x));
    if (nums.length < 2) return html`<svg viewBox="0 0 100 22" role="img" aria-label="no history in the last hour"><line x1="0" y1="11" x2="100" y2="11" stroke="var(--rule)" stroke-dasharray="2 3"/></svg>`;
    let lo = Math.min(...nums); let hi = Math.max(...nums);
    if (hi === lo) { lo -= 1; hi += 1; }
    const n = v.length;
    const x = (i: number) => (i / Math.max(1, n - 1)) * 98 + 1;
    const y = (val: number) => 20 - ((val - lo) / (hi - lo)) * 18;
    let d = '';
    let pen = false;
    let lastY = 0;
    let last: [number, number] | null = null;
    v.forEach((val, i) => {
      if (val === null || !Number.isFinite(val)) { pen = false; return; }
      const px = x(i); const py = y(val);
      if (!pen) d += `M${px.toFixed(1)} ${py.toFixed(1)}`;
      else if (this.step) d += `H${px.toFixed(1)}V${py.toFixed(1)}`;
      else d += `L${px.toFixed(1)} ${py.toFixed(1)}`;
      pen = true; lastY = py; last = [px, lastY];
    });
    const stops = this.stopped.filter(([a, b]) => b > a);
    return html`<svg viewBox="0 0 100 22" preserveAspectRatio="none" role="img" aria-label="last hour: ${nums.length} points from ${lo} to ${hi}${stops.length ? '; the historian was stopped for part of it' : ''}">${svg`
      ${stops.map(([a, b]) => svg`<rect class="stopped" x=${1 + a * 98} y="0" width=${Math.max(0.8, (b - a) * 98)} height="22" fill="var(--rule)"/>`)}
      <path d=${d} fill="none" stroke="var(--normal-line)" stroke-width="1.2" vector-effect="non-scaling-stroke"/>
      ${last ? svg`<circle cx=${(last as [number, number])[0]} cy=${(last as [number, number])[1]} r="1.8" fill="var(--fg)"/>` : ''}`}</svg>`;
  }
}

customElements.define('historian-sparkline', Sparkline);

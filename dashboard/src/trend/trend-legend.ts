// <historian-trend-legend>: the permanent legend table under a trend (as in PI Vision and
// Grafana): per pen its colour, name, unit, description, the value at the cursor (or the
// latest when the cursor is off the chart), min / max / average over the view and quality.
// Twin tags add the predicted value and the model's confidence.
import { LitElement, html, css } from 'lit';
import { base } from '../styles';
import { fmtDateTime } from '../lib/format';
import '../components/chips';
import { shortNames } from './pens';
import { tagPath } from '../components/tag-path';

export interface LegendRow {
  tag: string; color: string; unit: string; description: string;
  value: string | null; quality: string | null;
  min: string | null; max: string | null; avg: string | null; worst: string;
  /** undefined: no prediction for this tag; null: prediction exists but none at this time */
  predicted?: string | null;
  /** 0..1 */
  confidence?: number;
  interpolation: string;
}

export class TrendLegend extends LitElement {
  static properties = { rows: { attribute: false }, at: { attribute: false }, compact: { type: Boolean }, label: { type: String } };
  declare rows: LegendRow[];
  /**
   * The trend's name (a layout widget's title). Its region is named after it, or after its
   * pens, so two trends on one page are two distinguishable landmarks, not two "trend legend"s.
   */
  declare label: string | undefined;
  declare at: number | null;
  declare compact: boolean;
  constructor() { super(); this.rows = []; this.at = null; this.compact = false; }

  static styles = [base, css`
    :host { display: block; }
    .scroll { overflow-x: auto; }
    table { font-size: 12px; }
    th, td { padding: 2px 6px; white-space: nowrap; }
    td.num { text-align: right; }
    /* wraps at the dots of the name; break-word (not anywhere) keeps the column as wide as its longest part,
       so "pump1.temperature" never becomes "pump1.temperatur|e" */
    td.name { white-space: normal; overflow-wrap: break-word; min-width: 120px; }
    .sw { display: inline-block; width: 18px; height: 4px; vertical-align: middle; margin-right: 6px; border-radius: 1px; }
    .nodata { color: var(--muted); font-style: italic; }
    .desc { color: var(--muted); }
    .caption { font-size: 12px; color: var(--muted); padding: 2px 0; }
    @media (max-width: 700px) { .wide { display: none; } }
  `];

  updated(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.sw[data-color]')) el.style.background = el.dataset.color!;
  }

  render() {
    const twin = this.rows.some((r) => r.predicted !== undefined || r.confidence !== undefined);
    const v = (x: string | null) => (x === null ? html`<span class="nodata">no data</span>` : x);
    const names = shortNames(this.rows.map((r) => r.tag));
    return html`<div class="caption" data-testid="legend-at">${this.at === null ? 'Latest values' : `At ${fmtDateTime(this.at)}`}</div>
      <div class="scroll" tabindex="0" role="region" aria-label=${legendName(this.label, this.rows.map((r) => r.tag))}><table data-testid="legend-table"><thead><tr>
        <th>Pen</th><th>Unit</th><th class="wide">Description</th><th>${this.at === null ? 'Latest' : 'At cursor'}</th>
        <th class="wide">Min</th><th class="wide">Max</th><th class="wide">Average</th><th>Quality</th>
        ${twin ? html`<th>Predicted</th><th>Model confidence</th>` : ''}
      </tr></thead><tbody>${this.rows.map((r) => html`<tr data-legend=${r.tag}>
        <td class="name" title=${r.tag}><span class="sw" data-color=${r.color} aria-hidden="true"></span>${tagPath(names.get(r.tag) ?? r.tag)}</td>
        <td>${r.unit || '—'}</td><td class="wide desc">${r.description || ''}</td>
        <td class="num" data-testid="legend-value"><b>${v(r.value)}</b></td>
        <td class="num wide">${v(r.min)}</td><td class="num wide">${v(r.max)}</td><td class="num wide">${v(r.avg)}</td>
        <td data-testid="legend-quality">${r.value === null && r.min === null ? '—' : html`<historian-quality-chip .quality=${r.quality ?? r.worst} show-good></historian-quality-chip>`}</td>
        ${twin ? html`<td class="num">${r.predicted === undefined ? '—' : v(r.predicted)}</td>
          <td class="num" data-testid="confidence">${r.confidence === undefined ? html`<span class="muted">not published</span>` : `${Math.round(r.confidence * 100)} %`}</td>` : ''}
      </tr>`)}</tbody></table></div>`;
  }
}

customElements.define('historian-trend-legend', TrendLegend);

/** The accessible name of a legend: the trend's label, or its first pens. */
export function legendName(label: string | undefined, tags: string[]): string {
  if (label?.trim()) return `legend of ${label.trim()}`;
  if (!tags.length) return 'trend legend';
  const shown = tags.slice(0, 3).join(', ');
  return `legend of ${shown}${tags.length > 3 ? ` and ${tags.length - 3} more` : ''}`;
}

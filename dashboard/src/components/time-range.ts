// <historian-time-range>: the one time-range control (trend, alarm journal, KPIs):
// presets ("last 8 h", moving with now) and a custom from/to in local time. Emits
// `range-change` with { preset } or { from, to }.
import { LitElement, html, css } from 'lit';
import { base } from '../styles';
import { PRESETS, toLocalInput, fromLocalInput, rangeBounds, type TimeRange } from '../lib/ranges';

let seq = 0;

export class TimeRangeControl extends LitElement {
  static properties = { range: { attribute: false }, presets: { attribute: false }, open: { state: true }, error: { state: true } };
  declare range: TimeRange;
  /** preset ids offered (default: all) */
  declare presets: string[] | null;
  declare open: boolean;
  declare error: string;
  private readonly uid = `tr${++seq}`;

  constructor() { super(); this.range = { preset: '1h' }; this.presets = null; this.open = false; this.error = ''; }

  static styles = [base, css`
    :host { display: flex; flex-wrap: wrap; gap: 4px; align-items: center; }
    .group { display: flex; flex-wrap: wrap; gap: 2px; }
    form { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; width: 100%; }
  `];

  private emit(r: TimeRange): void {
    this.range = r;
    this.dispatchEvent(new CustomEvent<TimeRange>('range-change', { detail: r, bubbles: true, composed: true }));
  }

  private apply(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const from = fromLocalInput(String(f.get('from')));
    const to = fromLocalInput(String(f.get('to')));
    if (!(to > from)) { this.error = '"To" must be after "From"'; return; }
    this.error = '';
    this.open = false;
    this.emit({ from, to });
  }

  render() {
    const list = PRESETS.filter((p) => !this.presets || this.presets.includes(p.id));
    const cur = 'preset' in this.range ? this.range.preset : null;
    const b = rangeBounds(this.range);
    const id = this.uid;
    return html`<div class="group" role="group" aria-label="time range">
        ${list.map((p) => html`<button data-preset=${p.id} aria-pressed=${String(cur === p.id)} title="last ${p.label}" @click=${() => this.emit({ preset: p.id })}>${p.label}</button>`)}
        <button data-action="custom-range" aria-pressed=${String(cur === null || this.open)} aria-expanded=${String(this.open)} @click=${() => { this.open = !this.open; }}>Custom…</button>
      </div>
      ${this.open ? html`<form @submit=${this.apply} class="panel" data-testid="custom-range">
        <label for="${id}-f">From</label><input id="${id}-f" type="datetime-local" name="from" step="1" .value=${toLocalInput(b.from)} />
        <label for="${id}-t">To</label><input id="${id}-t" type="datetime-local" name="to" step="1" .value=${toLocalInput(b.to)} />
        <button type="submit">Show</button>
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : ''}
      </form>` : ''}`;
  }
}

customElements.define('historian-time-range', TimeRangeControl);

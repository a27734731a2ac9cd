// Live values of every tag as they arrive on the WebSocket (the overview page).
import { LitElement, html, css } from 'lit';
import { live, type LiveSample } from '../live-client';
import { base } from '../styles';

export class LiveView extends LitElement {
  static properties = { rows: { state: true }, filter: { state: true } };
  declare rows: LiveSample[];
  declare filter: string;
  private values = new Map<string, LiveSample>();
  private off: (() => void) | null = null;
  private pending = false;

  constructor() {
    super();
    this.rows = [];
    this.filter = '';
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    td.value { text-align: right; }
    .scroll { overflow: auto; max-height: calc(100vh - 150px); }
    a { color: #2f3f55; }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.off = live.on('>', (samples) => {
      for (const s of samples) this.values.set(s.tag, s);
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.rows = [...this.values.values()].sort((a, b) => (a.tag < b.tag ? -1 : 1));
      });
    });
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
  }

  render() {
    const f = this.filter.toLowerCase();
    const rows = f ? this.rows.filter((r) => r.tag.toLowerCase().includes(f)) : this.rows;
    return html`
      <div class="toolbar"><input type="search" placeholder="Filter tags" aria-label="filter tags" @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; }} />
        <span class="muted">${this.rows.length} tags live</span></div>
      ${this.rows.length === 0
        ? html`<div class="empty">No live values yet. Values appear here as soon as a flow publishes samples.</div>`
        : html`<div class="scroll"><table data-testid="live-table">
            <thead><tr><th>Tag</th><th>Value</th><th>Quality</th><th>Time</th></tr></thead>
            <tbody>${rows.map((r) => html`<tr class=${r.quality.startsWith('BAD') ? 'bad' : r.quality.startsWith('UNCERTAIN') ? 'uncertain' : ''}>
              <td><a href="#/trend?tags=${encodeURIComponent(r.tag)}">${r.tag}</a></td><td class="value">${r.value}</td><td>${r.quality}</td><td>${new Date(r.ts).toLocaleTimeString()}</td></tr>`)}</tbody>
          </table></div>`}`;
  }
}

customElements.define('historian-live-view', LiveView);

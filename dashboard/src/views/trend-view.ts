// The trend page: tag picker on the left, the chart with its toolbar on the right. The
// chosen tags and range live in the URL hash so a trend can be bookmarked.
import { LitElement, html, css } from 'lit';
import { base } from '../styles';
import '../trend/tag-picker';
import '../trend/trend-chart';

export class TrendView extends LitElement {
  static properties = { tags: { type: Array }, preset: { type: String } };
  declare tags: string[];
  declare preset: string;

  constructor() {
    super();
    this.tags = [];
    this.preset = '1h';
  }

  static styles = [base, css`
    :host { display: grid; grid-template-columns: minmax(200px, 260px) 1fr; gap: 10px; height: 100%; min-height: 0; }
    aside { display: flex; flex-direction: column; gap: 8px; min-height: 0; }
    .chosen { display: flex; flex-wrap: wrap; gap: 4px; }
    .chosen span { background: #dadada; border: 1px solid #b8b8b8; padding: 0 4px; font-size: 12px; max-width: 100%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .chosen button { padding: 0 4px; border: none; background: none; }
    section { min-width: 0; }
    historian-tag-picker { flex: 1; min-height: 0; }
    @media (max-width: 1100px) { :host { grid-template-columns: 200px 1fr; } }
  `];

  private emit(): void {
    this.dispatchEvent(new CustomEvent('trend-change', { detail: { tags: this.tags, preset: this.preset }, bubbles: true, composed: true }));
  }

  private toggle(tag: string): void {
    this.tags = this.tags.includes(tag) ? this.tags.filter((t) => t !== tag) : [...this.tags, tag].slice(-8);
    this.emit();
  }

  render() {
    const h = Math.max(220, Math.min(520, window.innerHeight - 300));
    return html`
      <aside>
        <div class="chosen" data-testid="chosen-tags">${this.tags.map((t) => html`<span title=${t}>${t.split('.').slice(-3).join('.')}<button aria-label="remove ${t}" @click=${() => this.toggle(t)}>×</button></span>`)}</div>
        <historian-tag-picker .selected=${this.tags} @pick=${(e: CustomEvent<string>) => this.toggle(e.detail)}></historian-tag-picker>
      </aside>
      <section>
        <historian-trend .tags=${this.tags} .preset=${this.preset} .height=${h}
          @click=${(e: Event) => { const b = (e.composedPath()[0] as HTMLElement).closest?.('button[data-preset]'); if (b) { this.preset = b.getAttribute('data-preset')!; this.emit(); } }}></historian-trend>
      </section>`;
  }
}

customElements.define('historian-trend-view', TrendView);

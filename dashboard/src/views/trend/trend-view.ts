// The trend page: tag picker on the left (a drawer on a phone), the chart with its legend on
// the right. The page's state (tags, range, live) is the URL's: it comes in as `state` and
// every change goes out as `trend-change`, so a link or a bookmark reproduces the view.
import { LitElement, html, css } from 'lit';
import { base } from '../../styles';
import { penColor, shortNames } from '../../trend/pens';
import { onThemeChange } from '../../lib/theme-watch';
import type { TimeRange } from '../../lib/ranges';
import type { TrendState } from '../../trend/trend-state';
import '../../components/tag-picker';
import '../../trend/trend-chart';
import { can } from '../../session';
import type { FrameView } from '../frames/frame-types';
import '../frames/frame-select';

const MAX_PENS = 8;

export class TrendView extends LitElement {
  static properties = { state: { attribute: false }, pickerOpen: { state: true } };
  declare state: TrendState;
  declare pickerOpen: boolean;

  constructor() {
    super();
    this.state = { tags: [], range: { preset: '1h' }, live: true };
    this.pickerOpen = false;
  }

  private offTheme: (() => void) | null = null;
  connectedCallback(): void { super.connectedCallback(); this.offTheme = onThemeChange(() => this.requestUpdate()); }
  disconnectedCallback(): void { super.disconnectedCallback(); this.offTheme?.(); }

  static styles = [base, css`
    :host { display: grid; grid-template-columns: minmax(200px, 260px) minmax(0, 1fr); gap: 10px; height: 100%; min-height: 0; }
    aside { display: flex; flex-direction: column; gap: 8px; min-height: 0; max-height: calc(100vh - 120px); }
    .chosen { display: flex; flex-wrap: wrap; gap: 4px; }
    .chip { display: inline-flex; align-items: center; gap: 4px; background: var(--panel); border: 1px solid var(--border); border-left-width: 5px; padding: 0 0 0 4px; font-size: 12px; font-weight: 400; max-width: 100%; }
    .chip span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .chip button { padding: 0 6px; border: none; background: none; min-height: 22px; }
    section { min-width: 0; }
    historian-tag-picker { flex: 1; min-height: 0; }
    .drawer { display: none; }
    @media (max-width: 1100px) { :host { grid-template-columns: 200px minmax(0, 1fr); } }
    @media (max-width: 700px) {
      :host { grid-template-columns: minmax(0, 1fr); }
      .drawer { display: inline-block; }
      aside.closed historian-tag-picker { display: none; }
      aside { max-height: none; }
      aside historian-tag-picker { height: 50vh; }
    }
  `];

  private emit(next: Partial<TrendState>): void {
    this.state = { ...this.state, ...next };
    this.dispatchEvent(new CustomEvent<TrendState>('trend-change', { detail: this.state, bubbles: true, composed: true }));
  }

  private toggle(tag: string): void {
    const tags = this.state.tags.includes(tag) ? this.state.tags.filter((t) => t !== tag) : [...this.state.tags, tag].slice(-MAX_PENS);
    this.emit({ tags });
  }

  /** A picked batch/event: its window, and its tags when none are chosen yet. */
  private showFrame(f: FrameView): void {
    const to = f.end ?? Date.now();
    this.emit({ range: { from: f.start, to: Math.max(to, f.start + 1000) }, live: false, tags: this.state.tags.length ? this.state.tags : f.tags.slice(0, MAX_PENS) });
  }

  updated(): void {
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.chip[data-color]')) el.style.borderLeftColor = el.dataset.color!;
  }

  render() {
    const h = Math.max(220, Math.min(520, window.innerHeight - 360));
    const dark = document.documentElement.dataset.theme === 'dark';
    const colors = Object.fromEntries(this.state.tags.map((t, i) => [t, penColor(i, dark)]));
    const names = shortNames(this.state.tags);
    return html`
      <aside class=${this.pickerOpen ? 'open' : 'closed'}>
        ${can('frames.read') ? html`<historian-frame-select @frame-pick=${(e: CustomEvent<FrameView>) => this.showFrame(e.detail)}></historian-frame-select>` : ''}
        <div class="chosen" data-testid="chosen-tags">${this.state.tags.map((t) => html`<span class="chip" data-color=${colors[t]} title=${t}>
          <span>${names.get(t)}</span><button aria-label="remove ${t}" @click=${() => this.toggle(t)}>×</button></span>`)}
          <button class="drawer" aria-expanded=${String(this.pickerOpen)} @click=${() => { this.pickerOpen = !this.pickerOpen; }}>${this.pickerOpen ? 'Hide tags' : 'Choose tags…'}</button>
        </div>
        <historian-tag-picker .selected=${this.state.tags} .colors=${colors} @pick=${(e: CustomEvent<string>) => this.toggle(e.detail)}></historian-tag-picker>
      </aside>
      <section>
        <historian-trend .tags=${this.state.tags} .range=${this.state.range} .live=${this.state.live} .height=${h}
          @view-change=${(e: CustomEvent<{ range: TimeRange; live: boolean }>) => { e.stopPropagation(); this.emit(e.detail); }}></historian-trend>
      </section>`;
  }
}

customElements.define('historian-trend-view', TrendView);

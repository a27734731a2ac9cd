// <historian-frame-select>: the trend's frame selector. Type a batch number, coil id or
// product; the frames found are listed (newest first) and picking one emits `frame-pick`
// with the frame, so the trend shows its window.
import { LitElement, html, css } from 'lit';
import { get, qs, errorText } from '../../api';
import { base } from '../../styles';
import { fmtDateTime, fmtDuration } from '../../lib/format';
import type { FrameView } from './frame-types';

export class FrameSelect extends LitElement {
  static properties = { found: { state: true }, error: { state: true }, open: { state: true } };
  declare found: FrameView[];
  declare error: string;
  declare open: boolean;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor() { super(); this.found = []; this.error = ''; this.open = false; }

  static styles = [base, css`
    :host { display: block; position: relative; }
    input { width: 100%; box-sizing: border-box; }
    ul { list-style: none; margin: 2px 0 0; padding: 0; border: 1px solid var(--border); background: var(--panel); max-height: 240px; overflow-y: auto; }
    li button { display: block; width: 100%; text-align: left; border: none; border-bottom: 1px solid var(--rule); background: none; font-size: 12px; }
    li button b { font-size: 13px; }
  `];

  private async lookup(text: string): Promise<void> {
    try {
      const words = text.trim();
      const r = await get<{ frames: FrameView[] }>(`/frames${qs({ q: words || undefined, limit: 20 })}`);
      this.found = r.frames;
      this.error = '';
      this.open = true;
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private onInput(e: Event): void {
    const v = (e.target as HTMLInputElement).value;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.lookup(v), 250); // one request per pause in typing
  }

  private pick(f: FrameView): void {
    // a lookup still pending from the last keystroke must not reopen the list
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.open = false;
    this.dispatchEvent(new CustomEvent<FrameView>('frame-pick', { detail: f, bubbles: true, composed: true }));
  }

  render() {
    return html`
      <label for="frame-q" class="sr-only">Show a batch or event frame</label>
      <input id="frame-q" type="search" placeholder="Show a batch or event…" title="Type a batch number or event name: the trend shows its window" data-testid="frame-select"
        @focus=${() => { if (!this.found.length) void this.lookup(''); else this.open = true; }} @input=${this.onInput}
        @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') this.open = false; }}>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.open && this.found.length ? html`<ul aria-label="Frames found">${this.found.map((f) => html`<li><button @click=${() => this.pick(f)}>
        <b>${f.name}</b> · ${f.template}<br>${fmtDateTime(f.start)} · ${f.end === null ? 'open' : fmtDuration(f.end - f.start)}</button></li>`)}</ul>` : ''}`;
  }
}

customElements.define('historian-frame-select', FrameSelect);

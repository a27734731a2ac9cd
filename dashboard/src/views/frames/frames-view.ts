// The Frames page: find batches, coils, trips… by text, template, attribute and time; open
// one on the trend (its tags over its window); tick several and overlay them on time since
// start against a reference frame with a band; close an open frame by hand (signed).
import { LitElement, html, css } from 'lit';
import { api, get, qs, errorText } from '../../api';
import { can } from '../../session';
import { base } from '../../styles';
import { withSignature } from '../../components/signature-dialog';
import { fmtDateTime, fmtDuration } from '../../lib/format';
import { rangeBounds, type TimeRange } from '../../lib/ranges';
import '../../components/time-range';
import { trendLink, type FrameView, type OverlayAnswer } from './frame-types';
import './overlay-chart';
import { downloadFrame } from './frame-download';

export class FramesView extends LitElement {
  static properties = {
    frames: { state: true }, error: { state: true }, info: { state: true }, busy: { state: true }, range: { state: true },
    picked: { state: true }, reference: { state: true }, overlayTag: { state: true }, overlay: { state: true },
  };
  declare frames: FrameView[];
  declare error: string;
  declare info: string;
  declare busy: boolean;
  declare range: TimeRange;
  declare picked: string[];
  declare reference: string;
  declare overlayTag: string;
  declare overlay: OverlayAnswer | null;

  constructor() {
    super();
    this.frames = []; this.error = ''; this.info = ''; this.busy = false; this.range = { preset: '30d' };
    this.picked = []; this.reference = ''; this.overlayTag = ''; this.overlay = null;
  }

  static styles = [base, css`
    :host { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
    form.search { display: flex; flex-wrap: wrap; gap: 6px; align-items: end; }
    form.search label { display: grid; gap: 2px; font-size: 12px; }
    .table-wrap { overflow-x: auto; max-height: 45vh; overflow-y: auto; border: 1px solid var(--border); }
    td.attrs { font-size: 12px; color: var(--muted); max-width: 360px; }
    .open { font-weight: 600; }
    .overlay { display: grid; gap: 6px; }
    @media (max-width: 700px) {
      th.hide-narrow, td.hide-narrow { display: none; }
      form.search label { flex: 1 1 40%; }
      form.search input, form.search select { width: 100%; box-sizing: border-box; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.search();
  }

  private async search(e?: Event): Promise<void> {
    e?.preventDefault();
    const f = this.renderRoot.querySelector<HTMLFormElement>('form.search');
    const data = f ? new FormData(f) : new FormData();
    const { from, to } = rangeBounds(this.range, Date.now());
    const params: Record<string, string | number> = { from: Math.round(from), to: Math.round(to), limit: 200 };
    const q = String(data.get('q') ?? '').trim();
    const template = String(data.get('template') ?? '').trim();
    const attr = String(data.get('attr') ?? '').trim();
    if (q) params.q = q;
    if (template) params.template = template;
    let extra = '';
    if (attr) {
      const eq = attr.indexOf('=');
      if (eq < 1) { this.error = 'Attribute filter: write name=value, e.g. product=PX-100'; return; }
      extra = `&attr.${encodeURIComponent(attr.slice(0, eq).trim())}=${encodeURIComponent(attr.slice(eq + 1).trim())}`;
    }
    this.busy = true;
    try {
      const r = await get<{ frames: FrameView[] }>(`/frames${qs(params)}${extra}`);
      this.frames = r.frames;
      this.error = '';
    } catch (err) {
      this.error = `Search: ${errorText(err)}`;
    } finally {
      this.busy = false;
    }
  }

  private toggle(id: string, on: boolean): void {
    this.picked = on ? [...new Set([...this.picked, id])] : this.picked.filter((x) => x !== id);
    if (!this.overlayTag) this.overlayTag = this.frames.find((f) => f.id === id)?.tags[0] ?? '';
  }

  private tagsOfPicked(): string[] {
    const ids = new Set([...this.picked, this.reference].filter(Boolean));
    return [...new Set(this.frames.filter((f) => ids.has(f.id)).flatMap((f) => f.tags))];
  }

  private async runOverlay(): Promise<void> {
    const band = this.renderRoot.querySelector<HTMLInputElement>('#band')?.value ?? '';
    if (!this.overlayTag) { this.error = 'Overlay: pick a tag'; return; }
    try {
      this.overlay = await get<OverlayAnswer>(`/frames/overlay${qs({ ids: this.picked.join(','), tag: this.overlayTag, reference: this.reference || undefined, band: band || undefined, points: 600 })}`);
      this.error = '';
    } catch (err) {
      this.error = `Overlay: ${errorText(err)}`;
    }
  }

  private async close(f: FrameView): Promise<void> {
    const reason = prompt(`Close "${f.name}" now? Reason (recorded in the audit trail):`);
    if (!reason) return;
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot, { action: 'frames.close', target: `frame:${f.id}`, title: `Close ${f.name}` },
        (headers) => api<FrameView>('POST', `/frames/${encodeURIComponent(f.id)}/close`, { reason }, { headers }));
      this.info = r === null ? 'Close: cancelled (not signed)' : `${f.name} closed`;
      await this.search();
    } catch (err) {
      this.error = `Close: ${errorText(err)}`;
    }
  }

  /** Sets one attribute (e.g. released=true by QA): audited and signed. */
  private async editAttribute(f: FrameView): Promise<void> {
    const entry = prompt(`Set an attribute of "${f.name}" (name=value, e.g. released=true):`);
    if (!entry) return;
    const eq = entry.indexOf('=');
    if (eq < 1) { this.error = 'Attribute: write name=value'; return; }
    const name = entry.slice(0, eq).trim();
    const text = entry.slice(eq + 1).trim();
    // numbers and true/false keep their type, so filters and exports see what was meant
    const value = text === 'true' ? true : text === 'false' ? false : text !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
    const reason = prompt('Reason (recorded in the audit trail):');
    if (!reason) return;
    try {
      const r = await withSignature(this.renderRoot as ShadowRoot, { action: 'frames.attributes.change', target: `frame:${f.id}`, title: `Set ${name} of ${f.name}`, meaning: 'approval' },
        (headers) => api<FrameView>('PATCH', `/frames/${encodeURIComponent(f.id)}/attributes`, { set: { [name]: value }, reason }, { headers }));
      this.info = r === null ? 'Attribute: cancelled (not signed)' : `${f.name}: ${name} set`;
      await this.search();
    } catch (err) {
      this.error = `Attribute: ${errorText(err)}`;
    }
  }

  private async download(f: FrameView, format: 'csv' | 'xlsx'): Promise<void> {
    try {
      await downloadFrame(f.id, format);
      this.info = `${f.name}: ${format.toUpperCase()} downloaded`;
    } catch (err) {
      this.error = `Export: ${errorText(err)}`;
    }
  }

  render() {
    const tags = this.tagsOfPicked();
    const mayExport = can('export');
    const mayClose = can('frames.write');
    return html`
      <form class="search" @submit=${this.search} role="search" aria-label="Find frames">
        <label>Text<input name="q" type="search" placeholder="batch number, product, operator…" data-testid="frame-q"></label>
        <label>Template<input name="template" placeholder="batch, coil, trip…" list="templates"></label>
        <datalist id="templates">${[...new Set(this.frames.map((f) => f.template))].map((t) => html`<option value=${t}></option>`)}</datalist>
        <label>Attribute<input name="attr" placeholder="product=PX-100"></label>
        <historian-time-range .range=${this.range} .presets=${['24h', '7d', '30d', '1y', '10y']} @range-change=${(e: CustomEvent<TimeRange>) => { this.range = e.detail; void this.search(); }}></historian-time-range>
        <button type="submit" class="primary" ?disabled=${this.busy}>Search</button>
      </form>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.info ? html`<div class="muted" role="status">${this.info}</div>` : ''}
      ${this.frames.length === 0 ? html`<div class="empty">No frames in this range${this.busy ? ' (searching…)' : ''}.</div>` : html`
      <div class="table-wrap">
        <table data-testid="frames-table">
          <caption class="sr-only">Event frames found</caption>
          <thead><tr><th scope="col">Overlay</th><th scope="col">Name</th><th scope="col" class="hide-narrow">Template</th><th scope="col">Start</th>
            <th scope="col">Duration</th><th scope="col" class="hide-narrow">Attributes</th><th scope="col">Actions</th></tr></thead>
          <tbody>${this.frames.map((f) => html`<tr data-frame=${f.id}>
            <td><input type="checkbox" aria-label=${`overlay ${f.name}`} .checked=${this.picked.includes(f.id)} @change=${(e: Event) => this.toggle(f.id, (e.target as HTMLInputElement).checked)}></td>
            <td>${f.name}</td>
            <td class="hide-narrow">${f.template}</td>
            <td>${fmtDateTime(f.start)}</td>
            <td class=${f.end === null ? 'open' : ''}>${f.end === null ? `open · ${fmtDuration(Date.now() - f.start)}` : fmtDuration(f.end - f.start)}</td>
            <td class="attrs hide-narrow">${Object.entries(f.attributes).map(([k, v]) => `${k}=${v}`).join(', ')}</td>
            <td><a href=${trendLink(f)} data-testid="frame-trend">Trend</a>
              ${f.end === null && mayClose ? html` <button class="link" @click=${() => this.close(f)}>Close…</button>` : ''}
              ${mayClose ? html` <button class="link" aria-label=${`set an attribute of ${f.name}`} @click=${() => this.editAttribute(f)}>Attribute…</button>` : ''}
              ${mayExport ? html` <button class="link" aria-label=${`export ${f.name} as CSV`} @click=${() => this.download(f, 'csv')}>CSV</button>
                <button class="link" aria-label=${`export ${f.name} as XLSX`} @click=${() => this.download(f, 'xlsx')}>XLSX</button>` : ''}</td>
          </tr>`)}</tbody>
        </table>
      </div>`}
      <section class="overlay panel" aria-label="Overlay">
        <div class="toolbar">
          <strong>Overlay</strong><span class="muted">${this.picked.length} frame(s) ticked</span>
          <label for="ov-tag">Tag</label>
          <select id="ov-tag" @change=${(e: Event) => { this.overlayTag = (e.target as HTMLSelectElement).value; }}>
            ${tags.length === 0 ? html`<option value="">—</option>` : ''}
            ${tags.map((t) => html`<option value=${t} ?selected=${t === this.overlayTag}>${t}</option>`)}
          </select>
          <label for="ov-ref">Reference</label>
          <select id="ov-ref" @change=${(e: Event) => { this.reference = (e.target as HTMLSelectElement).value; }}>
            <option value="">none</option>
            ${this.frames.map((f) => html`<option value=${f.id} ?selected=${f.id === this.reference}>${f.name}</option>`)}
          </select>
          <label for="band">Band ±</label><input id="band" type="number" min="0" step="any" size="6" placeholder="none">
          <button class="primary" data-testid="overlay-run" ?disabled=${this.picked.length === 0} @click=${this.runOverlay}>Overlay</button>
        </div>
        <historian-frame-overlay .data=${this.overlay} .height=${Math.max(200, Math.min(380, window.innerHeight - 420))}></historian-frame-overlay>
      </section>`;
  }
}

customElements.define('historian-frames-view', FramesView);

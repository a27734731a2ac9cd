// The Frames page: find batches, coils, trips… by text, template, attribute and time; open
// one on the trend (its tags over its window); tick several to export them in one file (a
// CSV section or an XLSX sheet each) or overlay them on time since start against a
// reference frame with a band; close an open frame by hand (signed). Frames opening and
// closing arrive on the live socket (ids only), so the list follows them without a reload.
// The search is in the URL (`#/frames?template=trip&range=7d`, or `from`/`to` in epoch ms),
// so a search can be bookmarked, shared and gone back to.
import { LitElement, html, css } from 'lit';
import { api, get, qs, errorText } from '../../api';
import { can } from '../../session';
import { live, type LiveFrame } from '../../live-client';
import { base } from '../../styles';
import { withSignature } from '../../components/signature-dialog';
import { fmtDateTime, fmtDuration } from '../../lib/format';
import { rangeBounds, type TimeRange } from '../../lib/ranges';
import '../../components/time-range';
import { attributeLabel, trendLink, type FrameView, type OverlayAnswer } from './frame-types';
import './frame-command-dialog';
import type { FrameCommand } from './frame-command-dialog';
import './overlay-chart';
import { downloadFrame, downloadFrames } from './frame-download';

/** frames a search lists at most (newest first) */
const LIST_LIMIT = 200;
/** frames the list holds at most, older pages included (the API's limit for one search) */
const MAX_LISTED = 10_000;

/** Live changes are applied at most this often: a plant opening many frames at once costs one search. */
const LIVE_APPLY_MS = 300;
/** More changed rows than this in one go re-run the search instead of reading each frame. */
const LIVE_MAX_READS = 20;
/** A row changed live stays marked this long; open frames' durations are redrawn as often as this ticks. */
const FRESH_MS = 10_000;
const TICK_MS = 5_000;

export class FramesView extends LitElement {
  static properties = {
    frames: { state: true }, error: { state: true }, info: { state: true }, busy: { state: true }, range: { state: true },
    picked: { state: true }, reference: { state: true }, overlayTag: { state: true }, overlay: { state: true }, lastChange: { state: true },
    link: {}, filters: { state: true }, command: { state: true }, more: { state: true },
  };
  /** the URL's query (`template=trip&range=7d`): the search to show */
  declare link: string;
  /** the search form's fields as the URL gave them */
  declare filters: { q: string; template: string; attr: string };
  /** the query this view last put in the URL, so it does not search again when it comes back */
  private wrote: string | null = null;
  private searchOnRender = false;
  declare frames: FrameView[];
  /** the range may hold frames older than the listed ones (the last page read was full) */
  declare more: boolean;
  declare error: string;
  declare info: string;
  declare busy: boolean;
  declare range: TimeRange;
  declare picked: string[];
  declare reference: string;
  declare overlayTag: string;
  declare overlay: OverlayAnswer | null;
  /** the close or attribute dialog open, for which frame */
  declare command: { kind: 'close' | 'attribute'; frame: FrameView } | null;
  /** the latest live change, announced politely */
  declare lastChange: string;
  /** the search the list shows (its range is re-resolved on each refresh, so `last 24 h` moves on) */
  private query: { params: Record<string, string | number>; extra: string } | null = null;
  private pending = new Map<string, LiveFrame['change']>();
  private applyTimer: number | undefined;
  private applying: Promise<void> = Promise.resolve();
  private offs: Array<() => void> = [];
  /** rows changed live: id → until when they are marked */
  private fresh = new Map<string, number>();
  private ticker: number | undefined;

  constructor() {
    super();
    this.frames = []; this.more = false; this.error = ''; this.info = ''; this.busy = false; this.range = { preset: '30d' };
    this.picked = []; this.reference = ''; this.overlayTag = ''; this.overlay = null; this.lastChange = ''; this.command = null;
    this.link = ''; this.filters = { q: '', template: '', attr: '' };
  }

  willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('link')) return;
    // the query this view just wrote, coming back through the URL: the list already shows it
    if ((this.link ?? '') === this.wrote) { this.wrote = null; return; }
    const p = new URLSearchParams(this.link ?? '');
    this.filters = { q: p.get('q') ?? '', template: p.get('template') ?? '', attr: p.get('attr') ?? '' };
    const from = Number(p.get('from')); const to = Number(p.get('to'));
    this.range = p.has('from') && p.has('to') && Number.isFinite(from) && Number.isFinite(to) && to > from ? { from, to } : { preset: p.get('range') ?? '30d' };
    this.searchOnRender = true;
  }

  updated(): void {
    if (!this.searchOnRender) return;
    this.searchOnRender = false;
    void this.search(undefined, false);
  }

  static styles = [base, css`
    :host { display: grid; grid-template-columns: minmax(0, 1fr); gap: 10px; }
    .table-wrap { overflow-x: auto; max-height: 45vh; overflow-y: auto; border: 1px solid var(--border); }
    .older { padding: 6px; text-align: center; }
    td.attrs { font-size: 12px; color: var(--muted); max-width: 360px; }
    .open { font-weight: 600; }
    .overlay { display: grid; gap: 6px; }
    .picked { min-height: 28px; }
    .picked .live-note { margin-left: auto; }
    .nowrap { white-space: nowrap; }
    tr.fresh td:first-child { box-shadow: inset 4px 0 0 var(--focus); }
    @media (max-width: 700px) {
      th.hide-narrow, td.hide-narrow { display: none; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.searchOnRender = true;
    let wasDown = false;
    this.offs.push(live.onFrame((e) => this.noteChange(e)));
    // changes made while the socket was down are not replayed: search again when it is back
    this.offs.push(live.onState((st) => {
      if (st === 'disconnected') wasDown = true;
      else if (st === 'connected' && wasDown) { wasDown = false; void this.refresh(); }
    }));
    live.connect();
    this.ticker = window.setInterval(() => {
      const now = Date.now();
      for (const [id, until] of this.fresh) if (until <= now) this.fresh.delete(id);
      if (this.fresh.size || this.frames.some((f) => f.end === null)) this.requestUpdate();
    }, TICK_MS);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const off of this.offs) off();
    this.offs = [];
    window.clearTimeout(this.applyTimer);
    window.clearInterval(this.ticker);
    this.applyTimer = undefined;
    this.pending.clear();
  }

  private noteChange(e: LiveFrame): void {
    // an open followed by its close in one interval is still a new row: keep 'open'
    if (this.pending.get(e.id) !== 'open') this.pending.set(e.id, e.change);
    // one application at a time, so an older search never lands after a newer one
    this.applyTimer ??= window.setTimeout(() => {
      this.applyTimer = undefined;
      this.applying = this.applying.then(() => this.applyChanges()).catch(() => undefined);
    }, LIVE_APPLY_MS);
  }

  /**
   * Applies the changes gathered: rows on the page are read again one by one (or dropped
   * when discarded); a new frame, or many changes at once, re-runs the search, so the list
   * keeps the filters and order the user asked for.
   */
  private async applyChanges(): Promise<void> {
    const changes = [...this.pending];
    this.pending.clear();
    if (changes.length === 0 || !this.query) return;
    const shown = new Set(this.frames.map((f) => f.id));
    const dropped = changes.filter(([id, c]) => c === 'discard' && shown.has(id)).map(([id]) => id);
    const reread = changes.filter(([id, c]) => c !== 'discard' && c !== 'open' && shown.has(id)).map(([id]) => id);
    const opened = changes.some(([, c]) => c === 'open');
    if (dropped.length) {
      this.frames = this.frames.filter((f) => !dropped.includes(f.id));
      this.picked = this.picked.filter((id) => !dropped.includes(id));
    }
    if (opened || reread.length > LIVE_MAX_READS) await this.refresh();
    else {
      for (const id of reread) {
        try {
          const { frame } = await get<{ frame: FrameView }>(`/frames/${encodeURIComponent(id)}`);
          this.frames = this.frames.map((f) => (f.id === id ? frame : f));
        } catch { /* gone or no longer readable: the next search settles it */ }
      }
    }
    const until = Date.now() + FRESH_MS;
    for (const [id] of changes) if (this.frames.some((f) => f.id === id)) this.fresh.set(id, until);
    const [lastId, lastKind] = changes[changes.length - 1];
    const last = this.frames.find((f) => f.id === lastId);
    if (last) this.lastChange = `${last.name} ${{ open: 'opened', close: 'closed', update: 'changed', discard: 'discarded' }[lastKind]}`;
    this.requestUpdate();
  }

  /** Runs the shown search again (no form read: what the user typed but did not search for stays out). */
  private async refresh(): Promise<void> {
    if (!this.query) return;
    const { from, to } = rangeBounds(this.range, Date.now());
    // older pages the user asked for stay listed
    const limit = Math.min(MAX_LISTED, Math.max(LIST_LIMIT, this.frames.length));
    await this.run({ ...this.query.params, from: Math.round(from), to: Math.round(to), limit }, this.query.extra);
  }

  /**
   * Lists the next LIST_LIMIT frames of the range, older than the oldest listed (frames
   * starting in the same millisecond as it are read again and kept once).
   */
  private async showOlder(): Promise<void> {
    if (!this.query || this.frames.length === 0) return;
    const oldest = Math.min(...this.frames.map((f) => f.start));
    const { from, to } = rangeBounds(this.range, Date.now());
    const params = { ...this.query.params, from: Math.round(from), to: Math.min(Math.round(to), oldest + 1), limit: LIST_LIMIT };
    await this.run(params, this.query.extra, true);
  }

  /** Searches with the form's fields and range; a search the user asked for goes into the URL. */
  private async search(e?: Event, remember = true): Promise<void> {
    e?.preventDefault();
    const f = this.renderRoot.querySelector<HTMLFormElement>('form.search');
    const data = f ? new FormData(f) : new FormData();
    const { from, to } = rangeBounds(this.range, Date.now());
    const params: Record<string, string | number> = { from: Math.round(from), to: Math.round(to), limit: LIST_LIMIT };
    const q = String(data.get('q') ?? '').trim();
    const template = String(data.get('template') ?? '').trim();
    const attr = String(data.get('attr') ?? '').trim();
    // what was typed becomes the bound value, so a link with other fields later replaces it
    this.filters = { q, template, attr };
    if (q) params.q = q;
    if (template) params.template = template;
    let extra = '';
    if (attr) {
      const eq = attr.indexOf('=');
      if (eq < 1) { this.error = 'Attribute filter: write name=value, e.g. product=PX-100'; return; }
      extra = `&attr.${encodeURIComponent(attr.slice(0, eq).trim())}=${encodeURIComponent(attr.slice(eq + 1).trim())}`;
    }
    this.query = { params, extra };
    if (remember) this.remember(q, template, attr);
    await this.run(params, extra);
  }

  private remember(q: string, template: string, attr: string): void {
    const p = new URLSearchParams();
    if (q) p.set('q', q);
    if (template) p.set('template', template);
    if (attr) p.set('attr', attr);
    if ('preset' in this.range) p.set('range', this.range.preset);
    else { p.set('from', String(Math.round(this.range.from))); p.set('to', String(Math.round(this.range.to))); }
    const query = p.toString();
    if (query === (this.link ?? '')) return;
    this.wrote = query;
    location.hash = `#/frames?${query}`;
  }

  private async run(params: Record<string, string | number>, extra: string, append = false): Promise<void> {
    this.busy = true;
    try {
      const r = await get<{ frames: FrameView[] }>(`/frames${qs(params)}${extra}`);
      if (append) {
        const listed = new Set(this.frames.map((f) => f.id));
        this.frames = [...this.frames, ...r.frames.filter((f) => !listed.has(f.id))];
      } else this.frames = r.frames;
      this.more = r.frames.length >= Number(params.limit) && this.frames.length < MAX_LISTED;
      this.error = '';
    } catch (err) {
      this.error = `Search: ${errorText(err)}`;
    } finally {
      this.busy = false;
    }
  }

  private toggle(id: string, on: boolean): void {
    this.picked = on ? [...new Set([...this.picked, id])] : this.picked.filter((x) => x !== id);
  }

  private toggleAll(on: boolean): void {
    const shown = this.frames.map((f) => f.id);
    this.picked = on ? [...new Set([...this.picked, ...shown])] : this.picked.filter((id) => !shown.includes(id));
  }

  /** The ticked frames that are listed, in the list's order (the order of the file). */
  private pickedShown(): FrameView[] {
    const ids = new Set(this.picked);
    return this.frames.filter((f) => ids.has(f.id));
  }

  private async downloadPicked(format: 'csv' | 'xlsx'): Promise<void> {
    const frames = this.pickedShown();
    if (frames.length === 0) return;
    try {
      await downloadFrames(frames.map((f) => f.id), format);
      this.info = `${frames.length} frame(s) downloaded as one ${format.toUpperCase()} (${format === 'xlsx' ? 'a sheet' : 'a section'} per frame)`;
      this.error = '';
    } catch (err) {
      this.error = `Export: ${errorText(err)}`;
    }
  }

  private framesOfOverlay(): FrameView[] {
    const ids = new Set([...this.picked, this.reference].filter(Boolean));
    return this.frames.filter((f) => ids.has(f.id));
  }

  private tagsOfPicked(): string[] {
    return [...new Set(this.framesOfOverlay().flatMap((f) => f.tags))];
  }

  /**
   * Point names (`flow`) every frame of the overlay has exactly one tag of: drawn with each
   * frame's own tag, so trips of six pumps compare each pump's flow.
   */
  private pointsOfPicked(): string[] {
    const frames = this.framesOfOverlay();
    if (frames.length === 0) return [];
    const pointsOf = (f: FrameView) => {
      const counts = new Map<string, number>();
      for (const t of f.tags) { const p = t.slice(t.lastIndexOf('.') + 1); counts.set(p, (counts.get(p) ?? 0) + 1); }
      return new Set([...counts].filter(([, n]) => n === 1).map(([p]) => p));
    };
    const [first, ...rest] = frames.map(pointsOf);
    return [...first].filter((p) => rest.every((r) => r.has(p)));
  }

  /**
   * What the overlay draws: the choice made if it is still offered, else a point of each
   * frame's own where the frames concern different tags, else their first tag.
   */
  private overlayChoice(tags = this.tagsOfPicked(), points = this.pointsOfPicked()): string {
    const offered = [...points.map((p) => `point:${p}`), ...tags];
    if (offered.includes(this.overlayTag)) return this.overlayTag;
    const sameTags = new Set(this.framesOfOverlay().map((f) => [...f.tags].sort().join(','))).size <= 1;
    return !sameTags && points.length ? `point:${points[0]}` : tags[0] ?? '';
  }

  private async runOverlay(): Promise<void> {
    const band = this.renderRoot.querySelector<HTMLInputElement>('#band')?.value ?? '';
    const choice = this.overlayChoice();
    if (!choice) { this.error = 'Overlay: pick a tag'; return; }
    const what = choice.startsWith('point:') ? { point: choice.slice(6) } : { tag: choice };
    try {
      this.overlay = await get<OverlayAnswer>(`/frames/overlay${qs({ ids: this.picked.join(','), ...what, reference: this.reference || undefined, band: band || undefined, points: 600 })}`);
      this.error = '';
    } catch (err) {
      this.error = `Overlay: ${errorText(err)}`;
    }
  }

  /** What the command dialog answered, signed and sent: a close by hand or one attribute set. */
  private async runCommand(f: FrameView, c: FrameCommand): Promise<void> {
    this.command = null;
    const what = c.kind === 'close' ? 'Close' : 'Attribute';
    try {
      const r = c.kind === 'close'
        ? await withSignature(this.renderRoot as ShadowRoot, { action: 'frames.close', target: `frame:${f.id}`, title: `Close ${f.name}` },
          (headers) => api<FrameView>('POST', `/frames/${encodeURIComponent(f.id)}/close`, { reason: c.reason, ...(c.end === undefined ? {} : { end: c.end }) }, { headers }))
        : await withSignature(this.renderRoot as ShadowRoot, { action: 'frames.attributes.change', target: `frame:${f.id}`, title: `Set ${c.name} of ${f.name}`, meaning: 'approval' },
          (headers) => api<FrameView>('PATCH', `/frames/${encodeURIComponent(f.id)}/attributes`, { set: { [c.name]: c.value }, reason: c.reason }, { headers }));
      this.info = r === null ? `${what}: cancelled (not signed)` : c.kind === 'close' ? `${f.name} closed` : `${f.name}: ${c.name} set`;
      await this.search();
    } catch (err) {
      this.error = `${what}: ${errorText(err)}`;
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
    const points = this.pointsOfPicked();
    const choice = this.overlayChoice(tags, points);
    const mayExport = can('export');
    const mayClose = can('frames.write');
    const ticked = this.pickedShown().length;
    const allTicked = this.frames.length > 0 && ticked === this.frames.length;
    return html`
      <form class="search" @submit=${this.search} role="search" aria-label="Find frames">
        <label>Text<input name="q" type="search" .value=${this.filters.q} placeholder="batch number, product, operator…" data-testid="frame-q"></label>
        <label>Template<input name="template" .value=${this.filters.template} placeholder="batch, coil, trip…" list="templates"></label>
        <datalist id="templates">${[...new Set(this.frames.map((f) => f.template))].map((t) => html`<option value=${t}></option>`)}</datalist>
        <label>Attribute<input name="attr" .value=${this.filters.attr} placeholder="product=PX-100"></label>
        <historian-time-range .range=${this.range} .presets=${['24h', '7d', '30d', '1y', '10y']} @range-change=${(e: CustomEvent<TimeRange>) => { this.range = e.detail; void this.search(); }}></historian-time-range>
        <button type="submit" class="primary" ?disabled=${this.busy}>Search</button>
      </form>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.info ? html`<div class="muted" role="status">${this.info}</div>` : ''}
      <div class="toolbar picked">
        <span class="muted" data-testid="picked-count">${ticked} of ${this.frames.length} ticked</span>
        ${this.more ? html`<span class="muted" data-testid="frames-limit">(the newest ${this.frames.length} of this range; older ones at the end of the list)</span>` : ''}
        ${mayExport ? html`<span class="nowrap" role="group" aria-label="Export the ticked frames as one file">Export ticked:
          <button data-testid="export-picked-csv" ?disabled=${ticked === 0} @click=${() => this.downloadPicked('csv')}>CSV</button>
          <button data-testid="export-picked-xlsx" ?disabled=${ticked === 0} @click=${() => this.downloadPicked('xlsx')}>XLSX</button></span>` : ''}
        ${this.picked.length ? html`<button class="link" @click=${() => { this.picked = []; }}>Clear ticks</button>` : ''}
        <span class="muted live-note" aria-live="polite" data-testid="frames-live">${this.lastChange}</span>
      </div>
      ${this.frames.length === 0 ? html`<div class="empty" data-testid="frames-empty">No frames in this range${this.busy ? ' (searching…)' : ''}.
        <div class="muted">Batches, phases, trips and downtimes are recorded as frames by an <b>event-frame</b> node in a flow (README "Batches and events").</div></div>` : html`
      <div class="table-wrap">
        <table data-testid="frames-table">
          <caption class="sr-only">Event frames found</caption>
          <thead><tr><th scope="col"><input type="checkbox" aria-label="tick every frame listed" .checked=${allTicked} @change=${(e: Event) => this.toggleAll((e.target as HTMLInputElement).checked)}></th><th scope="col">Name</th><th scope="col" class="hide-narrow">Template</th><th scope="col">Start</th>
            <th scope="col">Duration</th><th scope="col" class="hide-narrow">Attributes</th><th scope="col">Actions</th></tr></thead>
          <tbody>${this.frames.map((f) => html`<tr data-frame=${f.id} class=${this.fresh.has(f.id) ? 'fresh' : ''}>
            <td><input type="checkbox" aria-label=${`tick ${f.name}`} .checked=${this.picked.includes(f.id)} @change=${(e: Event) => this.toggle(f.id, (e.target as HTMLInputElement).checked)}></td>
            <td>${f.name}</td>
            <td class="hide-narrow">${f.template}</td>
            <td>${fmtDateTime(f.start)}</td>
            <td class=${f.end === null ? 'open' : ''}>${f.end === null ? `open · ${fmtDuration(Date.now() - f.start)}` : fmtDuration(f.end - f.start)}</td>
            <td class="attrs hide-narrow">${Object.keys(f.attributes).map((k) => attributeLabel(f, k)).join(', ')}</td>
            <td><a href=${trendLink(f)} data-testid="frame-trend">Trend</a>
              ${f.end === null && mayClose ? html` <button class="link" @click=${() => { this.command = { kind: 'close', frame: f }; }}>Close…</button>` : ''}
              ${mayClose ? html` <button class="link" aria-label=${`set an attribute of ${f.name}`} @click=${() => { this.command = { kind: 'attribute', frame: f }; }}>Attribute…</button>` : ''}
              ${mayExport ? html` <button class="link" aria-label=${`export ${f.name} as CSV`} @click=${() => this.download(f, 'csv')}>CSV</button>
                <button class="link" aria-label=${`export ${f.name} as XLSX`} @click=${() => this.download(f, 'xlsx')}>XLSX</button>` : ''}</td>
          </tr>`)}</tbody>
        </table>
        ${this.more ? html`<div class="older"><button data-testid="frames-older" ?disabled=${this.busy} @click=${() => this.showOlder()}>Show ${LIST_LIMIT} older frames</button></div>` : ''}
      </div>`}
      <section class="overlay panel" aria-label="Overlay">
        <div class="toolbar">
          <strong>Overlay</strong><span class="muted">${this.picked.length} frame(s) ticked</span>
          <label for="ov-tag">Tag</label>
          <select id="ov-tag" @change=${(e: Event) => { this.overlayTag = (e.target as HTMLSelectElement).value; }}>
            ${tags.length === 0 ? html`<option value="">—</option>` : ''}
            ${points.length ? html`<optgroup label="Each frame's own tag">${points.map((p) => html`<option value=${`point:${p}`} ?selected=${`point:${p}` === choice}>${p} (each frame's own)</option>`)}</optgroup>` : ''}
            ${tags.length ? html`<optgroup label="One tag for every frame">${tags.map((t) => html`<option value=${t} ?selected=${t === choice}>${t}</option>`)}</optgroup>` : ''}
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
      </section>
      ${this.command ? html`<historian-frame-command-dialog .frame=${this.command.frame} .kind=${this.command.kind}
        @frame-command=${(e: CustomEvent<FrameCommand>) => this.runCommand(this.command!.frame, e.detail)}
        @frame-command-cancel=${() => { this.command = null; }}></historian-frame-command-dialog>` : ''}`;
  }
}

customElements.define('historian-frames-view', FramesView);

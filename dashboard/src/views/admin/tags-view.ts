// Tags (ENGINEER/ADMIN): browse and search the registry, edit a tag's metadata (retention
// changes are signed when the server asks), and see what the tag does: sample rate, last
// value and approximate bytes on disk (GET /tags/:tag/stats explains the estimate).
import { LitElement, html, css } from 'lit';
import { get, qs, errorText } from '../../api';
import { Refresh } from '../../lib/refresh';
import { can } from '../../session';
import { adminStyles, figureList, fmtBytes, fmtNumber, fmtTime, signedCall } from './admin-common';
import { tagPath } from '../../components/tag-path';

interface TagMeta {
  tag: string; description: string; unit: string; spanLow: number | null; spanHigh: number | null; valueType: string; interpolation: string;
  loggingMode: string; deviation: number | null; deviationPercent: number | null; maxIntervalMs: number | null; retentionMs: number | null;
  states?: string[] | null;
}
interface Stats { samples: number; samplesPerSecond: number; latest: { ts: number; value: number; quality: number } | null; approxBytes: number; bytesPerSample: number | null; firstTs: number | null; headSamples: number }

const DAY = 86_400_000;
const LIMIT = 500;

function numOrNull(v: FormDataEntryValue | null): number | null {
  const s = String(v ?? '').trim();
  return s === '' ? null : Number(s);
}

export class TagsView extends LitElement {
  static properties = { tags: { state: true }, pattern: { state: true }, sel: { state: true }, stats: { state: true }, error: { state: true }, notice: { state: true }, text: { state: true } };
  declare tags: TagMeta[];
  declare pattern: string;
  declare text: string;
  declare sel: TagMeta | null;
  declare stats: Stats | null;
  declare error: string;
  declare notice: string;

  static styles = [...adminStyles, css`
    .list { max-height: calc(100vh - 220px); overflow: auto; }
    tr.pick { cursor: pointer; }
    tr.sel td { background: var(--selected); }
    td.tag { overflow-wrap: anywhere; }
  `, figureList];

  constructor() {
    super();
    this.tags = [];
    this.pattern = '>';
    this.text = '';
    this.sel = null;
    this.stats = null;
    this.error = '';
    this.notice = '';
  }

  private readonly refresh = new Refresh(this, () => this.load());

  private async load(): Promise<void> {
    try {
      this.tags = (await get<{ tags: TagMeta[] }>(`/tags${qs({ pattern: this.pattern || '>', limit: 100_000 })}`)).tags;
      this.error = '';
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async pick(t: TagMeta): Promise<void> {
    this.sel = t;
    this.stats = null;
    this.notice = '';
    try {
      this.stats = await get<Stats>(`/tags/${encodeURIComponent(t.tag)}/stats`);
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private async save(e: Event): Promise<void> {
    e.preventDefault();
    const t = this.sel!;
    const d = new FormData(e.target as HTMLFormElement);
    const retentionDays = numOrNull(d.get('retentionDays'));
    const states = String(d.get('states') ?? '').split(',').map((s) => s.trim());
    const body: Record<string, unknown> = {
      description: String(d.get('description') ?? ''), unit: String(d.get('unit') ?? '').trim(),
      spanLow: numOrNull(d.get('spanLow')), spanHigh: numOrNull(d.get('spanHigh')),
      interpolation: d.get('interpolation'), loggingMode: d.get('loggingMode'),
      deviation: numOrNull(d.get('deviation')), deviationPercent: numOrNull(d.get('deviationPercent')),
      states: states.every((s) => s === '') ? null : states,
    };
    const retentionMs = retentionDays === null ? null : Math.round(retentionDays * DAY);
    // Only send retention when it changes: a retention change deletes data and is signed.
    if (retentionMs !== t.retentionMs) body.retentionMs = retentionMs;
    this.error = '';
    this.notice = '';
    try {
      const out = await signedCall<TagMeta>(this, 'PUT', `/tags/${encodeURIComponent(t.tag)}`, body,
        { action: 'retention.change', target: t.tag, title: `retention of ${t.tag}` });
      if (!out) return;
      this.notice = `Saved ${t.tag}.`;
      this.tags = this.tags.map((x) => (x.tag === out.tag ? out : x));
      this.sel = out;
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private renderEditor(t: TagMeta) {
    const ro = !can('tags.write');
    const opt = (v: string, cur: string) => html`<option value=${v} ?selected=${v === cur}>${v}</option>`;
    const s = this.stats;
    const latest = s?.latest ? (t.states?.[s.latest.value] ?? fmtNumber(s.latest.value, 3)) : '—';
    return html`
      <div class="panel" data-testid="tag-stats">
        <h3 style="margin-top:0;overflow-wrap:anywhere">${t.tag}</h3>
        <dl>
          <dt>Last value</dt><dd>${latest} ${s?.latest ? html`${t.unit} <span class="muted">at ${fmtTime(s.latest.ts)}</span>` : ''}</dd>
          <dt>Sample rate</dt><dd>${s ? `${fmtNumber(s.samplesPerSecond, 3)} /s (last hour)` : '…'}</dd>
          <dt>Samples stored</dt><dd>${s ? fmtNumber(s.samples, 0) : '…'}</dd>
          <dt>On disk</dt><dd>${!s ? '…' : s.bytesPerSample === null ? html`not yet in blocks <span class="muted">(${fmtNumber(s.headSamples, 0)} samples in the WAL and head)</span>`
            : html`≈ ${fmtBytes(s.approxBytes)} <span class="muted">(estimate: samples in blocks × the store's ${s.bytesPerSample.toFixed(2)} B/sample; ${fmtNumber(s.headSamples, 0)} more in the WAL)</span>`}</dd>
        </dl>
      </div>
      <form class="panel fields" @submit=${this.save} data-testid="tag-editor" aria-label="Tag metadata">
        <label for="tg-desc">Description</label><input id="tg-desc" name="description" .value=${t.description} maxlength="1000" ?disabled=${ro} />
        <label for="tg-unit">Unit</label><input id="tg-unit" name="unit" .value=${t.unit} maxlength="50" ?disabled=${ro} />
        <label for="tg-lo">Span low</label><input id="tg-lo" name="spanLow" type="number" step="any" .value=${t.spanLow ?? ''} ?disabled=${ro} />
        <label for="tg-hi">Span high</label><input id="tg-hi" name="spanHigh" type="number" step="any" .value=${t.spanHigh ?? ''} ?disabled=${ro} />
        <label for="tg-int">Interpolation</label><select id="tg-int" name="interpolation" ?disabled=${ro}>${['step', 'linear'].map((v) => opt(v, t.interpolation))}</select>
        <label for="tg-states">State names</label><input id="tg-states" name="states" .value=${(t.states ?? []).join(', ')} placeholder="discrete: Stopped, Running, Fault" ?disabled=${ro} />
        <label for="tg-log">Logging</label><select id="tg-log" name="loggingMode" ?disabled=${ro}>${['every', 'on-change', 'deadband', 'swinging-door'].map((v) => opt(v, t.loggingMode))}</select>
        <label for="tg-dev">Deviation</label><input id="tg-dev" name="deviation" type="number" min="0" step="any" .value=${t.deviation ?? ''} placeholder="engineering units" ?disabled=${ro} />
        <label for="tg-devp">Deviation %</label><input id="tg-devp" name="deviationPercent" type="number" min="0" max="100" step="any" .value=${t.deviationPercent ?? ''} placeholder="of span" ?disabled=${ro} />
        <label for="tg-ret">Retention (days)</label><input id="tg-ret" name="retentionDays" type="number" min="0.001" step="any" .value=${t.retentionMs === null ? '' : String(t.retentionMs / DAY)} placeholder="store default" ?disabled=${ro || !can('retention.manage')} />
        <p class="full muted" style="margin:0;font-size:12px">A retention change deletes older data and needs an electronic signature.</p>
        ${ro ? '' : html`<div class="full"><button type="submit" class="primary">Save</button></div>`}
      </form>`;
  }

  render() {
    const q = this.text.trim().toLowerCase();
    const shown = (q ? this.tags.filter((t) => t.tag.toLowerCase().includes(q) || t.description.toLowerCase().includes(q)) : this.tags);
    return html`
      <h2>Tags</h2>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.notice ? html`<div class="notice" role="status">${this.notice}</div>` : ''}
      <div class="grid">
        <div>
          <form class="toolbar" @submit=${(e: Event) => { e.preventDefault(); void this.load(); }} aria-label="Search tags">
            <label for="tg-pattern">Pattern</label><input id="tg-pattern" .value=${this.pattern} @change=${(e: Event) => { this.pattern = (e.target as HTMLInputElement).value; }} placeholder="acme.*.line1.>" />
            <button type="submit">Load</button>
            <label for="tg-search">Search</label><input id="tg-search" type="search" data-testid="tag-search" .value=${this.text} @input=${(e: Event) => { this.text = (e.target as HTMLInputElement).value; }} placeholder="text in name or description" />
            <span class="muted">${shown.length} of ${this.tags.length}</span>
          </form>
          <div class="list"><table data-testid="tags-table">
            <thead><tr><th scope="col">Tag</th><th scope="col">Description</th><th scope="col">Unit</th><th scope="col">Logging</th></tr></thead>
            <tbody>${shown.slice(0, LIMIT).map((t) => html`<tr class="pick ${this.sel?.tag === t.tag ? 'sel' : ''}" data-tag=${t.tag} tabindex="0"
              @click=${() => this.pick(t)} @keydown=${(e: KeyboardEvent) => { if (e.key === 'Enter') void this.pick(t); }}>
              <td class="tag">${tagPath(t.tag)}</td><td>${t.description}</td><td>${t.unit}</td><td>${t.loggingMode}</td></tr>`)}</tbody>
          </table>${shown.length > LIMIT ? html`<p class="muted">Showing ${LIMIT} of ${shown.length}; narrow the search.</p>` : ''}</div>
        </div>
        <div>${this.sel ? this.renderEditor(this.sel) : html`<div class="empty">Pick a tag to see and edit it.</div>`}</div>
      </div>`;
  }
}
customElements.define('historian-admin-tags', TagsView);

// Layouts: a 12-column grid of widgets that users add, drag (by the title bar) and resize
// (by the corner), saved on the server per user; shared layouts are changed only by
// roles with layouts.shared.write. Export/import as JSON files.
import { styleMap } from 'lit/directives/style-map.js';
import { LitElement, html, css } from 'lit';
import { api, get, errorText, ApiError } from '../api';
import { offers } from '../capabilities';
import { can } from '../session';
import { base } from '../styles';
import { PRESETS } from '../lib/ranges';
import '../components/tag-picker';
import '../trend/trend-chart';
import '../widgets/widgets';
import { confirmAction } from '../components/confirm-dialog';

type WType = 'trend' | 'value' | 'gauge' | 'alarms' | 'text' | 'image';
interface Widget { id: string; type: WType; title: string; x: number; y: number; w: number; h: number; config: Record<string, any> }
interface Layout { id?: string; name: string; owner?: string; shared: boolean; widgets: Widget[]; version?: number; editable?: boolean }

const COLS = 12;
const ROW = 64;
const DEFAULTS: Record<WType, { w: number; h: number; config: Record<string, any> }> = {
  trend: { w: 6, h: 4, config: { tags: [], range: '1h' } },
  value: { w: 3, h: 2, config: { tag: '' } },
  gauge: { w: 3, h: 2, config: { tag: '', min: 0, max: 100, style: 'bar' } },
  alarms: { w: 4, h: 3, config: { area: '>', max: 10 } },
  text: { w: 4, h: 2, config: { markdown: '## Notes\nWrite **Markdown** here.' } },
  image: { w: 3, h: 3, config: { src: '/favicon.ico', alt: '' } },
};

export class LayoutView extends LitElement {
  static properties = { info: { state: true }, layouts: { state: true }, current: { state: true }, editing: { state: true }, error: { state: true }, absent: { state: true }, selected: { state: true }, dirty: { state: true } };
  declare layouts: Layout[];
  declare current: Layout | null;
  declare editing: boolean;
  declare error: string;
  declare absent: boolean;
  declare selected: string | null;
  declare dirty: boolean;
  declare info: string;
  /** layout to open first (from the route, e.g. the home layout) */
  selectId: string | null = null;
  private drag: { id: string; mode: 'move' | 'size'; sx: number; sy: number; ox: number; oy: number; ow: number; oh: number } | null = null;

  constructor() {
    super();
    this.layouts = [];
    this.current = null;
    this.editing = false;
    this.error = '';
    this.absent = false;
    this.selected = null;
    this.dirty = false;
    this.info = '';
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    .grid { position: relative; background: var(--canvas); border: 1px solid var(--border); min-height: 300px; }
    .grid.editing { background-image: linear-gradient(to right, var(--grid) 1px, transparent 1px); background-size: calc(100% / 12) 100%; }
    .w { position: absolute; box-sizing: border-box; padding: 3px; }
    .card { height: 100%; display: flex; flex-direction: column; background: var(--panel); border: 1px solid var(--border); overflow: hidden; }
    .card.sel { outline: 2px solid var(--focus); }
    .head { font-size: 12px; font-weight: 600; padding: 2px 6px; background: var(--card-head); display: flex; gap: 4px; align-items: center; user-select: none; }
    .editing .head { cursor: move; }
    .body { flex: 1; min-height: 0; position: relative; overflow: hidden; }
    .grip { position: absolute; right: 3px; bottom: 3px; width: 14px; height: 14px; cursor: nwse-resize; background: linear-gradient(135deg, transparent 50%, var(--normal-line) 50%); }
    .cfg { display: grid; grid-template-columns: auto 1fr; gap: 4px 8px; align-items: center; }
    img { max-width: 100%; max-height: 100%; object-fit: contain; display: block; margin: auto; }
    .spacer { flex: 1; }
    .pick historian-tag-picker { height: 200px; }
    .lbl { align-self: start; }
    /* a phone: widgets one under the other, full width (their grid places are kept) */
    @media (max-width: 700px) {
      .grid { height: auto !important; display: flex; flex-direction: column; gap: 6px; }
      .w { position: static !important; width: auto !important; height: 240px !important; }
      .cfg { grid-template-columns: 1fr; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.loadList(this.selectId ?? undefined);
  }

  private async loadList(selectId?: string): Promise<void> {
    try {
      const r = await get<{ layouts: Layout[] }>('/layouts');
      this.layouts = r.layouts;
      this.absent = false;
      const pick = this.layouts.find((l) => l.id === (selectId ?? this.current?.id)) ?? this.layouts[0] ?? null;
      this.current = pick ? structuredClone(pick) : null;
      this.dirty = false;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) this.absent = true;
      else this.error = errorText(e);
    }
  }

  private mayEdit(): boolean {
    const c = this.current;
    if (!c) return false;
    if (!c.id) return can('layouts.write') || can('layouts.shared.write');
    return !!c.editable;
  }

  private newLayout(): void {
    this.current = { name: 'New layout', shared: false, widgets: [] };
    this.editing = true;
    this.dirty = true;
  }

  private add(type: WType): void {
    const c = this.current!;
    const d = DEFAULTS[type];
    const { x, y } = freeSpot(c.widgets, d.w, d.h);
    const id = `w${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
    this.current = { ...c, widgets: [...c.widgets, { id, type, title: type, x, y, w: d.w, h: d.h, config: structuredClone(d.config) }] };
    this.selected = id;
    this.dirty = true;
  }

  private async save(): Promise<void> {
    const c = this.current!;
    const name = c.name.trim();
    if (!name) { this.error = 'name: a layout needs a name'; return; }
    if (this.layouts.some((l) => l.id !== c.id && l.name.trim().toLowerCase() === name.toLowerCase())) {
      this.error = `name: a layout named "${name}" exists already; choose another name`;
      return;
    }
    const body = { name: c.name, shared: c.shared, widgets: c.widgets, version: c.version };
    try {
      const saved = c.id ? await api<Layout>('PUT', `/layouts/${c.id}`, body) : await api<Layout>('POST', '/layouts', body);
      this.error = '';
      await this.loadList(saved.id);
      this.editing = false;
    } catch (e) { this.error = `save: ${errorText(e)}`; }
  }

  /** Makes the current (shared) layout the page every user sees first after sign-in. */
  private async setHome(): Promise<void> {
    const c = this.current!;
    try {
      await api('PUT', '/layouts/home', { id: c.id });
      this.error = '';
      this.info = `"${c.name}" is now the home page`;
    } catch (e) {
      this.error = e instanceof ApiError && e.status === 404 && !(await offers('layouts')) ? 'a home layout is not available on this server' : `set as home: ${errorText(e)}`;
    }
  }

  private async deleteLayout(): Promise<void> {
    const c = this.current!;
    if (!c.id || !(await confirmAction(this.renderRoot as ShadowRoot, { title: `Delete layout "${c.name}"?`, message: c.shared ? 'It is shared: it is removed for everyone who uses it.' : 'It is removed from your layouts.', confirmLabel: 'Delete' }))) return;
    try { await api('DELETE', `/layouts/${c.id}`); this.current = null; await this.loadList(); } catch (e) { this.error = errorText(e); }
  }

  private exportJson(): void {
    const c = this.current!;
    const blob = new Blob([JSON.stringify({ name: c.name, shared: c.shared, widgets: c.widgets }, null, 2)], { type: 'application/json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `${c.name.replace(/[^A-Za-z0-9_-]+/g, '_')}.layout.json`;
    a.click();
    window.setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  }

  private async importJson(e: Event): Promise<void> {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      const doc = JSON.parse(await file.text());
      const saved = await api<Layout>('POST', '/layouts', { name: doc.name, shared: false, widgets: doc.widgets });
      this.error = '';
      await this.loadList(saved.id);
    } catch (err) { this.error = `import: ${errorText(err)}`; }
  }

  private patch(id: string, p: Partial<Widget>): void {
    const c = this.current!;
    this.current = { ...c, widgets: c.widgets.map((w) => (w.id === id ? { ...w, ...p } : w)) };
    this.dirty = true;
  }

  private down(e: PointerEvent, w: Widget, mode: 'move' | 'size'): void {
    if (!this.editing) return;
    e.preventDefault();
    e.stopPropagation();
    this.selected = w.id;
    this.drag = { id: w.id, mode, sx: e.clientX, sy: e.clientY, ox: w.x, oy: w.y, ow: w.w, oh: w.h };
    const grid = this.renderRoot.querySelector('.grid') as HTMLElement;
    const colW = grid.clientWidth / COLS;
    const move = (ev: PointerEvent) => {
      const d = this.drag!;
      const dx = Math.round((ev.clientX - d.sx) / colW);
      const dy = Math.round((ev.clientY - d.sy) / ROW);
      if (d.mode === 'move') this.patch(d.id, { x: Math.max(0, Math.min(COLS - d.ow, d.ox + dx)), y: Math.max(0, d.oy + dy) });
      else this.patch(d.id, { w: Math.max(1, Math.min(COLS - d.ox, d.ow + dx)), h: Math.max(1, Math.min(50, d.oh + dy)) });
    };
    const up = () => { window.removeEventListener('pointermove', move); window.removeEventListener('pointerup', up); this.drag = null; };
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  }

  private renderBody(w: Widget) {
    const c = w.config;
    switch (w.type) {
      case 'trend': return c.tags?.length ? html`<historian-trend compact .label=${w.title} .tags=${c.tags} .range=${{ preset: c.range ?? '1h' }}></historian-trend>` : html`<div class="muted pad">Choose tags.</div>`;
      case 'value': return html`<historian-value-card .tag=${c.tag} .decimals=${c.decimals}></historian-value-card>`;
      case 'gauge': return html`<historian-gauge .tag=${c.tag} .min=${c.min} .max=${c.max} .kind=${c.style}></historian-gauge>`;
      case 'alarms': return html`<historian-alarm-list .area=${c.area} .max=${c.max}></historian-alarm-list>`;
      case 'text': return html`<historian-text .label=${w.title} .markdown=${c.markdown ?? ''}></historian-text>`;
      case 'image': return html`<img src=${c.src} alt=${c.alt ?? ''} />`;
    }
  }

  private renderConfig() {
    const w = this.current?.widgets.find((x) => x.id === this.selected);
    if (!w || !this.editing) return '';
    const cfg = (key: string, v: unknown) => this.patch(w.id, { config: { ...w.config, [key]: v } });
    const id = (key: string) => `cfg-${w.id}-${key}`;
    const field = (label: string, key: string, kind: 'text' | 'number' | 'area' = 'text') => html`<label for=${id(key)}>${label}</label>
      ${kind === 'area' ? html`<textarea id=${id(key)} name=${`cfg-${key}`} rows="4" .value=${w.config[key] ?? ''} @input=${(e: Event) => cfg(key, (e.target as HTMLTextAreaElement).value)}></textarea>`
        : html`<input id=${id(key)} name=${`cfg-${key}`} type=${kind === 'number' ? 'number' : 'text'} step="any" .value=${String(w.config[key] ?? '')}
        @change=${(e: Event) => { const el = e.target as HTMLInputElement; if (kind === 'number' && !Number.isFinite(el.valueAsNumber)) { this.error = `${label}: a number is needed`; return; } cfg(key, kind === 'number' ? el.valueAsNumber : el.value); }} />`}`;
    const choice = (label: string, key: string, options: Array<[string, string]>) => html`<label for=${id(key)}>${label}</label>
      <select id=${id(key)} name=${`cfg-${key}`} @change=${(e: Event) => cfg(key, (e.target as HTMLSelectElement).value)}>
        ${options.map(([v, l]) => html`<option value=${v} ?selected=${w.config[key] === v}>${l}</option>`)}</select>`;
    // the same tag tree as the trend: one tag for value/gauge, up to 8 for a trend
    const tags = (many: boolean) => {
      const sel: string[] = many ? (w.config.tags ?? []) : w.config.tag ? [w.config.tag] : [];
      return html`<span class="lbl">${many ? 'Tags' : 'Tag'}</span><div class="pick" data-testid="widget-tags">
        <div class="muted">${sel.length ? sel.join(', ') : 'none chosen'}</div>
        <historian-tag-picker .selected=${sel} @pick=${(e: CustomEvent<string>) => {
          const t = e.detail;
          if (many) cfg('tags', sel.includes(t) ? sel.filter((x) => x !== t) : [...sel, t].slice(-8));
          else cfg('tag', t);
        }}></historian-tag-picker></div>`;
    };
    return html`<div class="panel cfg" data-testid="widget-config">
      <label for=${id('title')}>Title</label><input id=${id('title')} name="cfg-title" .value=${w.title} @input=${(e: Event) => this.patch(w.id, { title: (e.target as HTMLInputElement).value })} />
      ${w.type === 'trend' ? html`${tags(true)}${choice('Range', 'range', PRESETS.map((p) => [p.id, `last ${p.label}`]))}` : ''}
      ${w.type === 'value' ? html`${tags(false)}${field('Decimals (empty = from the tag)', 'decimals', 'number')}` : ''}
      ${w.type === 'gauge' ? html`${tags(false)}${field('Min', 'min', 'number')}${field('Max', 'max', 'number')}${choice('Style', 'style', [['bar', 'Bar'], ['gauge', 'Dial gauge']])}` : ''}
      ${w.type === 'alarms' ? html`${field('Area (tag pattern, > = all)', 'area')}${field('Max rows', 'max', 'number')}` : ''}
      ${w.type === 'text' ? field('Markdown', 'markdown', 'area') : ''}
      ${w.type === 'image' ? html`${field('Image URL', 'src')}${field('Alt text', 'alt')}` : ''}
      <span></span><button @click=${() => { this.current = { ...this.current!, widgets: this.current!.widgets.filter((x) => x.id !== w.id) }; this.selected = null; this.dirty = true; }}>Remove widget</button>
    </div>`;
  }

  render() {
    if (this.absent) return html`<div class="empty" data-testid="layouts-absent">Layouts are not available on this server yet.</div>`;
    const c = this.current;
    const edit = this.mayEdit();
    const rows = c ? c.widgets.reduce((m, w) => Math.max(m, w.y + w.h), 4) : 4;
    return html`
      <div class="toolbar">
        ${this.layouts.length || c ? html`<select aria-label="layout" @change=${(e: Event) => { const l = this.layouts.find((x) => x.id === (e.target as HTMLSelectElement).value); this.current = l ? structuredClone(l) : null; this.editing = false; this.dirty = false; this.error = ""; this.info = ""; }}>
          ${this.layouts.map((l) => html`<option value=${l.id!} ?selected=${l.id === c?.id}>${l.name}${l.shared ? ' (shared)' : ''}</option>`)}
          ${c && !c.id ? html`<option selected>${c.name} (unsaved)</option>` : ''}
        </select>` : ''}
        ${can('layouts.write') ? html`<button data-action="new-layout" @click=${this.newLayout}>New</button>
          <label class="muted">Import <input type="file" accept="application/json,.json" data-action="import" @change=${this.importJson} /></label>` : ''}
        ${c ? html`<button data-action="export-layout" @click=${this.exportJson}>Export JSON</button>` : ''}
        ${edit ? html`<button data-action="edit" aria-pressed=${String(this.editing)} @click=${() => { this.editing = !this.editing; }}>${this.editing ? 'Done editing' : 'Edit'}</button>` : ''}
        <span class="spacer"></span>
        ${this.editing && c ? html`
          <input aria-label="layout name" .value=${c.name} @input=${(e: Event) => { this.current = { ...c, name: (e.target as HTMLInputElement).value }; this.dirty = true; }} />
          ${can('layouts.shared.write') ? html`<label><input type="checkbox" .checked=${c.shared} @change=${(e: Event) => { this.current = { ...c, shared: (e.target as HTMLInputElement).checked }; this.dirty = true; }} /> shared</label>` : ''}
          ${(['trend', 'value', 'gauge', 'alarms', 'text', 'image'] as WType[]).map((t) => html`<button data-add=${t} @click=${() => this.add(t)}>+ ${t}</button>`)}
          <button class="primary" data-action="save-layout" ?disabled=${!this.dirty} @click=${this.save}>Save</button>
          ${c.id && c.shared && can('layouts.shared.write') ? html`<button data-action="set-home" @click=${this.setHome}>Set as home</button>` : ''}
          ${c.id ? html`<button data-action="delete-layout" @click=${this.deleteLayout}>Delete</button>` : ''}` : ''}
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.info ? html`<div class="muted" role="status">${this.info}</div>` : ''}
      ${this.renderConfig()}
      ${!c ? html`<div class="empty">No layouts yet.${can('layouts.write') ? ' Press "New" to make one.' : ''}</div>` : html`
        <div class="grid ${this.editing ? 'editing' : ''}" data-testid="layout-grid" style=${styleMap({ height: `${rows * ROW}px` })}>
          ${c.widgets.map((w) => html`<div class="w" data-widget=${w.id} style=${styleMap({ left: `${(w.x / COLS) * 100}%`, top: `${w.y * ROW}px`, width: `${(w.w / COLS) * 100}%`, height: `${w.h * ROW}px` })}>
            <div class="card ${this.selected === w.id && this.editing ? 'sel' : ''}" @click=${() => { if (this.editing) this.selected = w.id; }}>
              <div class="head" @pointerdown=${(e: PointerEvent) => this.down(e, w, 'move')}>${w.title || w.type}</div>
              <div class="body">${this.renderBody(w)}</div>
              ${this.editing ? html`<div class="grip" data-grip=${w.id} @pointerdown=${(e: PointerEvent) => this.down(e, w, 'size')}></div>` : ''}
            </div></div>`)}
          ${!c.widgets.length ? html`<div class="empty pad">This layout has no widgets yet.</div>` : ''}
        </div>`}`;
  }
}

customElements.define('historian-layout-view', LayoutView);

/** The first place (row by row, left to right) where a w×h widget overlaps no other. */
export function freeSpot(widgets: Array<{ x: number; y: number; w: number; h: number }>, w: number, h: number): { x: number; y: number } {
  const free = (x: number, y: number) => widgets.every((o) => x + w <= o.x || o.x + o.w <= x || y + h <= o.y || o.y + o.h <= y);
  for (let y = 0; ; y++) for (let x = 0; x + w <= COLS; x++) if (free(x, y)) return { x, y };
}

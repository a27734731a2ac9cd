// <historian-trend>: one uPlot chart of several tags. History comes from the server's
// min-max downsampling at about one point per pixel; live samples are appended from the
// WebSocket and the right edge follows "now" until the user zooms or pans into the past.
// Units get their own y axes; bad/uncertain quality is marked; `<tag>.predicted` with
// `.lo`/`.hi` is drawn dashed in a shaded band; alarm transitions and annotations are
// vertical markers.
import { LitElement, html, css, unsafeCSS, type PropertyValues } from 'lit';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { api, get, qs, errorText, ApiError } from '../api';
import { live, type LiveSample } from '../live-client';
import { can } from '../session';
import { base } from '../styles';
import { PRESETS, presetMs, fmtTime, toLocalInput, fromLocalInput } from './ranges';
import { align, appendLive, emptySeries, indexAt, trimBefore, type TagSeries } from './series-store';
import { downloadExport, type ExportProgress } from './export-download';

interface TagMeta { tag: string; unit?: string; description?: string; spanLow?: number | null; spanHigh?: number | null }
interface Plan { kind: 'main' | 'pred' | 'lo' | 'hi'; tag: string; key: string; scale: string }
interface Marker { ts: number; tag: string; to: string; label: string }
interface Note { id: string; ts: number; tag: string | null; text: string; author: string }
interface Readout { time: number; rows: Array<{ tag: string; value: string; unit: string; quality: string }> }

// Quiet, distinguishable greys/blues for normal lines (ISA-101): colour is for abnormal states.
const LINE = ['#3d4f66', '#6b6b6b', '#2f6f6f', '#7a5c3d', '#4b4b8a', '#5e7a3d', '#806080', '#444'];
const BAD = '#c00000';
const UNCERTAIN = '#d08a00';

function qclass(q: string | undefined): number {
  if (!q || q === 'GOOD' || q.startsWith('GOOD')) return 0;
  return q.startsWith('BAD') ? 2 : 1;
}

export class HistorianTrend extends LitElement {
  static properties = {
    tags: { type: Array },
    preset: { type: String },
    compact: { type: Boolean },
    height: { type: Number },
    paused: { state: true },
    error: { state: true },
    readout: { state: true },
    loading: { state: true },
    customOpen: { state: true },
    progress: { state: true },
    noteOpen: { state: true },
  };

  declare tags: string[];
  declare preset: string;
  declare compact: boolean;
  declare height: number;
  declare paused: boolean;
  declare error: string;
  declare readout: Readout | null;
  declare loading: boolean;
  declare customOpen: boolean;
  declare progress: ExportProgress | null;
  declare noteOpen: boolean;

  private plot: uPlot | null = null;
  private plan: Plan[] = [];
  private data = new Map<string, TagSeries>();
  private meta = new Map<string, TagMeta>();
  private markers: Marker[] = [];
  private notes: Note[] = [];
  private qual: Uint8Array[] = [];
  private view = { from: 0, to: 0 };
  private unsub: Array<() => void> = [];
  private tick: number | undefined;
  private raf = 0;
  private fetchSeq = 0;
  private refetchTimer: number | undefined;
  private resize: ResizeObserver | null = null;
  private pinned: number | null = null;
  /** ts of live samples appended since the last draw: the latency probe reads them */
  private freshLive: number[] = [];
  private width = 800;

  constructor() {
    super();
    this.tags = [];
    this.preset = '1h';
    this.compact = false;
    this.height = 360;
    this.paused = false;
    this.error = '';
    this.readout = null;
    this.loading = false;
    this.customOpen = false;
    this.progress = null;
    this.noteOpen = false;
  }

  static styles = [base, unsafeCSS(uplotCss), css`
    :host { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
    .plot { position: relative; min-height: 120px; background: #f4f4f4; border: 1px solid #c8c8c8; flex: 1; }
    .readout { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12px; min-height: 18px; font-variant-numeric: tabular-nums; }
    .readout .q2 { color: #fff; background: ${unsafeCSS(BAD)}; padding: 0 4px; }
    .readout .q1 { background: #f6efcf; padding: 0 4px; }
    .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-right: 4px; }
    .state { font-size: 12px; padding: 1px 6px; border-radius: 2px; background: #d8d8d8; }
    .state.paused { background: #e8dca0; }
    .bar { height: 4px; background: #ccc; width: 120px; display: inline-block; vertical-align: middle; }
    .bar > i { display: block; height: 100%; background: #666; }
    .u-legend { display: none; }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.tick = window.setInterval(() => { if (!this.paused) this.follow(); }, 1000);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.tick);
    for (const u of this.unsub) u();
    this.unsub = [];
    this.resize?.disconnect();
    this.plot?.destroy();
    this.plot = null;
  }

  protected firstUpdated(): void {
    const box = this.renderRoot.querySelector('.plot') as HTMLElement;
    this.resize = new ResizeObserver(() => {
      const w = Math.max(200, Math.floor(box.clientWidth));
      const h = Math.max(100, Math.floor(this.compact ? box.clientHeight : this.height));
      if (this.plot && (w !== this.plot.width || h !== this.plot.height)) this.plot.setSize({ width: w, height: h });
      if (Math.abs(w - this.width) > 50) { this.width = w; this.scheduleRefetch(); }
    });
    this.resize.observe(box);
    this.width = Math.max(200, box.clientWidth);
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('tags') || changed.has('preset')) {
      this.paused = false;
      void this.load();
    }
  }

  // ---------- data ----------

  private span(): number { return presetMs(this.preset); }

  /** Re-reads everything for the current tags: metadata, predicted companions, history. */
  private async load(): Promise<void> {
    for (const u of this.unsub) u();
    this.unsub = [];
    const tags = [...new Set(this.tags)];
    await Promise.all(tags.map((t) => this.loadMeta(t)));
    const plan: Plan[] = [];
    for (const t of tags) {
      const scale = this.meta.get(t)?.unit || `_${t}`;
      plan.push({ kind: 'main', tag: t, key: t, scale });
      const companions = this.meta.get(`${t}.predicted`);
      if (companions) {
        plan.push({ kind: 'pred', tag: t, key: `${t}.predicted`, scale });
        if (this.meta.get(`${t}.predicted.lo`) && this.meta.get(`${t}.predicted.hi`)) {
          plan.push({ kind: 'lo', tag: t, key: `${t}.predicted.lo`, scale }, { kind: 'hi', tag: t, key: `${t}.predicted.hi`, scale });
        }
      }
    }
    this.plan = plan;
    for (const p of plan) {
      this.unsub.push(live.on(p.key, (s) => this.onLive(s)));
    }
    this.unsub.push(live.onAlarm((a) => {
      const tag = String(a.tag ?? '');
      if (!tags.includes(tag)) return;
      this.markers.push({ ts: Number(a.ts ?? Date.now()), tag, to: String(a.to ?? a.state ?? ''), label: String(a.message ?? a.to ?? '') });
      this.schedule();
    }));
    this.rebuildPlot();
    const now = Date.now();
    await this.fetchRange(now - this.span(), now);
  }

  private async loadMeta(tag: string): Promise<void> {
    if (this.meta.has(tag)) return;
    try {
      const r = await get<{ tags: TagMeta[] }>(`/tags${qs({ pattern: `${tag}.>` })}`);
      for (const m of r.tags) this.meta.set(m.tag, m);
      const own = await get<TagMeta>(`/tags/${encodeURIComponent(tag)}`);
      this.meta.set(tag, own);
    } catch {
      this.meta.set(tag, { tag });
    }
  }

  private scheduleRefetch(): void {
    window.clearTimeout(this.refetchTimer);
    this.refetchTimer = window.setTimeout(() => {
      if (!this.plan.length) return;
      if (this.paused) void this.fetchRange(this.view.from, this.view.to);
      else { const now = Date.now(); void this.fetchRange(now - this.span(), now); }
    }, 150);
  }

  /** History of [from, to) for every series, about one min-max pair per pixel. */
  private async fetchRange(from: number, to: number): Promise<void> {
    const seq = ++this.fetchSeq;
    this.view = { from, to };
    if (!this.plan.length) { this.draw(); return; }
    this.loading = true;
    this.error = '';
    const points = Math.max(50, Math.min(5000, Math.round(this.width)));
    try {
      const results = await Promise.all(this.plan.map(async (p) => {
        const d = await get<{ ts: number[]; values: number[] }>(`/query${qs({ kind: 'downsample', tag: p.key, from: Math.floor(from), to: Math.ceil(to) + 1, points, mode: 'minmax' })}`);
        let q: Array<{ ts: number; quality: string }> = [];
        if (p.kind === 'main') {
          const a = await get<{ rows: Array<{ ts: number; quality: string }> }>(`/query${qs({ kind: 'aggregate', tag: p.key, from: Math.floor(from), to: Math.ceil(to) + 1, points: Math.max(10, Math.round(points / 4)), fns: 'count' })}`).catch(() => ({ rows: [] }));
          q = a.rows;
        }
        const qts = q.map((r) => r.ts);
        const quality = d.ts.map((t) => { const i = indexAt(qts, t); return i >= 0 ? q[i].quality : 'GOOD'; });
        return [p.key, { ts: d.ts, values: d.values, quality }] as const;
      }));
      if (seq !== this.fetchSeq) return;
      for (const [key, s] of results) {
        // keep live samples newer than the history answer
        const old = this.data.get(key);
        if (old && !this.paused) {
          const last = s.ts.length ? s.ts[s.ts.length - 1] : -Infinity;
          for (let i = 0; i < old.ts.length; i++) if (old.ts[i] > last) appendLive(s, old.ts[i], old.values[i], old.quality[i]);
        }
        this.data.set(key, s);
      }
      void this.loadMarkers(from, to, seq);
      this.draw();
    } catch (e) {
      if (seq === this.fetchSeq) this.error = e instanceof ApiError && e.status === 404 ? `no data: ${e.message}` : errorText(e);
    } finally {
      if (seq === this.fetchSeq) this.loading = false;
    }
  }

  private async loadMarkers(from: number, to: number, seq: number): Promise<void> {
    const tags = this.plan.filter((p) => p.kind === 'main').map((p) => p.tag);
    const [journal, notes] = await Promise.all([
      get<any>(`/alarms/journal${qs({ from: Math.floor(from), to: Math.ceil(to), limit: 1000 })}`).catch(() => null),
      get<{ annotations: Note[] }>(`/annotations${qs({ from: Math.floor(from), to: Math.ceil(to) + 1, tags: tags.join(',') })}`).catch(() => null),
    ]);
    if (seq !== this.fetchSeq) return;
    const entries: any[] = Array.isArray(journal) ? journal : journal?.entries ?? journal?.journal ?? journal?.items ?? [];
    this.markers = entries.filter((e) => tags.includes(e.tag)).map((e) => ({ ts: e.ts, tag: e.tag, to: e.to, label: `${e.event ?? ''} → ${e.to}` }));
    this.notes = notes?.annotations ?? [];
    this.plot?.redraw(false);
  }

  /** Feeds a series directly (layout widgets with their own data, the render benchmark). */
  loadSeries(tag: string, ts: number[], values: number[], quality?: string[]): void {
    if (!this.plan.some((p) => p.key === tag)) {
      this.plan.push({ kind: 'main', tag, key: tag, scale: this.meta.get(tag)?.unit || `_${tag}` });
      this.rebuildPlot();
    }
    this.data.set(tag, { ts: [...ts], values: [...values], quality: quality ? [...quality] : ts.map(() => 'GOOD') });
    this.paused = true;
    this.view = { from: ts[0], to: ts[ts.length - 1] };
    this.draw();
  }

  /** The uPlot instance (tests and the benchmark drive zoom and pan through it). */
  get chart(): uPlot | null { return this.plot; }

  private onLive(samples: LiveSample[]): void {
    let changed = false;
    for (const s of samples) {
      const series = this.data.get(s.tag) ?? emptySeries();
      this.data.set(s.tag, series);
      if (appendLive(series, s.ts, s.value, s.quality)) { changed = true; this.freshLive.push(s.ts); }
    }
    if (changed) this.schedule();
  }

  private schedule(): void {
    if (this.raf) return;
    this.raf = requestAnimationFrame(() => { this.raf = 0; this.draw(); });
  }

  /** Moves the right edge to now (live mode). */
  private follow(): void {
    if (!this.plot || this.paused || !this.plan.length) return;
    const now = Date.now();
    this.view = { from: now - this.span(), to: now };
    this.setX(this.view.from, this.view.to);
  }

  private setX(from: number, to: number): void {
    this.plot?.setScale('x', { min: from / 1000, max: to / 1000 });
  }

  private draw(): void {
    if (!this.plot) return;
    if (!this.paused) {
      const now = Date.now();
      this.view = { from: now - this.span(), to: now };
      for (const s of this.data.values()) trimBefore(s, this.view.from - this.span() * 0.05);
    }
    const series = this.plan.map((p) => this.data.get(p.key) ?? emptySeries());
    const { xs, ys, idx } = align(series);
    this.qual = series.map((s, j) => {
      const q = new Uint8Array(xs.length);
      if (this.plan[j].kind === 'main') for (let i = 0; i < xs.length; i++) { const k = idx[j][i]; if (k >= 0) q[i] = qclass(s.quality[k]); }
      return q;
    });
    this.plot.setData([xs, ...ys] as uPlot.AlignedData, false);
    this.plot.setScale('x', { min: this.view.from / 1000, max: this.view.to / 1000 });
  }

  // ---------- uPlot ----------

  private rebuildPlot(): void {
    const box = this.renderRoot.querySelector('.plot') as HTMLElement | null;
    if (!box) return;
    this.plot?.destroy();
    const scales: uPlot.Scales = { x: { time: true } };
    const axes: uPlot.Axis[] = [{ stroke: '#555', grid: { stroke: '#e0e0e0', width: 1 }, ticks: { stroke: '#ccc' } }];
    const seen = new Map<string, number>();
    const series: uPlot.Series[] = [{}];
    const mains = this.plan.filter((p) => p.kind === 'main');
    this.plan.forEach((p) => {
      const color = LINE[mains.findIndex((m) => m.tag === p.tag) % LINE.length];
      if (!seen.has(p.scale)) {
        const side = seen.size % 2 === 0 ? 3 : 1;
        seen.set(p.scale, seen.size);
        scales[p.scale] = { auto: true };
        const unit = p.scale.startsWith('_') ? '' : p.scale;
        axes.push({ scale: p.scale, side, stroke: color, label: unit || undefined, size: 56, grid: { show: seen.size === 1, stroke: '#e0e0e0' }, ticks: { stroke: '#ccc' } });
      }
      series.push({
        label: p.key, scale: p.scale, spanGaps: true, points: { show: false },
        stroke: p.kind === 'main' ? color : p.kind === 'pred' ? color : 'transparent',
        width: p.kind === 'main' ? 1.5 : p.kind === 'pred' ? 1.25 : 0,
        dash: p.kind === 'pred' ? [6, 4] : undefined,
      });
    });
    const bands: uPlot.Band[] = [];
    this.plan.forEach((p, i) => {
      if (p.kind === 'hi') {
        const lo = this.plan.findIndex((q) => q.kind === 'lo' && q.tag === p.tag);
        if (lo >= 0) bands.push({ series: [i + 1, lo + 1], fill: 'rgba(80, 100, 130, 0.14)' });
      }
    });
    const width = Math.max(200, box.clientWidth || this.width);
    const height = Math.max(100, this.compact ? box.clientHeight || 160 : this.height);
    this.plot = new uPlot({
      width, height, scales, axes, series, bands,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      hooks: {
        // a drag-zoom: stop following now and fetch detail for the selected window
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const min = u.posToVal(u.select.left, 'x');
          const max = u.posToVal(u.select.left + u.select.width, 'x');
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          this.panTo(min, max);
        }],
        setCursor: [(u) => this.onCursor(u)],
        draw: [(u) => this.drawOverlays(u)],
      },
    }, [[], ...this.plan.map(() => [])] as unknown as uPlot.AlignedData, box);
    const over = box.querySelector('.u-over') as HTMLElement;
    over.addEventListener('wheel', (e) => this.onWheel(e), { passive: false });
    over.addEventListener('click', () => {
      const left = this.plot?.cursor.left;
      if (left !== undefined && left >= 0) this.pinned = this.plot!.posToVal(left, 'x') * 1000;
    });
  }

  private drawOverlays(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const xs = u.data[0];
    const [i0, i1] = [u.series[0].idxs?.[0] ?? 0, u.series[0].idxs?.[1] ?? xs.length - 1];
    ctx.save();
    // quality: a strip along the bottom and a mark on the line where samples are not GOOD
    this.plan.forEach((p, j) => {
      if (p.kind !== 'main') return;
      const q = this.qual[j];
      if (!q) return;
      const ys = u.data[j + 1];
      for (let i = i0; i <= i1; i++) {
        if (!q[i]) continue;
        ctx.fillStyle = q[i] === 2 ? BAD : UNCERTAIN;
        const x = u.valToPos(xs[i], 'x', true);
        const x2 = i + 1 < xs.length ? u.valToPos(xs[i + 1], 'x', true) : x + 2;
        ctx.fillRect(x, top + height - 5 * devicePixelRatio, Math.max(2, x2 - x), 5 * devicePixelRatio);
        const y = ys[i];
        if (y != null) {
          const py = u.valToPos(y as number, p.scale, true);
          ctx.fillRect(x - 3, py - 3, 6, 6);
        }
      }
    });
    const xmin = u.scales.x.min ?? 0;
    const xmax = u.scales.x.max ?? 0;
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    for (const m of this.markers) {
      const t = m.ts / 1000;
      if (t < xmin || t > xmax) continue;
      const x = u.valToPos(t, 'x', true);
      ctx.strokeStyle = m.to === 'B' ? BAD : '#8a8a8a';
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
    }
    ctx.setLineDash([]);
    for (const n of this.notes) {
      const t = n.ts / 1000;
      if (t < xmin || t > xmax) continue;
      const x = u.valToPos(t, 'x', true);
      ctx.fillStyle = '#4a4a4a';
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x + 7 * devicePixelRatio, top); ctx.lineTo(x, top + 9 * devicePixelRatio); ctx.fill();
      ctx.fillText(n.text.length > 24 ? `${n.text.slice(0, 23)}…` : n.text, x + 9 * devicePixelRatio, top + 10 * devicePixelRatio);
    }
    ctx.restore();
    if (left < 0 || width < 0) return;
    if (this.freshLive.length) {
      const probe = ((window as any).__historianLive ??= []) as Array<{ ts: number; shownAt: number }>;
      const shownAt = Date.now();
      for (const ts of this.freshLive) probe.push({ ts, shownAt });
      if (probe.length > 5000) probe.splice(0, probe.length - 5000);
      this.freshLive = [];
    }
  }

  private onCursor(u: uPlot): void {
    const i = u.cursor.idx;
    if (i == null || i < 0) { this.readout = null; return; }
    const x = u.data[0][i] * 1000;
    const rows = this.plan.filter((p) => p.kind !== 'lo' && p.kind !== 'hi').map((p) => {
      const s = this.data.get(p.key) ?? emptySeries();
      const k = indexAt(s.ts, x);
      const unit = p.scale.startsWith('_') ? '' : p.scale;
      return { tag: p.key, value: k >= 0 ? fmtValue(s.values[k]) : '—', unit, quality: k >= 0 ? s.quality[k] : '' };
    });
    this.readout = { time: x, rows };
  }

  private onWheel(e: WheelEvent): void {
    if (!this.plot) return;
    e.preventDefault();
    const u = this.plot;
    const min = u.scales.x.min!;
    const max = u.scales.x.max!;
    const range = max - min;
    if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
      const d = (e.shiftKey ? e.deltaY : e.deltaX) > 0 ? range * 0.1 : -range * 0.1;
      this.panTo(min + d, max + d);
      return;
    }
    const at = u.posToVal(e.offsetX, 'x');
    const f = e.deltaY < 0 ? 0.8 : 1.25;
    this.panTo(at - (at - min) * f, at + (max - at) * f);
  }

  /** Shows [min, max] (seconds) and fetches detail for it; pauses following. */
  panTo(min: number, max: number): void {
    this.paused = true;
    this.view = { from: min * 1000, to: max * 1000 };
    this.setX(this.view.from, this.view.to);
    this.scheduleRefetch();
  }

  private pan(dir: -1 | 1): void {
    const { from, to } = this.view;
    const d = ((to - from) / 2) * dir;
    this.panTo((from + d) / 1000, (to + d) / 1000);
  }

  private zoom(f: number): void {
    const { from, to } = this.view;
    const mid = (from + to) / 2;
    const half = ((to - from) / 2) * f;
    this.panTo((mid - half) / 1000, (mid + half) / 1000);
  }

  reset(): void {
    this.paused = false;
    const now = Date.now();
    void this.fetchRange(now - this.span(), now);
  }

  private applyCustom(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const from = fromLocalInput(String(f.get('from')));
    const to = fromLocalInput(String(f.get('to')));
    if (!(to > from)) { this.error = 'custom range: "to" must be after "from"'; return; }
    this.customOpen = false;
    this.paused = true;
    void this.fetchRange(from, to);
  }

  private async exportShown(e: Event): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const format = String(f.get('format'));
    const shown = f.get('what') === 'shown';
    const tags = this.plan.filter((p) => p.kind === 'main').map((p) => p.key);
    if (!tags.length) return;
    try {
      await downloadExport({
        tags, from: Math.floor(this.view.from), to: Math.ceil(this.view.to) + 1, format, layout: String(f.get('layout')),
        tz: Intl.DateTimeFormat().resolvedOptions().timeZone, points: shown ? Math.round(this.width) : undefined,
      }, (p) => { this.progress = p; });
    } catch (err) {
      this.error = `export: ${errorText(err)}`;
    } finally {
      window.setTimeout(() => { this.progress = null; }, 1500);
    }
  }

  private async addNote(e: Event): Promise<void> {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = String(f.get('text') ?? '').trim();
    if (!text) return;
    const ts = this.pinned ?? Date.now();
    const tag = String(f.get('tag') || '') || null;
    try {
      const n = await api<Note>('POST', '/annotations', { ts: Math.round(ts), text, tag });
      this.notes = [...this.notes, n];
      this.noteOpen = false;
      this.plot?.redraw(false);
    } catch (err) {
      this.error = err instanceof ApiError && err.status === 404 ? 'annotations are not available on this server' : `note: ${errorText(err)}`;
    }
  }

  render() {
    const mains = this.plan.filter((p) => p.kind === 'main');
    const spanMs = this.view.to - this.view.from;
    return html`
      ${this.compact ? '' : html`<div class="toolbar" part="toolbar">
        ${PRESETS.map((p) => html`<button data-preset=${p.id} aria-pressed=${String(this.preset === p.id && !this.paused)}
          @click=${() => { if (this.preset === p.id) this.reset(); else this.preset = p.id; }}>${p.label}</button>`)}
        <button @click=${() => { this.customOpen = !this.customOpen; }} aria-pressed=${String(this.customOpen)}>Custom…</button>
        <span class="spacer"></span>
        <button title="Pan back" data-action="pan-left" @click=${() => this.pan(-1)}>◀</button>
        <button title="Zoom in" data-action="zoom-in" @click=${() => this.zoom(0.5)}>+</button>
        <button title="Zoom out" data-action="zoom-out" @click=${() => this.zoom(2)}>-</button>
        <button title="Pan forward" data-action="pan-right" @click=${() => this.pan(1)}>▶</button>
        <button data-action="reset" @click=${() => this.reset()}>Reset</button>
        <span class="state ${this.paused ? 'paused' : ''}" data-testid="live-state">${this.paused ? 'paused' : 'live'}</span>
        ${this.loading ? html`<span class="muted">loading…</span>` : ''}
      </div>
      ${this.customOpen ? html`<form class="toolbar panel" @submit=${this.applyCustom}>
        <label>From <input type="datetime-local" name="from" .value=${toLocalInput(this.view.from || Date.now() - 3_600_000)} /></label>
        <label>To <input type="datetime-local" name="to" .value=${toLocalInput(this.view.to || Date.now())} /></label>
        <button type="submit">Show</button></form>` : ''}`}
      <div class="plot" data-testid="trend-plot" style=${this.compact ? 'height:100%' : `height:${this.height}px`}></div>
      <div class="readout" data-testid="readout">
        ${this.readout
          ? html`<span>${fmtTime(this.readout.time, spanMs)}</span>${this.readout.rows.map((r, i) => html`<span>
              <i class="swatch" style="background:${LINE[i % LINE.length]}"></i>${r.tag}: <b>${r.value}</b> ${r.unit}
              ${r.quality && r.quality !== 'GOOD' ? html`<span class="q${qclass(r.quality)}">${r.quality}</span>` : ''}</span>`)}`
          : mains.length ? html`<span class="muted">${fmtTime(this.view.from, spanMs)} – ${fmtTime(this.view.to, spanMs)}</span>` : html`<span class="muted">Pick a tag to draw it.</span>`}
      </div>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.compact || !mains.length ? '' : html`<div class="toolbar">
        ${can('export') ? html`<form class="toolbar" @submit=${this.exportShown} data-testid="export-form">
          <select name="format" aria-label="export format"><option value="csv">CSV</option><option value="xlsx">Excel (XLSX)</option><option value="json">JSON</option></select>
          <select name="what" aria-label="what to export"><option value="raw">raw samples</option><option value="shown">as displayed</option></select>
          <select name="layout" aria-label="layout"><option value="long">long</option><option value="wide">wide</option></select>
          <button type="submit" data-action="export">Download</button>
          ${this.progress ? html`<span data-testid="export-progress"><span class="bar"><i style="width:${Math.round((this.progress.fraction ?? 0) * 100)}%"></i></span>
            ${(this.progress.bytes / 1e6).toFixed(1)} MB${this.progress.done ? ' — done' : ''}</span>` : ''}
        </form>` : ''}
        ${can('annotations.write') ? (this.noteOpen
          ? html`<form class="toolbar" @submit=${this.addNote}>
              <input name="text" placeholder="note at ${this.pinned ? fmtTime(this.pinned) : 'now'}" maxlength="2000" required />
              <select name="tag" aria-label="note tag"><option value="">all tags</option>${mains.map((m) => html`<option value=${m.tag}>${m.tag}</option>`)}</select>
              <button type="submit">Save note</button><button type="button" @click=${() => { this.noteOpen = false; }}>Cancel</button></form>`
          : html`<button data-action="note" title="Click the chart to pick the time first" @click=${() => { this.noteOpen = true; }}>Add note</button>`) : ''}
      </div>`}`;
  }
}

export function fmtValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a >= 1e6 || a < 1e-3) ? v.toExponential(3) : String(Math.round(v * 1000) / 1000);
}

customElements.define('historian-trend', HistorianTrend);

// <historian-trend>: one uPlot chart of several tags. History comes from the server's
// min-max downsampling at about one point per pixel; live samples are appended from the
// WebSocket and the right edge follows "now" until the user zooms or pans into the past.
// One y axis per engineering unit, labelled with it and coloured like its first pen; step
// or linear drawing from each tag's interpolation; bad/uncertain quality is marked;
// `<tag>.predicted` with `.lo`/`.hi` is drawn dashed in a shaded band, with anomaly
// markers where the actual value leaves the band; alarm transitions and annotations are
// vertical markers. The legend table below the chart reads the cursor.
import { LitElement, html, css, unsafeCSS, type PropertyValues } from 'lit';
import { styleMap } from 'lit/directives/style-map.js';
import uPlot from 'uplot';
import uplotCss from 'uplot/dist/uPlot.min.css?inline';
import { api, get, qs, errorText, ApiError } from '../api';
import type { AlarmJournalPage } from '../../../runtime/server/api/contract';
import { live, type LiveSample } from '../live-client';
import { can, me } from '../session';
import { base } from '../styles';
import { fmtTime, type TimeRange } from '../lib/ranges';
import { fmtDateTime, formatValue, fmtValue, HOUR, type TagInfo } from '../lib/format';
import { confirmAction } from '../components/confirm-dialog';
import { AlignedView, appendLive, emptySeries, indexAt, trimmedBefore, type TagSeries } from './series-store';
import { valueAt, viewStats, typicalGap, type ViewStats } from './readout';
import { sameRange, spanOf } from './trend-state';
import { penColor } from './pens';
import { envelopeWhenDense } from './envelope-path';
import { downloadExport, type ExportProgress } from './export-download';
import './trend-legend';
import { onThemeChange } from '../lib/theme-watch';
import '../components/time-range';
import type { LegendRow } from './trend-legend';
import { excursions } from './excursions';
import './trend-notes';
import type { TrendNote } from './trend-notes';

export { fmtValue };

type TagMeta = TagInfo;
interface Plan { kind: 'main' | 'pred' | 'lo' | 'hi'; tag: string; key: string; scale: string }
interface Marker { ts: number; tag: string; to: string; label: string }
type Note = TrendNote;

const BAD = '#c00000';
const UNCERTAIN = '#b06f00';

function qclass(q: string | undefined): number {
  if (!q || q === 'GOOD' || q.startsWith('GOOD')) return 0;
  return q.startsWith('BAD') ? 2 : 1;
}

/** Points outside a twin's band closer than this (CSS pixels) are one excursion (excursions.ts). */
const EXCURSION_GAP = 8;

export class HistorianTrend extends LitElement {
  static properties = {
    tags: { type: Array },
    range: { attribute: false },
    live: { type: Boolean },
    compact: { type: Boolean },
    label: { type: String },
    height: { type: Number },
    paused: { state: true },
    error: { state: true },
    retrying: { state: true },
    cursorAt: { state: true },
    loading: { state: true },
    confidence: { state: true },
    legendTick: { state: true },
    progress: { state: true },
    noteOpen: { state: true },
  };

  declare tags: string[];
  /** the window asked for: a moving preset or a fixed from/to */
  declare range: TimeRange;
  /** follow now (only meaningful with a preset) */
  declare live: boolean;
  declare compact: boolean;
  /** what the trend is called where it is shown (a layout widget's title): names its legend for assistive technology */
  declare label: string;
  declare height: number;
  declare paused: boolean;
  declare error: string;
  /** the last history read failed and is tried again (the empty chart says so, not "no data") */
  declare retrying: boolean;
  /** time under the cursor (ms), null when the cursor is off the chart */
  declare cursorAt: number | null;
  declare loading: boolean;
  /** model confidence of each twin tag, 0..1 (from `<tag>.confidence` when published) */
  declare confidence: Record<string, number>;
  /** bumped (at most 4 times a second) when new data arrives, so the legend re-reads */
  declare legendTick: number;
  private lastLegend = 0;
  /** anomaly excursions marked in the last frame, and the points drawn red in them (tests read both) */
  anomalies = 0;
  anomalyPoints = 0;
  declare progress: ExportProgress | null;
  declare noteOpen: boolean;

  private plot: uPlot | null = null;
  private plan: Plan[] = [];
  private data = new Map<string, TagSeries>();
  private meta = new Map<string, TagMeta>();
  private markers: Marker[] = [];
  /** stretches of the view when the historian was stopped (ms), from the history answers */
  private downtime: Array<[number, number]> = [];
  private notes: Note[] = [];
  /** what uPlot draws: every series on one x array, appended to in place while live */
  private aligned = new AlignedView(qclass);
  /** view statistics per series, reused while neither the data nor the window changed */
  private statsCache = new WeakMap<TagSeries, { key: string; stats: ViewStats }>();
  private view = { from: 0, to: 0 };
  private unsub: Array<() => void> = [];
  private tick: number | undefined;
  private raf = 0;
  private fetchSeq = 0;
  private loadSeq = 0;
  private refetchTimer: number | undefined;
  private retryTimer: number | undefined;
  /** failed history reads in a row (sets the retry's back-off) */
  private retries = 0;
  private resize: ResizeObserver | null = null;
  private pinned: number | null = null;
  /** live samples appended since the last draw (stamp, arrival in the page): the latency probe reads them */
  private freshLive: Array<{ ts: number; at: number }> = [];
  private width = 800;

  constructor() {
    super();
    this.tags = [];
    this.range = { preset: '1h' };
    this.live = true;
    this.compact = false;
    this.height = 360;
    this.paused = false;
    this.error = '';
    this.retrying = false;
    this.cursorAt = null;
    this.loading = false;
    this.confidence = {};
    this.legendTick = 0;
    this.progress = null;
    this.noteOpen = false;
  }

  static styles = [base, unsafeCSS(uplotCss), css`
    :host { display: flex; flex-direction: column; gap: 6px; min-width: 0; }
    :host([compact]) { height: 100%; gap: 2px; }
    .plot { position: relative; min-height: 120px; background: var(--plot-bg); border: 1px solid var(--border); flex: 1; }
    .nodata { position: absolute; inset: 0; display: flex; align-items: center; justify-content: center; flex-direction: column; gap: 4px;
      background: var(--plot-bg); color: var(--muted); font-size: 15px; z-index: 5; pointer-events: none; text-align: center; padding: 12px; }
    .nodata b { color: var(--fg); }
    .state { font-size: 12px; padding: 1px 6px; border-radius: 2px; background: var(--btn); }
    .state.paused { background: var(--unc-bg); }
    .bar { height: 4px; background: var(--rule); width: 120px; display: inline-block; vertical-align: middle; }
    .bar > i { display: block; height: 100%; background: var(--muted); }
    .u-legend { display: none; }
    .range { font-size: 12px; color: var(--muted); font-variant-numeric: tabular-nums; }
    @media (max-width: 600px) { .pan { display: none; } }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    this.tick = window.setInterval(() => { if (!this.paused) this.follow(); }, 1000);
    this.offTheme = onThemeChange(() => {
      if (this.plot) { this.rebuildPlot(); this.draw(); }
      this.requestUpdate(); // pen colours of the legend
    });
  }
  private offTheme: (() => void) | null = null;

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.clearInterval(this.tick);
    this.offTheme?.();
    window.clearTimeout(this.refetchTimer);
    window.clearTimeout(this.retryTimer);
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
      const h = Math.max(100, Math.floor(box.clientHeight || this.height));
      if (this.plot && (w !== this.plot.width || h !== this.plot.height)) this.plot.setSize({ width: w, height: h });
      if (Math.abs(w - this.width) > 50) { this.width = w; this.scheduleRefetch(); }
    });
    this.resize.observe(box);
    this.width = Math.max(200, box.clientWidth);
  }

  protected updated(changed: PropertyValues): void {
    if (changed.has('tags') || changed.has('range') || changed.has('live')) {
      const prev = changed.get('range') as TimeRange | undefined;
      const onlyRange = !changed.has('tags') && this.plan.length > 0;
      // the URL echoing our own pan/zoom back: nothing to do
      if (onlyRange && prev && sameRange(prev, this.range) && !changed.has('live')) return;
      if (onlyRange && 'from' in this.range && this.paused && Math.abs(this.view.from - this.range.from) < 1000 && Math.abs(this.view.to - this.range.to) < 1000) return;
      void this.load();
    }
  }

  // ---------- data ----------

  private span(): number { return spanOf(this.range); }

  /** Tells the page (and so the URL) what the chart shows now. */
  private emitView(): void {
    const range: TimeRange = this.paused ? { from: Math.round(this.view.from), to: Math.round(this.view.to) } : this.range;
    this.dispatchEvent(new CustomEvent('view-change', { detail: { range, live: !this.paused }, bubbles: true, composed: true }));
  }

  /** Re-reads everything for the current tags: metadata, predicted companions, history. */
  private async load(): Promise<void> {
    const seq = ++this.loadSeq;
    for (const u of this.unsub) u();
    this.unsub = [];
    // The new window holds from now on: a resize's refetch or a retry of the old view that
    // fired while the metadata is read would otherwise read the old window and write it
    // back to the URL (a link to a live trend opened over a paused one showed the old range).
    window.clearTimeout(this.refetchTimer);
    window.clearTimeout(this.retryTimer);
    this.retrying = false;
    this.fetchSeq++;
    const now = Date.now();
    this.paused = 'from' in this.range || !this.live;
    this.view = 'from' in this.range ? { from: this.range.from, to: this.range.to } : { from: now - this.span(), to: now };
    const tags = [...new Set(this.tags)];
    await Promise.all(tags.map((t) => this.loadMeta(t)));
    // a newer load (other tags or range) took over while this one waited
    if (seq !== this.loadSeq) return;
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
    // series of tags no longer drawn go (a panel left on the trend all shift sees many)
    const keys = new Set(plan.map((p) => p.key));
    for (const k of [...this.data.keys()]) if (!keys.has(k)) this.data.delete(k);
    for (const p of plan) {
      this.unsub.push(live.on(p.key, (s) => this.onLive(s)));
    }
    for (const t of tags) {
      for (const key of [`${t}.confidence`, `${t}.predicted.confidence`]) {
        if (!this.meta.has(key)) continue;
        this.unsub.push(live.on(key, (s) => {
          const v = s[s.length - 1].value;
          this.confidence = { ...this.confidence, [t]: v > 1 ? v / 100 : v };
        }));
      }
    }
    this.unsub.push(live.onAlarm((a) => {
      const tag = String(a.tag ?? '');
      if (!tags.includes(tag)) return;
      this.markers.push({ ts: Number(a.ts ?? Date.now()), tag, to: String(a.to ?? a.state ?? ''), label: String(a.message ?? a.to ?? '') });
      this.schedule();
    }));
    this.rebuildPlot();
    void this.loadConfidence(tags);
    if (this.paused) await this.fetchRange(this.view.from, this.view.to);
    else { const at = Date.now(); await this.fetchRange(at - this.span(), at); }
  }

  /** The twin's confidence score, when the twin publishes one (`<tag>.confidence`). */
  private async loadConfidence(tags: string[]): Promise<void> {
    const out: Record<string, number> = {};
    await Promise.all(tags.map(async (t) => {
      for (const key of [`${t}.confidence`, `${t}.predicted.confidence`]) {
        if (!this.meta.has(key)) continue;
        const m = await get<{ latest?: { value: number } }>(`/tags/${encodeURIComponent(key)}`).catch(() => null);
        const v = m?.latest?.value;
        if (typeof v === 'number' && Number.isFinite(v)) { out[t] = v > 1 ? v / 100 : v; break; }
      }
    }));
    this.confidence = out;
  }

  private async loadMeta(tag: string): Promise<void> {
    if (this.meta.has(tag) && this.meta.get(tag)!.interpolation) return;
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
      this.refetch();
      this.emitView();
    }, 150);
  }

  /** Reads the window shown again: the fixed one when paused, else the span up to now. */
  private refetch(): void {
    if (this.paused) void this.fetchRange(this.view.from, this.view.to);
    else { const now = Date.now(); void this.fetchRange(now - this.span(), now); }
  }

  /**
   * A history read that failed for a reason that can pass (server busy or restarting, the
   * network) is tried again, 1 s then doubling up to 30 s, so a trend left open on a panel
   * does not stay empty. A newer read (pan, zoom, other tags) replaces the pending retry.
   */
  private retryLater(seq: number, e: unknown): void {
    const status = e instanceof ApiError ? e.status : 0;
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) return;
    this.retrying = true;
    const delay = Math.min(30_000, 1000 * 2 ** this.retries++);
    window.clearTimeout(this.retryTimer);
    this.retryTimer = window.setTimeout(() => { if (seq === this.fetchSeq && this.isConnected) this.refetch(); }, delay);
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
        const d = await get<{ ts: number[]; values: number[]; downtime?: Array<[number, number]> }>(`/query${qs({ kind: 'downsample', tag: p.key, from: Math.floor(from), to: Math.ceil(to) + 1, points, mode: 'minmax' })}`);
        let q: Array<{ ts: number; quality: string }> = [];
        if (p.kind === 'main') {
          const a = await get<{ rows: Array<{ ts: number; quality: string }> }>(`/query${qs({ kind: 'aggregate', tag: p.key, from: Math.floor(from), to: Math.ceil(to) + 1, points: Math.max(10, Math.round(points / 4)), fns: 'count' })}`).catch(() => ({ rows: [] }));
          q = a.rows;
        }
        const qts = q.map((r) => r.ts);
        const quality = d.ts.map((t) => { const i = indexAt(qts, t); return i >= 0 ? q[i].quality : 'GOOD'; });
        return [p.key, { ts: d.ts, values: d.values, quality }, d.downtime ?? []] as const;
      }));
      if (seq !== this.fetchSeq) return;
      // every answer comes from the same store: one list (deduplicated should stores differ)
      const seen = new Map<string, [number, number]>();
      for (const [, , dt] of results) for (const r of dt) seen.set(`${r[0]}:${r[1]}`, [r[0], r[1]]);
      this.downtime = [...seen.values()];
      for (const [key, s] of results) {
        // keep live samples newer than the history answer
        const old = this.data.get(key);
        if (old && !this.paused) {
          const last = s.ts.length ? s.ts[s.ts.length - 1] : -Infinity;
          for (let i = 0; i < old.ts.length; i++) if (old.ts[i] > last) appendLive(s, old.ts[i], old.values[i], old.quality[i]);
        }
        this.data.set(key, s);
      }
      this.retries = 0;
      this.retrying = false;
      this.aligned.invalidate();
      void this.loadMarkers(from, to, seq);
      this.draw();
    } catch (e) {
      if (seq === this.fetchSeq) {
        this.error = e instanceof ApiError && e.status === 404 ? `no data: ${e.message}` : errorText(e);
        this.retryLater(seq, e);
      }
    } finally {
      if (seq === this.fetchSeq) this.loading = false;
    }
  }

  private async loadMarkers(from: number, to: number, seq: number): Promise<void> {
    const tags = this.plan.filter((p) => p.kind === 'main').map((p) => p.tag);
    const [journal, notes] = await Promise.all([
      get<AlarmJournalPage>(`/alarms/journal${qs({ from: Math.floor(from), to: Math.ceil(to), limit: 1000 })}`).catch(() => null),
      get<{ annotations: Note[] }>(`/annotations${qs({ from: Math.floor(from), to: Math.ceil(to) + 1, tags: tags.join(',') })}`).catch(() => null),
    ]);
    if (seq !== this.fetchSeq) return;
    const entries = journal?.entries ?? [];
    this.markers = entries.filter((e) => tags.includes(e.tag)).map((e) => ({ ts: e.ts, tag: e.tag, to: e.to, label: `${e.event} → ${e.to}` }));
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
    this.aligned.invalidate();
    this.paused = true;
    this.view = { from: ts[0], to: ts[ts.length - 1] };
    this.draw();
  }

  /** Colour of each pen (tag) in order: chips, legend and axes use the same. */
  penColors(): string[] {
    const dark = document.documentElement.dataset.theme === 'dark';
    return this.plan.filter((p) => p.kind === 'main').map((_, i) => penColor(i, dark));
  }

  /** The uPlot instance (tests and the benchmark drive zoom and pan through it). */
  get chart(): uPlot | null { return this.plot; }

  private onLive(samples: LiveSample[]): void {
    // paused on a past window, samples after it change nothing on screen: no redraw (the
    // next one, on a pan or zoom, takes them along)
    let visible = false;
    for (const s of samples) {
      const series = this.data.get(s.tag) ?? emptySeries();
      this.data.set(s.tag, series);
      if (appendLive(series, s.ts, s.value, s.quality)) {
        if (!this.paused) { visible = true; this.freshLive.push({ ts: s.ts, at: Date.now() }); }
        else if (s.ts >= this.view.from && s.ts <= this.view.to) visible = true;
        const j = this.plan.findIndex((p) => p.key === s.tag);
        if (j >= 0) this.aligned.append(j, s.ts, s.value, s.quality, this.plan[j].kind === 'main');
      }
    }
    if (visible) this.schedule();
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
      // trimmed in steps, not per frame: each trim costs a full re-align
      const cut = this.view.from - this.span() * 0.05;
      for (const s of this.data.values()) if (trimmedBefore(s, cut, Math.max(500, s.ts.length >> 3))) this.aligned.invalidate();
    }
    const series = this.plan.map((p) => this.data.get(p.key) ?? emptySeries());
    this.aligned.refresh(series, this.plan.map((p) => p.kind === 'main'), this.downtime);
    this.plot.setData([this.aligned.xs, ...this.aligned.ys] as uPlot.AlignedData, false);
    this.plot.setScale('x', { min: this.view.from / 1000, max: this.view.to / 1000 });
    const now = performance.now();
    if (now - this.lastLegend > 250) { this.lastLegend = now; this.legendTick++; }
  }

  // ---------- uPlot ----------

  private rebuildPlot(): void {
    const box = this.renderRoot.querySelector('.plot') as HTMLElement | null;
    if (!box) return;
    this.plot?.destroy();
    this.aligned.invalidate();
    const cs = getComputedStyle(this);
    const axisColor = cs.getPropertyValue('--axis').trim() || '#444';
    const gridColor = cs.getPropertyValue('--grid').trim() || '#ddd';
    const dark = document.documentElement.dataset.theme === 'dark';
    const scales: uPlot.Scales = { x: { time: true } };
    const xSpace = 90;
    const axes: uPlot.Axis[] = [{
      stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor }, space: xSpace, size: 36,
      // one line per label, wide enough apart not to overlap on a 1024 px panel
      values: (u, splits) => { const span = ((u.scales.x.max ?? 0) - (u.scales.x.min ?? 0)) * 1000; return splits.map((v) => axisTime(v * 1000, span)); },
    }];
    const seen = new Map<string, number>();
    const series: uPlot.Series[] = [{}];
    const mains = this.plan.filter((p) => p.kind === 'main');
    this.plan.forEach((p) => {
      const color = penColor(mains.findIndex((m) => m.tag === p.tag), dark);
      if (!seen.has(p.scale)) {
        const side = seen.size % 2 === 0 ? 3 : 1;
        seen.set(p.scale, seen.size);
        const unit = p.scale.startsWith('_') ? '' : p.scale;
        const m = this.meta.get(p.tag);
        // a discrete tag of its own (no unit): its states, as words, are the axis
        const states = !unit && p.kind === 'main' ? (m?.states?.length ? m.states : m?.valueType === 'boolean' ? ['Off', 'On'] : null) : null;
        scales[p.scale] = states ? { range: [-0.25, states.length - 0.75] } : { auto: true, range: (_u, lo, hi) => padRange(lo, hi) };
        const label = unit ? `${unit}` : `${p.tag.split('.').pop()}${states ? '' : ' (no unit)'}`;
        axes.push({ scale: p.scale, side, stroke: color, label, labelSize: 18, labelFont: 'bold 12px system-ui, sans-serif', size: 60,
          font: '12px system-ui, sans-serif', grid: { show: seen.size === 1, stroke: gridColor }, ticks: { stroke: color, width: 2 },
          ...(states ? { splits: () => states.map((_, i) => i), values: (_u: uPlot, sp: number[]) => sp.map((v) => states[v] ?? '') } : {}) });
      }
      const step = (this.meta.get(p.key)?.interpolation ?? this.meta.get(p.tag)?.interpolation) !== 'linear';
      series.push({
        // undefined (another series' x) is spanned; null (the historian stopped) breaks the line
        label: p.key, scale: p.scale, spanGaps: false, points: { show: false },
        stroke: p.kind === 'main' || p.kind === 'pred' ? color : 'transparent',
        width: p.kind === 'main' ? 2 : p.kind === 'pred' ? 1.5 : 0,
        dash: p.kind === 'pred' ? [7, 5] : undefined,
        paths: p.kind === 'main' ? (step ? stepped : linear) : undefined,
      });
    });
    const bands: uPlot.Band[] = [];
    this.plan.forEach((p, i) => {
      if (p.kind === 'hi') {
        const lo = this.plan.findIndex((q) => q.kind === 'lo' && q.tag === p.tag);
        if (lo >= 0) bands.push({ series: [i + 1, lo + 1], fill: dark ? 'rgba(160, 180, 210, 0.16)' : 'rgba(60, 90, 140, 0.14)' });
      }
    });
    const width = Math.max(200, box.clientWidth || this.width);
    const height = Math.max(100, box.clientHeight || (this.compact ? 160 : this.height));
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

  /** Shades where the historian was stopped, labelled where there is room. */
  private drawDowntime(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const dark = document.documentElement.dataset.theme === 'dark';
    ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
    for (const [a, b] of this.downtime) {
      const x1 = Math.max(left, u.valToPos(a / 1000, 'x', true));
      const x2 = Math.min(left + width, u.valToPos(b / 1000, 'x', true));
      if (x2 - x1 < 0.5) continue;
      ctx.fillStyle = dark ? 'rgba(255, 255, 255, 0.09)' : 'rgba(0, 0, 0, 0.07)';
      ctx.fillRect(x1, top, Math.max(1, x2 - x1), height);
      const label = x2 - x1 >= 110 * devicePixelRatio ? 'historian stopped' : x2 - x1 >= 56 * devicePixelRatio ? 'stopped' : '';
      if (label) {
        ctx.fillStyle = dark ? '#b0b0b0' : '#545454';
        ctx.fillText(label, x1 + 4 * devicePixelRatio, top + 12 * devicePixelRatio);
      }
    }
  }

  private drawOverlays(u: uPlot): void {
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const xs = u.data[0];
    const [i0, i1] = [u.series[0].idxs?.[0] ?? 0, u.series[0].idxs?.[1] ?? xs.length - 1];
    ctx.save();
    this.anomalies = 0;
    this.anomalyPoints = 0;
    this.drawDowntime(u);
    // quality: a strip along the bottom and a mark on the line where samples are not GOOD
    this.plan.forEach((p, j) => {
      if (p.kind !== 'main') return;
      const q = this.aligned.qual[j];
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
    // anomalies: where the actual value leaves the twin's band its line turns red, and a hollow
    // red diamond marks where each excursion starts (a diamond on every point of a long
    // excursion hid the line under a chain of markers)
    this.plan.forEach((p, j) => {
      if (p.kind !== 'main') return;
      const lo = this.plan.findIndex((q) => q.kind === 'lo' && q.tag === p.tag);
      const hi = this.plan.findIndex((q) => q.kind === 'hi' && q.tag === p.tag);
      if (lo < 0 || hi < 0) return;
      const runs = excursions(xs, u.data[j + 1], u.data[lo + 1], u.data[hi + 1], i0, i1,
        (x) => u.valToPos(x, 'x', true), (y) => u.valToPos(y, p.scale, true), EXCURSION_GAP * devicePixelRatio);
      ctx.strokeStyle = BAD; ctx.lineWidth = 2 * devicePixelRatio;
      const r = 5 * devicePixelRatio;
      for (const run of runs) {
        const [x, y] = run[0];
        ctx.beginPath();
        ctx.moveTo(x, y - r); ctx.lineTo(x + r, y); ctx.lineTo(x, y + r); ctx.lineTo(x - r, y); ctx.closePath();
        ctx.stroke();
        if (run.length > 1) {
          ctx.beginPath();
          ctx.moveTo(x, y);
          for (let k = 1; k < run.length; k++) ctx.lineTo(run[k][0], run[k][1]);
          ctx.stroke();
        }
        this.anomalies++;
        this.anomalyPoints += run.length;
      }
      ctx.lineWidth = 1;
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
    // a flag per note, and as much of its text as fits before the next flag (the list under
    // the chart has every note in full)
    const flags = this.notes.filter((n) => n.ts / 1000 >= xmin && n.ts / 1000 <= xmax)
      .map((n) => ({ n, x: u.valToPos(n.ts / 1000, 'x', true) })).sort((a, b) => a.x - b.x);
    ctx.fillStyle = '#4a4a4a';
    for (let i = 0; i < flags.length; i++) {
      const { n, x } = flags[i];
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x + 7 * devicePixelRatio, top); ctx.lineTo(x, top + 9 * devicePixelRatio); ctx.fill();
      const room = (i + 1 < flags.length ? flags[i + 1].x : left + width) - x - 13 * devicePixelRatio;
      const label = fitText(ctx, n.text.length > 24 ? `${n.text.slice(0, 23)}…` : n.text, room);
      if (label) ctx.fillText(label, x + 9 * devicePixelRatio, top + 10 * devicePixelRatio);
    }
    ctx.restore();
    if (left < 0 || width < 0) return;
    if (this.freshLive.length) {
      const probe = ((window as any).__historianLive ??= []) as Array<{ ts: number; receivedAt: number; shownAt: number }>;
      const shownAt = Date.now();
      for (const f of this.freshLive) probe.push({ ts: f.ts, receivedAt: f.at, shownAt });
      if (probe.length > 5000) probe.splice(0, probe.length - 5000);
      this.freshLive = [];
    }
  }

  /** The cursor's own time (not the nearest sample's): the legend reads values there. */
  private onCursor(u: uPlot): void {
    const left = u.cursor.left;
    this.cursorAt = left == null || left < 0 ? null : u.posToVal(left, 'x') * 1000;
  }

  /** Legend rows: value at the cursor (or the latest), statistics of the view, quality. */
  private legendRows(): LegendRow[] {
    const mains = this.plan.filter((p) => p.kind === 'main');
    const dark = document.documentElement.dataset.theme === 'dark';
    const { from, to } = this.view;
    return mains.map((p, i) => {
      const m = this.meta.get(p.tag);
      const interp = m?.interpolation ?? 'step';
      const s = this.data.get(p.key) ?? emptySeries();
      // history arrives as min-max buckets about one pixel wide: a bucket is no gap
      const gap = Math.max(typicalGap(s.ts), (to - from) / Math.max(50, this.width));
      // off the chart the legend reads the latest value in the window shown: live samples
      // that arrive while a past window is paused lie after it and do not belong there
      const at = this.cursorAt ?? (s.ts.length ? Math.min(s.ts[s.ts.length - 1], to) : to);
      const v = valueAt(s, at, interp, gap);
      const st = this.statsOf(s, from, to, interp);
      const predS = this.data.get(`${p.tag}.predicted`);
      const pred = predS ? valueAt(predS, at, 'linear', typicalGap(predS.ts)) : null;
      return {
        tag: p.tag, color: penColor(i, dark), unit: m?.unit ?? '', description: m?.description ?? '',
        value: v.value === null ? null : formatValue(v.value, m), quality: v.quality,
        min: st.min === null ? null : formatValue(st.min, m), max: st.max === null ? null : formatValue(st.max, m),
        avg: st.avg === null ? null : discreteShare(st.avg, m) ?? formatValue(st.avg, m), worst: st.worst,
        predicted: pred && pred.value !== null ? formatValue(pred.value, m) : pred ? null : undefined,
        confidence: this.confidence[p.tag],
        interpolation: interp,
      };
    });
  }

  /** Min / max / average of the view, computed again only when the data or the window changed. */
  private statsOf(s: TagSeries, from: number, to: number, interp: string): ViewStats {
    const n = s.ts.length;
    const key = `${from}|${to}|${interp}|${n}|${n ? s.ts[0] : ''}|${n ? s.ts[n - 1] : ''}`;
    const hit = this.statsCache.get(s);
    if (hit && hit.key === key) return hit.stats;
    const stats = viewStats(s, from, to, interp);
    this.statsCache.set(s, { key, stats });
    return stats;
  }

  /** True when no series has a point inside the window shown. */
  private viewEmpty(): boolean {
    if (!this.plan.length) return false;
    for (const p of this.plan) {
      const s = this.data.get(p.key);
      if (!s) continue;
      const i = indexAt(s.ts, this.view.to);
      if (i >= 0 && s.ts[i] >= this.view.from) return false;
    }
    return true;
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
    // the future holds no data: a pan or zoom past now slides the window back to end at now
    const now = Date.now() / 1000;
    if (max > now) { min -= max - now; max = now; }
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

  /** Back to following now with the preset's span. */
  reset(): void {
    if (!('preset' in this.range)) this.range = { preset: '1h' };
    this.paused = false;
    const now = Date.now();
    void this.fetchRange(now - this.span(), now);
    this.emitView();
  }

  private onRange(e: CustomEvent<TimeRange>): void {
    e.stopPropagation();
    this.range = e.detail;
    this.live = 'preset' in e.detail;
    this.paused = !this.live;
    this.emitView();
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

  /** The notes inside the window shown (the chart draws only those). */
  private notesInView(): Note[] {
    const { from, to } = this.view;
    return this.notes.filter((n) => n.ts >= from && n.ts <= to);
  }

  private async removeNote(n: Note): Promise<void> {
    const ok = await confirmAction(this.renderRoot as ShadowRoot, {
      title: 'Remove this note?', message: `"${n.text}" (${fmtDateTime(n.ts)}) is removed from every trend; the audit trail keeps its text.`, confirmLabel: 'Remove',
    });
    if (!ok) return;
    try {
      await api('DELETE', `/annotations/${encodeURIComponent(n.id)}`);
      this.notes = this.notes.filter((x) => x.id !== n.id);
      this.requestUpdate();
      this.plot?.redraw(false);
    } catch (err) {
      this.error = `note: ${errorText(err)}`;
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
    const empty = mains.length > 0 && !this.loading && this.viewEmpty();
    void this.legendTick;
    return html`
      ${this.compact ? '' : html`<div class="toolbar" part="toolbar">
        <historian-time-range .range=${this.paused && 'preset' in this.range ? { from: this.view.from, to: this.view.to } : this.range} @range-change=${this.onRange}></historian-time-range>
        <span class="spacer"></span>
        <span class="pan toolbar">
          <button title="Pan back" aria-label="pan back" data-action="pan-left" @click=${() => this.pan(-1)}>◀</button>
          <button title="Zoom in" aria-label="zoom in" data-action="zoom-in" @click=${() => this.zoom(0.5)}>+</button>
          <button title="Zoom out" aria-label="zoom out" data-action="zoom-out" @click=${() => this.zoom(2)}>−</button>
          <button title="Pan forward (never past now)" aria-label="pan forward" data-action="pan-right" @click=${() => this.pan(1)}>▶</button>
        </span>
        <button data-action="reset" title="Follow now again" @click=${() => this.reset()}>Live</button>
        <span class="state ${this.paused ? 'paused' : ''}" data-testid="live-state">${this.paused ? 'paused' : 'live'}</span>
        ${this.loading ? html`<span class="muted" role="status">loading…</span>` : ''}
      </div>
      <div class="range" data-testid="view-range">${mains.length ? `${fmtTime(this.view.from, spanMs)} – ${fmtTime(this.view.to, spanMs)}` : ''}</div>`}
      <div class="plotwrap" style=${styleMap(this.compact ? { position: 'relative', flex: '1', minHeight: '0' } : { position: 'relative', height: `${this.height}px` })}>
        <div class="plot" data-testid="trend-plot" style=${styleMap({ height: '100%' })}></div>
        ${!mains.length && !this.compact ? html`<div class="nodata" data-testid="trend-empty"><b>No tag chosen.</b><span>Choose tags in the tag tree to draw them.</span></div>`
          : empty && this.retrying ? html`<div class="nodata" data-testid="read-failed"><b>The history could not be read.</b><span>${this.error}</span><span>Trying again…</span></div>`
          : empty ? html`<div class="nodata" data-testid="no-data"><b>No data in this range.</b><span>${fmtTime(this.view.from, spanMs)} – ${fmtTime(this.view.to, spanMs)}</span><span>Choose a longer range or go back in time.</span></div>` : ''}
      </div>
      ${mains.length ? html`<historian-trend-legend data-testid="legend" .label=${this.label} .rows=${this.legendRows()} .at=${this.cursorAt} ?compact=${this.compact}></historian-trend-legend>` : ''}
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${this.compact || !mains.length ? '' : html`<historian-trend-notes .notes=${this.notesInView()} username=${me()?.username ?? ''} ?mayWrite=${can('annotations.write')}
        @note-remove=${(e: CustomEvent<Note>) => this.removeNote(e.detail)}></historian-trend-notes>`}
      ${this.compact || !mains.length ? '' : html`<div class="toolbar">
        ${can('export') ? html`<form class="toolbar" @submit=${this.exportShown} data-testid="export-form">
          <select name="format" aria-label="export format"><option value="csv">CSV</option><option value="xlsx">Excel (XLSX)</option><option value="json">JSON</option></select>
          <select name="what" aria-label="what to export"><option value="raw">raw samples</option><option value="shown">as displayed</option></select>
          <select name="layout" aria-label="layout"><option value="long">long</option><option value="wide">wide</option></select>
          <button type="submit" data-action="export">Download</button>
          ${this.progress ? html`<span data-testid="export-progress"><span class="bar"><i style=${styleMap({ width: `${Math.round((this.progress.fraction ?? 0) * 100)}%` })}></i></span>
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


customElements.define('historian-trend', HistorianTrend);

/**
 * uPlot path builders. Step tags: the value holds until the next sample; where there are
 * more points than pixels the steps are narrower than a pixel and look like the linear
 * path, which is drawn then. Denser still (two samples or more per pixel column), both
 * draw the filled per-column envelope (envelope-path.ts), which keeps 100k points fluid.
 */
const steppedPath = uPlot.paths.stepped!({ align: 1 });
const linearPath = uPlot.paths.linear!();
const stepped = envelopeWhenDense((u, si, i0, i1) =>
  (i1 - i0 > u.bbox.width / devicePixelRatio ? linearPath : steppedPath)(u, si, i0, i1));
const linear = envelopeWhenDense(linearPath);
/** marks the builders (function names do not survive minification): tests read it */
(stepped as unknown as { interpolation: string }).interpolation = 'step';
(linear as unknown as { interpolation: string }).interpolation = 'linear';

/** A y range with a little headroom; a flat line gets a visible band around it. */
function padRange(lo: number | null, hi: number | null): uPlot.Range.MinMax {
  if (lo == null || hi == null || !Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (hi === lo) { const d = Math.abs(lo) * 0.05 || 1; return [lo - d, hi + d]; }
  const pad = (hi - lo) * 0.06;
  return [lo - pad, hi + pad];
}

/** x-axis labels: one short line each (time of day, or date when the view spans days). */
function axisTime(ms: number, spanMs: number): string {
  const f = spanMs > 400 * 86_400_000 ? FMT.year : spanMs > 3 * 86_400_000 ? FMT.day : spanMs > 20 * 3_600_000 ? FMT.weekday : spanMs > 10 * 60_000 ? FMT.minute : FMT.second;
  return f.format(ms);
}

// formatters made once: the axis is redrawn on every zoom and pan frame
const FMT = {
  year: new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short' }),
  day: new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' }),
  weekday: new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: HOUR, minute: '2-digit' }),
  minute: new Intl.DateTimeFormat(undefined, { hour: HOUR, minute: '2-digit' }),
  second: new Intl.DateTimeFormat(undefined, { hour: HOUR, minute: '2-digit', second: '2-digit' }),
};

/** The average of a two-state tag is the share of time in its second state ("62 % Running"). */
function discreteShare(avg: number, m: TagMeta | undefined): string | null {
  const states = m?.states?.length ? m.states : m?.valueType === 'boolean' ? ['Off', 'On'] : null;
  if (!states) return null;
  if (states.length !== 2) return '—';
  return `${Math.round(avg * 100)} % ${states[1].charAt(0).toUpperCase()}${states[1].slice(1)}`;
}

/** `text`, shortened with an ellipsis to fit `room` pixels, or '' when not even a few letters fit. */
function fitText(ctx: CanvasRenderingContext2D, text: string, room: number): string {
  if (ctx.measureText(text).width <= room) return text;
  for (let n = text.length - 1; n >= 3; n--) {
    const t = `${text.slice(0, n).trimEnd()}…`;
    if (ctx.measureText(t).width <= room) return t;
  }
  return '';
}

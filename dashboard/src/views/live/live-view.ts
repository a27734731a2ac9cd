// Overview of live values, grouped by equipment (the ISA-95 path without the point):
// description, value in the tag's unit with one precision per tag, discrete states as
// words, a sparkline of the last hour, quality and alarm state ISA-101 style (grey when
// normal; colour only where something is abnormal; alarm priority as shape + colour).
import { LitElement, html, css } from 'lit';
import { api, get } from '../../api';
import { live, type LiveSample } from '../../live-client';
import { can } from '../../session';
import { base } from '../../styles';
import { formatValue, qualityLevel, qualityText, splitTag, fmtClock, type TagInfo } from '../../lib/format';
import { priorityIcon, PRIORITY_RANK } from '../../components/chips';
import { stateName } from '../alarms/alarm-names';
import '../../components/chips';
import '../../components/sparkline';
import { wordParts } from '../../components/tag-path';
import { isTwinCompanion } from '../../lib/twin-companions';
import { tagList } from '../../lib/tag-list';

interface Row { tag: string; ts: number; value: number; quality: string }
interface ActiveAlarm { tag: string; priority: string; state: string; stateName?: string; message: string }
const SPARK_POINTS = 60;
const HOUR = 3_600_000;
/**
 * Tags per query request (the API takes at most 1000 in a list). The lists go in a POST body:
 * a few hundred tag paths would pass the ~16 kB an address may have, and the page would lose
 * the latest values of every tag.
 */
const TAGS_PER_REQUEST = 500;

/**
 * Rows drawn at once. A plant of thousands of tags draws this many until the list is filtered
 * or all are asked for: drawing 10,000 rows held the page for about 4 s, and again on every
 * change of the filter.
 */
const ROWS_DRAWN = 500;

/** The tags in lists of at most TAGS_PER_REQUEST. */
function chunks(tags: readonly string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < tags.length; i += TAGS_PER_REQUEST) out.push(tags.slice(i, i + TAGS_PER_REQUEST));
  return out;
}

interface Overview { tags: TagInfo[]; latest: Row[] | null }

/** The tag list with metadata, then the latest stored value of each shown tag. */
async function fetchOverview(query: boolean): Promise<Overview> {
  const all = await tagList();
  const names = new Set(all.map((t) => t.tag));
  // a twin's companions are drawn in the trend with their tag, not as rows of their own
  const tags = [...names].filter((t) => !isTwinCompanion(t, (x) => names.has(x)) && !t.startsWith('sys.'));
  // the latest stored values, so the page is filled before the next live sample
  let latest: Row[] | null = null;
  if (tags.length && query) {
    try {
      latest = [];
      for (const list of chunks(tags)) latest.push(...(await api<{ samples: Row[] }>('POST', '/query', { kind: 'latest', tags: list })).samples);
    } catch { latest = null; }
  }
  return { tags: all, latest };
}

let early: { at: number; overview: Promise<Overview> } | null = null;
/** How long a prefetched overview may stand in for a fresh one. */
const PREFETCH_FRESH_MS = 5000;

/**
 * Starts loading the overview right after sign-in, while the shell still asks who the user
 * is, so the first live values do not wait for that round trip (an account without the
 * needed permissions gets a refusal here, which the view treats as "nothing stored").
 */
export function prefetchOverview(): void {
  const overview = fetchOverview(true);
  overview.catch(() => undefined);
  early = { at: Date.now(), overview };
}

function takeOverview(query: boolean): Promise<Overview> {
  const e = early;
  early = null;
  if (e && query && Date.now() - e.at < PREFETCH_FRESH_MS) return e.overview;
  return fetchOverview(query);
}

export class LiveView extends LitElement {
  static properties = { rows: { state: true }, filter: { state: true }, meta: { state: true }, alarms: { state: true }, sparks: { state: true }, stopped: { state: true }, collapsed: { state: true }, showAll: { state: true } };
  declare rows: Row[];
  declare filter: string;
  declare meta: Map<string, TagInfo>;
  declare alarms: Map<string, ActiveAlarm>;
  declare sparks: Map<string, Array<number | null>>;
  /** where in the sparklines' hour the historian was stopped (fractions of it) */
  declare stopped: Array<[number, number]>;
  declare collapsed: Set<string>;
  /** draw every row, not only the first ROWS_DRAWN */
  declare showAll: boolean;
  private values = new Map<string, Row>();
  private offs: Array<() => void> = [];
  private pending = false;
  /** the rows the last render drew */
  private drawn: Row[] = [];
  /** tags whose sparkline was asked for in this minute's round */
  private sparkAsked = new Set<string>();
  private sparkTimer: number | undefined;
  private timers: number[] = [];

  constructor() {
    super();
    this.rows = [];
    this.filter = '';
    this.meta = new Map();
    this.alarms = new Map();
    this.sparks = new Map();
    this.stopped = [];
    this.collapsed = new Set();
    this.showAll = false;
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    .scroll { overflow: auto; max-height: calc(100vh - 170px); }
    table { font-size: 13px; }
    tbody th { background: var(--th); text-align: left; position: static; }
    tbody th button { border: none; background: none; font-weight: 600; padding: 2px 0; min-height: 24px; text-align: left; }
    .path { color: var(--muted); font-weight: 400; font-size: 12px; margin-left: 6px; }
    td.value { text-align: right; white-space: nowrap; font-size: 14px; }
    td.value b { font-weight: 600; }
    .unit { color: var(--muted); margin-left: 3px; font-size: 12px; }
    td.point a { color: var(--fg); font-weight: 600; }
    td.desc { color: var(--muted); }
    td.time { color: var(--muted); white-space: nowrap; font-size: 12px; }
    tr.BAD td.value b { color: var(--bad-fg); text-decoration: line-through; }
    tr.alarm td.point { box-shadow: inset 4px 0 0 var(--prio-urgent); }
    tr.alarm-high td.point { box-shadow: inset 4px 0 0 var(--prio-high); }
    tr.alarm-medium td.point { box-shadow: inset 4px 0 0 var(--prio-medium); }
    tr.alarm-low td.point { box-shadow: inset 4px 0 0 var(--prio-low); }
    .more { font-size: 13px; }
    .alarm-cell { display: inline-flex; gap: 4px; align-items: center; font-size: 12px; font-weight: 600; white-space: nowrap; }
    @media (max-width: 1100px) { td.time, th.time { display: none; } }
    @media (max-width: 700px) {
      td.desc, th.desc, td.spark, th.spark { display: none; }
      th, td { padding: 3px 4px; }
      /* break-word, not anywhere: the point column keeps the width of its longest word part
         (the empty alarm column gives way), and breaks inside a word only when it must */
      td.point { overflow-wrap: break-word; }
      /* a long state ("Returned, unacknowledged") wraps under its icon instead of running past the screen's edge */
      .alarm-cell { white-space: normal; align-items: flex-start; }
      .scroll { max-height: none; }
    }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void this.loadMeta();
    void this.loadAlarms();
    this.offs.push(live.on('>', (samples: LiveSample[]) => {
      for (const s of samples) this.values.set(s.tag, { tag: s.tag, ts: s.ts, value: s.value, quality: qualityText(s.quality) });
      if (this.pending) return;
      this.pending = true;
      requestAnimationFrame(() => {
        this.pending = false;
        this.rows = this.shownRows();
      });
    }));
    this.offs.push(live.onAlarm(() => { void this.loadAlarms(); }));
    this.timers.push(window.setInterval(() => { void this.loadSparks(true); }, 60_000), window.setInterval(() => { void this.loadAlarms(); }, 10_000));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const o of this.offs) o();
    this.offs = [];
    for (const t of this.timers) window.clearInterval(t);
    this.timers = [];
    window.clearTimeout(this.sparkTimer);
    this.sparkTimer = undefined;
  }

  private async loadMeta(): Promise<void> {
    try {
      const { tags, latest } = await takeOverview(can('query'));
      this.meta = new Map(tags.map((t) => [t.tag, t]));
      for (const s of latest ?? []) if (!this.values.has(s.tag)) this.values.set(s.tag, { ...s, quality: qualityText(s.quality) });
      this.rows = this.shownRows();
    } catch { /* the live samples still fill the page */ }
  }

  /** The values to list, by tag: a twin's companions (known from the tags or the live samples) are left out. */
  private shownRows(): Row[] {
    const has = (t: string) => this.meta.has(t) || this.values.has(t);
    return [...this.values.values()].filter((r) => !isTwinCompanion(r.tag, has)).sort((a, b) => (a.tag < b.tag ? -1 : 1));
  }

  /**
   * The last hour of the drawn rows (rows not drawn get theirs when a filter or "show all"
   * draws them: a plant of 10,000 tags asked for all of them every minute). `refresh` starts
   * the minute's round: sparklines of rows no longer drawn are dropped, to be read when drawn.
   */
  private async loadSparks(refresh = false): Promise<void> {
    if (!can('query')) return;
    const drawn = this.drawn.map((r) => r.tag);
    if (refresh) {
      this.sparkAsked = new Set();
      const keep = new Set(drawn);
      this.sparks = new Map([...this.sparks].filter(([t]) => keep.has(t)));
    }
    const tags = drawn.filter((t) => !this.sparkAsked.has(t) || refresh);
    if (!tags.length) return;
    for (const t of tags) this.sparkAsked.add(t);
    const to = Date.now();
    const out = new Map(this.sparks);
    let stopped = this.stopped;
    for (const chunk of chunks(tags)) {
      const r = await api<{ tags: string[]; rows: Array<{ ts: number; values: Array<number | null> }>; downtime?: Array<[number, number]> }>(
        'POST', '/query', { kind: 'aligned', tags: chunk, from: to - HOUR, to, stepMs: HOUR / SPARK_POINTS }).catch(() => null);
      if (!r) continue;
      r.tags.forEach((t, j) => out.set(t, r.rows.map((row) => row.values[j])));
      stopped = (r.downtime ?? []).map(([a, b]) => [(a - (to - HOUR)) / HOUR, (b - (to - HOUR)) / HOUR]);
    }
    this.sparks = out;
    this.stopped = stopped;
  }

  updated(): void {
    // rows drawn since the last read (a filter typed, "show all"): their sparklines once the typing pauses
    if (this.sparkTimer !== undefined || !this.drawn.some((r) => !this.sparkAsked.has(r.tag))) return;
    this.sparkTimer = window.setTimeout(() => { this.sparkTimer = undefined; void this.loadSparks(); }, 250);
  }

  private async loadAlarms(): Promise<void> {
    if (!can('alarms.read')) return;
    const r = await get<{ alarms: ActiveAlarm[] }>('/alarms?state=B,C,D').catch(() => null);
    const m = new Map<string, ActiveAlarm>();
    for (const a of r?.alarms ?? []) {
      const cur = m.get(a.tag);
      if (!cur || (PRIORITY_RANK[a.priority] ?? 9) < (PRIORITY_RANK[cur.priority] ?? 9)) m.set(a.tag, a);
    }
    this.alarms = m;
  }

  private toggleGroup(g: string): void {
    const c = new Set(this.collapsed);
    if (c.has(g)) c.delete(g); else c.add(g);
    this.collapsed = c;
  }

  private renderRow(r: Row) {
    const m = this.meta.get(r.tag);
    const { point } = splitTag(r.tag);
    const lvl = qualityLevel(r.quality);
    const a = this.alarms.get(r.tag);
    const cls = `${lvl} ${a ? `alarm alarm-${a.priority}` : ''}`;
    const discrete = !!m?.states?.length || m?.valueType === 'boolean';
    return html`<tr class=${cls} data-tag=${r.tag}>
      <td class="point"><a href="#/trend?tags=${encodeURIComponent(r.tag)}&range=1h&live=1" title=${r.tag}>${wordParts(point)}</a></td>
      <td class="desc">${m?.description ?? ''}</td>
      <td class="value" data-testid="value"><b>${formatValue(r.value, m)}</b>${m?.unit && !discrete ? html`<span class="unit">${m.unit}</span>` : ''}</td>
      <td class="spark"><historian-sparkline .values=${this.sparks.get(r.tag) ?? []} .stopped=${this.stopped} ?step=${discrete || m?.interpolation === 'step'}></historian-sparkline></td>
      <td class="state">${a ? html`<span class="alarm-cell" data-testid="row-alarm" title=${a.message}>${priorityIcon(a.priority)}${stateName(a.state)}</span>` : ''}
        ${lvl === 'GOOD' ? '' : html`<historian-quality-chip .quality=${r.quality}></historian-quality-chip>`}</td>
      <td class="time">${fmtClock(r.ts)}</td>
    </tr>`;
  }

  render() {
    const f = this.filter.toLowerCase();
    const rows = f ? this.rows.filter((r) => r.tag.toLowerCase().includes(f) || (this.meta.get(r.tag)?.description ?? '').toLowerCase().includes(f)) : this.rows;
    const drawn = this.showAll ? rows : rows.slice(0, ROWS_DRAWN);
    this.drawn = drawn;
    const groups = new Map<string, Row[]>();
    for (const r of drawn) {
      const { equipment } = splitTag(r.tag);
      const g = groups.get(equipment) ?? [];
      g.push(r);
      groups.set(equipment, g);
    }
    const groupCount = drawn.length === rows.length ? groups.size : new Set(rows.map((r) => splitTag(r.tag).equipment)).size;
    const abnormal = rows.filter((r) => qualityLevel(r.quality) !== 'GOOD' || this.alarms.has(r.tag)).length;
    const count = rows.length === this.rows.length ? `${this.rows.length} tags live` : `${rows.length} of ${this.rows.length} tags`;
    return html`
      <div class="toolbar"><label class="sr-only" for="live-filter">Filter tags</label>
        <input id="live-filter" type="search" placeholder="Filter tags or descriptions" @input=${(e: Event) => { this.filter = (e.target as HTMLInputElement).value; }} />
        <span class="muted" role="status">${count} in ${groupCount} equipment ${groupCount === 1 ? 'group' : 'groups'} · ${abnormal} abnormal</span></div>
      ${this.rows.length === 0
        ? html`<div class="empty">No live values yet. Values appear here as soon as a flow publishes samples.</div>`
        : html`<div class="scroll"><table data-testid="live-table">
            <thead><tr><th>Point</th><th class="desc">Description</th><th class="value">Value</th><th class="spark">Last hour</th><th>Alarm / quality</th><th class="time">Time</th></tr></thead>
            ${[...groups.entries()].map(([g, list]) => {
              const parts = g.split('.');
              const shut = this.collapsed.has(g);
              return html`<tbody data-group=${g}>
                <tr><th colspan="6"><button aria-expanded=${String(!shut)} @click=${() => this.toggleGroup(g)}>${shut ? '▸' : '▾'} ${parts.slice(-2).join(' / ')}</button><span class="path">${parts.slice(0, -2).join('.')}</span></th></tr>
                ${shut ? '' : list.map((r) => this.renderRow(r))}</tbody>`;
            })}
          </table></div>
          ${drawn.length < rows.length ? html`<div class="more muted" data-testid="live-more">Showing the first ${drawn.length} of ${rows.length} tags: type in the filter to find others, or
            <button class="link" @click=${() => { this.showAll = true; }}>show all ${rows.length}</button> (slower to draw).</div>` : ''}`}`;
  }
}

customElements.define('historian-live-view', LiveView);

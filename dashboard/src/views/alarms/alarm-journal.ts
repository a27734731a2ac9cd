// The alarm journal: every transition and operator action with readable state and event
// names, each alarm by its message, filtered by tag or area (a tag pattern), priority (the
// one recorded with the entry), event and time range, all on the server, paged by its
// cursor (newest first).
import { LitElement, html, css } from 'lit';
import { get, qs, errorText } from '../../api';
import { base } from '../../styles';
import { priorityIcon } from '../../components/chips';
import { fmtDateTime, formatWithUnit, type TagInfo } from '../../lib/format';
import { tagMetas } from '../../lib/tag-list';
import { limitText } from './alarm-values';
import { rangeBounds, type TimeRange } from '../../lib/ranges';
import { EVENTS, eventName, stateName } from './alarm-names';
import type { AlarmJournalEntry, AlarmJournalPage } from '../../../../runtime/server/api/contract';
import '../../components/time-range';
import { tagPath } from '../../components/tag-path';

type Entry = AlarmJournalEntry;

/** A cell that, on a phone's card, is left out when it has nothing to say (no user, no comment). */
function optional(label: string, text: string) {
  // User is a column on every screen; value, limit and comment only on wide ones (hide-s)
  const narrow = label === 'User' ? '' : 'hide-s';
  return html`<td class=${text ? narrow : `none ${narrow}`} data-label=${label}>${text}</td>`;
}
const PAGE = 50;

export class AlarmJournal extends LitElement {
  static properties = { entries: { state: true }, error: { state: true }, page: { state: true }, hasNext: { state: true }, range: { state: true } };
  declare entries: Entry[];
  declare error: string;
  declare page: number;
  declare hasNext: boolean;
  declare range: TimeRange;
  private cursors: Array<number | undefined> = [undefined];
  private next: number | null = null;
  private filter: { tag?: string; event?: string; priority?: string } = {};
  /** alarm id → message and type, from every configured alarm (Normal ones included) */
  private names = new Map<string, { message: string; type: string }>();
  /** the tag registry, for units and state names */
  private metas = new Map<string, TagInfo>();

  constructor() { super(); this.entries = []; this.error = ''; this.page = 0; this.hasNext = false; this.range = { preset: '24h' }; }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 8px; }
    form { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
    .scroll { overflow: auto; max-height: calc(100vh - 300px); }
    /* a tag path wraps at its dots (tagPath), never inside a part while the table has room */
    td.tag { overflow-wrap: break-word; min-width: 11em; }
    td.time { white-space: nowrap; }
    @media (max-width: 1100px) { td.time { white-space: normal; min-width: 6em; } }
    @media (max-width: 700px) { .hide-s { display: none; } .scroll { max-height: none; } }
    /* a phone's cards show value, limit and comment again, and leave out what is empty */
    @media (max-width: 600px) { table.cards td.none { display: none; } }
  `];

  connectedCallback(): void {
    super.connectedCallback();
    void Promise.all([get<{ alarms: Array<{ id: string; message: string; type: string }> }>('/alarms?all=true'), tagMetas()]).then(([r, metas]) => {
      this.names = new Map(r.alarms.map((a) => [a.id, a]));
      this.metas = metas;
      this.requestUpdate();
    }).catch(() => undefined);
    void this.load();
  }

  private async load(): Promise<void> {
    const { from, to } = rangeBounds(this.range);
    try {
      const r = await get<AlarmJournalPage>(`/alarms/journal${qs({ tag: this.filter.tag, event: this.filter.event, priority: this.filter.priority, from, to, limit: PAGE, cursor: this.cursors[this.page] })}`);
      this.entries = r.entries;
      this.next = r.next;
      this.hasNext = this.next !== null;
      this.error = '';
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private apply(e: Event): void {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const tag = String(f.get('tag') ?? '').trim();
    this.filter = { tag: tag || undefined, event: String(f.get('event') || '') || undefined, priority: String(f.get('priority') || '') || undefined };
    this.cursors = [undefined];
    this.page = 0;
    void this.load();
  }

  private go(d: 1 | -1): void {
    if (d === 1 && this.next !== null) { this.cursors[this.page + 1] = this.next; this.page++; }
    else if (d === -1 && this.page > 0) this.page--;
    void this.load();
  }

  render() {
    return html`
      <historian-time-range .range=${this.range} .presets=${['1h', '8h', '24h', '7d', '30d']}
        @range-change=${(e: CustomEvent<TimeRange>) => { this.range = e.detail; this.cursors = [undefined]; this.page = 0; void this.load(); }}></historian-time-range>
      <form @submit=${this.apply} data-testid="journal-filter">
        <label for="j-tag">Tag or area</label><input id="j-tag" name="tag" placeholder="e.g. acme.izmir.plant1.>" size="24" />
        <label for="j-prio">Priority</label><select id="j-prio" name="priority"><option value="">any</option>${['urgent', 'high', 'medium', 'low'].map((p) => html`<option value=${p}>${p}</option>`)}</select>
        <label for="j-event">Event</label><select id="j-event" name="event"><option value="">any</option>${EVENTS.map((ev) => html`<option value=${ev}>${eventName(ev)}</option>`)}</select>
        <button type="submit">Filter</button>
      </form>
      ${this.error ? html`<div class="error" role="alert">${this.error}</div>` : ''}
      ${!this.entries.length ? html`<div class="empty">No journal entries match.</div>` : html`
      <div class="scroll" tabindex="0" role="region" aria-label="journal entries"><table class="cards" data-testid="journal-table"><thead><tr><th>Time</th><th>Priority</th><th>Tag</th><th>Alarm</th><th>Event</th><th>State change</th><th class="hide-s">Value</th><th class="hide-s">Limit</th><th>User</th><th class="hide-s">Comment</th></tr></thead>
      <tbody>${this.entries.map((e) => { const p = e.priority; return html`<tr>
        <td class="time" data-label="Time">${fmtDateTime(e.ts)}</td><td data-label="Priority">${p ? html`${priorityIcon(p)} ${p}` : ''}</td><td class="tag" data-label="Tag">${tagPath(e.tag)}</td>
        <td data-testid="journal-alarm" data-label="Alarm">${this.names.get(e.alarmId)?.message ?? e.alarmId}</td><td data-label="Event">${eventName(e.event)}</td>
        <td data-testid="journal-states" data-label="State change">${stateName(e.from)} → ${stateName(e.to)}</td>
        ${optional('Value', formatWithUnit(e.value, this.metas.get(e.tag)))}${optional('Limit', limitText({ type: this.names.get(e.alarmId)?.type ?? '', limit: e.limit }, this.metas.get(e.tag)))}${optional('User', e.user ?? '')}${optional('Comment', e.comment ?? '')}</tr>`; })}</tbody></table></div>`}
      <div class="toolbar"><button data-action="prev-page" ?disabled=${this.page === 0} @click=${() => this.go(-1)}>Newer</button>
        <span class="muted">page ${this.page + 1}</span>
        <button data-action="next-page" ?disabled=${!this.hasNext} @click=${() => this.go(1)}>Older</button></div>`;
  }
}

customElements.define('historian-alarm-journal', AlarmJournal);

// <historian-trend-notes>: the notes of a trend's window as text under it. The chart marks
// each note with a flag and its first words; here are the whole note, its tag, time and
// author, readable by screen readers, and Remove for the author's own notes (the removal
// and the removed text go to the audit trail).
import { LitElement, html, css } from 'lit';
import { base } from '../styles';
import { fmtDateTime } from '../lib/format';

export interface TrendNote { id: string; ts: number; tag: string | null; text: string; author: string; authorName?: string }

export class TrendNotes extends LitElement {
  static properties = { notes: { attribute: false }, username: { type: String }, mayWrite: { type: Boolean } };
  declare notes: TrendNote[];
  /** the signed-in user: only a note's author may remove it */
  declare username: string;
  declare mayWrite: boolean;
  constructor() { super(); this.notes = []; this.username = ''; this.mayWrite = false; }

  static styles = [base, css`
    :host { display: block; font-size: 12px; }
    summary { cursor: pointer; color: var(--muted); padding: 2px 0; }
    ul { list-style: none; margin: 0; padding: 0; }
    li { display: flex; gap: 8px; align-items: baseline; padding: 2px 0; border-top: 1px solid var(--border); flex-wrap: wrap; }
    .when { white-space: nowrap; color: var(--muted); }
    .text { flex: 1; min-width: 12em; overflow-wrap: anywhere; }
    .who, .tag { color: var(--muted); overflow-wrap: anywhere; }
  `];

  private askRemove(n: TrendNote): void {
    this.dispatchEvent(new CustomEvent<TrendNote>('note-remove', { detail: n, bubbles: true, composed: true }));
  }

  render() {
    if (!this.notes.length) return '';
    const sorted = [...this.notes].sort((a, b) => b.ts - a.ts);
    return html`<details data-testid="trend-notes" open>
      <summary>${sorted.length === 1 ? '1 note' : `${sorted.length} notes`} in this window</summary>
      <ul>${sorted.map((n) => html`<li data-note=${n.id}>
        <span class="when">${fmtDateTime(n.ts)}</span>
        <span class="text">${n.text}</span>
        <span class="tag">${n.tag ?? 'all tags'}</span>
        <span class="who">${n.authorName || n.author}</span>
        ${this.mayWrite && n.author === this.username
          ? html`<button class="link" data-action="remove-note" aria-label=${`remove the note "${n.text.slice(0, 40)}"`} @click=${() => this.askRemove(n)}>Remove</button>` : ''}
      </li>`)}</ul>
    </details>`;
  }
}

customElements.define('historian-trend-notes', TrendNotes);

// <historian-tag-picker>: the ISA-95 tree of tags (enterprise.site.area.line.cell.
// equipment.point) and a search box; emits `pick` with the tag chosen. Shared by the
// trend and the layout editor. Rows are buttons, so the tree works from the keyboard.
import { LitElement, html, css } from 'lit';
import { errorText } from '../api';
import { Refresh } from '../lib/refresh';
import { base } from '../styles';
import { isTwinCompanion } from '../lib/twin-companions';

import type { TagInfo } from '../lib/format';
import { tagList } from '../lib/tag-list';
interface Node { name: string; path: string; children: Map<string, Node>; tag?: TagInfo }

function buildTree(tags: TagInfo[]): Node {
  const root: Node = { name: '', path: '', children: new Map() };
  for (const t of tags) {
    let n = root;
    const parts = t.tag.split('.');
    parts.forEach((p, i) => {
      let c = n.children.get(p);
      if (!c) { c = { name: p, path: parts.slice(0, i + 1).join('.'), children: new Map() }; n.children.set(p, c); }
      n = c;
    });
    n.tag = t;
  }
  return root;
}

export class TagPicker extends LitElement {
  static properties = { selected: { type: Array }, colors: { attribute: false }, tags: { state: true }, query: { state: true }, open: { state: true }, error: { state: true } };
  declare selected: string[];
  /** colour of each selected tag (the trend's pen colours), shown as a swatch */
  declare colors: Record<string, string>;
  declare tags: TagInfo[];
  declare query: string;
  declare open: Set<string>;
  declare error: string;

  constructor() {
    super();
    this.selected = [];
    this.colors = {};
    this.tags = [];
    this.query = '';
    this.open = new Set();
    this.error = '';
  }

  static styles = [base, css`
    :host { display: flex; flex-direction: column; gap: 6px; min-height: 0; }
    ul { list-style: none; margin: 0; padding-left: 12px; }
    .tree { overflow: auto; flex: 1; background: var(--panel); border: 1px solid var(--border); padding: 4px 4px 4px 0; font-size: 13px; }
    .row { display: flex; align-items: center; gap: 4px; cursor: pointer; padding: 1px 2px; white-space: nowrap; border: none; background: none; min-height: 24px; width: 100%; text-align: left; }
    .row:hover { background: var(--btn-hover); }
    .row.sel { font-weight: 600; background: var(--btn-active); }
    .caret { width: 12px; color: var(--muted); }
    .unit { color: var(--muted); font-size: 11px; }
    .row.sel .unit { color: var(--fg); }
    .swatch { width: 10px; height: 10px; border-radius: 2px; flex: none; }
  `];

  private readonly refresh = new Refresh(this, () => this.load());

  private async load(): Promise<void> {
    try {
      const all = await tagList();
      // a twin's companions are drawn with their tag, not picked on their own
      const names = new Set(all.map((t) => t.tag));
      this.tags = all.filter((t) => !isTwinCompanion(t.tag, (x) => names.has(x))).sort((a, b) => (a.tag < b.tag ? -1 : 1));
      if (this.tags.length && this.open.size === 0) {
        // open the first branch down to its equipment so a tag is one click away
        const parts = this.tags[0].tag.split('.');
        this.open = new Set(parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.')));
      }
    } catch (e) {
      this.error = errorText(e);
    }
  }

  private pick(tag: string): void {
    this.dispatchEvent(new CustomEvent('pick', { detail: tag, bubbles: true, composed: true }));
  }

  private toggle(path: string): void {
    const o = new Set(this.open);
    if (o.has(path)) o.delete(path); else o.add(path);
    this.open = o;
  }

  private renderNode(n: Node): unknown {
    return html`<ul>${[...n.children.values()].map((c) => {
      if (c.tag && c.children.size === 0) {
        return html`<li>${this.leaf(c.tag, c.name)}</li>`;
      }
      const isOpen = this.open.has(c.path);
      return html`<li><button class="row" aria-expanded=${String(isOpen)} @click=${() => this.toggle(c.path)}><span class="caret" aria-hidden="true">${isOpen ? '▾' : '▸'}</span>${c.name}</button>
        ${isOpen ? this.renderNode(c) : ''}</li>`;
    })}</ul>`;
  }

  private leaf(t: TagInfo, label: string) {
    const sel = this.selected.includes(t.tag);
    const color = this.colors[t.tag];
    return html`<button class="row ${sel ? 'sel' : ''}" data-tag=${t.tag} aria-pressed=${String(sel)} title=${t.description || t.tag}
      @click=${() => this.pick(t.tag)}><span class="caret"></span>${color ? html`<span class="swatch" data-color=${color}></span>` : ''}${label}
      <span class="unit">${t.unit ?? ''}</span></button>`;
  }

  updated(): void {
    // swatch colours through the CSSOM (no inline style attributes under a strict CSP)
    for (const el of this.renderRoot.querySelectorAll<HTMLElement>('.swatch[data-color]')) el.style.background = el.dataset.color!;
  }

  render() {
    const q = this.query.trim().toLowerCase();
    const hits = q ? this.tags.filter((t) => t.tag.toLowerCase().includes(q) || (t.description ?? '').toLowerCase().includes(q)).slice(0, 200) : [];
    return html`
      <input type="search" placeholder="Search tags" aria-label="search tags" .value=${this.query} @input=${(e: Event) => { this.query = (e.target as HTMLInputElement).value; }} />
      <div class="tree" data-testid="tag-tree">
        ${this.error ? html`<div class="error">${this.error}</div>` : ''}
        ${q
          ? hits.length ? html`<ul>${hits.map((t) => html`<li>${this.leaf(t, t.tag)}</li>`)}</ul>`
            : html`<div class="muted pad">No tag matches.</div>`
          : this.tags.length ? this.renderNode(buildTree(this.tags)) : html`<div class="muted pad">No tags stored yet.</div>`}
      </div>`;
  }
}

customElements.define('historian-tag-picker', TagPicker);

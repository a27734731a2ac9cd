// Quality and alarm-priority chips (ISA-101): quality is shown only when not GOOD; alarm
// priority is a shape AND a colour AND a number, so it reads without colour vision:
// 1 urgent = red square, 2 high = orange triangle, 3 medium = yellow diamond,
// 4 low = blue circle.
import { LitElement, html, svg, css } from 'lit';
import { qualityLabel, qualityLevel } from '../lib/format';

export const PRIORITIES = ['urgent', 'high', 'medium', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const PRIORITY_RANK: Record<string, number> = { urgent: 1, high: 2, medium: 3, low: 4 };

/** The priority symbol as inline SVG (also used inside other components' templates). */
export function priorityIcon(priority: string, size = 16) {
  const n = PRIORITY_RANK[priority] ?? 0;
  const fill = `var(--prio-${priority}, #888)`;
  const text = priority === 'urgent' ? '#fff' : '#000';
  const shape = priority === 'urgent' ? svg`<rect x="1" y="1" width="14" height="14" fill=${fill} stroke="#000" stroke-width="0.8"/>`
    : priority === 'high' ? svg`<path d="M8 0.6 L15.4 15 H0.6 Z" fill=${fill} stroke="#000" stroke-width="0.8"/>`
    : priority === 'medium' ? svg`<path d="M8 0.5 L15.5 8 L8 15.5 L0.5 8 Z" fill=${fill} stroke="#000" stroke-width="0.8"/>`
    : svg`<circle cx="8" cy="8" r="7.2" fill=${fill} stroke="#000" stroke-width="0.8"/>`;
  return html`<svg class="prio-icon" width=${size} height=${size} viewBox="0 0 16 16" aria-hidden="true">${shape}${svg`<text x="8" y=${priority === 'high' ? 13.5 : 12} text-anchor="middle" font-size="9" font-weight="700" font-family="system-ui,sans-serif" fill=${text}>${n || '?'}</text>`}</svg>`;
}

export class PriorityChip extends LitElement {
  static properties = { priority: { type: String }, compact: { type: Boolean } };
  declare priority: string;
  declare compact: boolean;
  constructor() { super(); this.priority = 'low'; this.compact = false; }
  static styles = css`:host { display: inline-flex; align-items: center; gap: 4px; font-size: 12px; font-weight: 600; white-space: nowrap; } .prio-icon { vertical-align: -3px; flex: none; } .sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }`;
  render() {
    const label = this.priority.charAt(0).toUpperCase() + this.priority.slice(1);
    return html`${priorityIcon(this.priority)}${this.compact ? html`<span class="sr">${label}</span>` : html`<span>${label}</span>`}`;
  }
}

export class QualityChip extends LitElement {
  static properties = { quality: {}, showGood: { type: Boolean, attribute: 'show-good' } };
  declare quality: unknown;
  declare showGood: boolean;
  constructor() { super(); this.quality = 'GOOD'; this.showGood = false; }
  static styles = css`
    :host { display: inline-block; font-size: 12px; white-space: nowrap; }
    span { padding: 0 5px; border-radius: 2px; border: 1px solid transparent; }
    .BAD { background: var(--bad-bg); color: var(--bad-fg); border-color: var(--bad-fg); font-weight: 600; }
    .UNCERTAIN { background: var(--unc-bg); color: var(--fg); border-style: dashed; border-color: var(--muted); }
    .GOOD { color: var(--muted); }
  `;
  render() {
    const lvl = qualityLevel(this.quality);
    if (lvl === 'GOOD' && !this.showGood) return html``;
    return html`<span class=${lvl} data-quality=${lvl}>${lvl === 'BAD' ? '✕ ' : lvl === 'UNCERTAIN' ? '? ' : ''}${qualityLabel(this.quality)}</span>`;
  }
}

customElements.define('historian-priority-chip', PriorityChip);
customElements.define('historian-quality-chip', QualityChip);

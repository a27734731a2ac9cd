// A tag path as text that wraps at its dots: `acme.izmir.plant1.line1.cell1.pump1.temperature`
// in a narrow column breaks between its parts, not inside a word ("temperatur|e");
// `overflow-wrap: anywhere` on the cell stays the last resort for a part wider than it.
import { html, type TemplateResult } from 'lit';

export function tagPath(tag: string): TemplateResult {
  const parts = tag.split('.');
  return html`${parts.map((p, i) => (i < parts.length - 1 ? html`${p}.<wbr>` : p))}`;
}

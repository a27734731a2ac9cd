// A tag path as text that wraps at its dots: `acme.izmir.plant1.line1.cell1.pump1.temperature`
// in a narrow column breaks between its parts, not inside a word ("temperatur|e");
// `overflow-wrap: anywhere` on the cell stays the last resort for a part wider than it.
import { html, type TemplateResult } from 'lit';

export function tagPath(tag: string): TemplateResult {
  return breakAfter(tag, '.');
}

function breakAfter(text: string, sep: string): TemplateResult {
  const parts = text.split(sep);
  return html`${parts.map((p, i) => (i < parts.length - 1 ? html`${p}${sep}<wbr>` : p))}`;
}

/** A point name (`hydraulic_power`) that may wrap after its underscores on a narrow screen. */
export function wordParts(name: string): TemplateResult {
  return breakAfter(name, '_');
}

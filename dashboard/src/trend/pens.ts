// Pens of the trend: colours and short names. The colours are the Okabe-Ito palette, which
// stays distinguishable with the common colour-vision deficiencies, ordered so the first pens
// contrast most with the grey ISA-101 background. Dark theme swaps black for light grey.
const LIGHT = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#E69F00', '#56B4E9', '#8C6D00'];
const DARK = ['#56B4E9', '#E69F00', '#2FC29A', '#E08FC0', '#E4E4E4', '#F0E442', '#5C9DFF', '#FF8A5C'];

export function penColor(i: number, dark = false): string {
  const p = dark ? DARK : LIGHT;
  return p[((i % p.length) + p.length) % p.length];
}

/**
 * The last two parts of each tag name, or as many more as tell it from the other pens
 * (line1.cell1.pump1.flow and line2.cell1.pump1.flow are not both "pump1.flow").
 */
export function shortNames(tags: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const tag of tags) {
    const parts = tag.split('.');
    let k = Math.min(2, parts.length);
    const suffix = (t: string, n: number) => t.split('.').slice(-n).join('.');
    while (k < parts.length && tags.some((o) => o !== tag && suffix(o, k) === suffix(tag, k))) k++;
    out.set(tag, suffix(tag, k));
  }
  return out;
}

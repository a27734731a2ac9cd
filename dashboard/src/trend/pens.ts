// Pen colours of the trend: the Okabe-Ito palette, which stays distinguishable with the
// common colour-vision deficiencies, ordered so the first pens contrast most with the grey
// ISA-101 background. Dark theme swaps black for light grey.
const LIGHT = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#000000', '#E69F00', '#56B4E9', '#8C6D00'];
const DARK = ['#56B4E9', '#E69F00', '#2FC29A', '#E08FC0', '#E4E4E4', '#F0E442', '#5C9DFF', '#FF8A5C'];

export function penColor(i: number, dark = false): string {
  const p = dark ? DARK : LIGHT;
  return p[((i % p.length) + p.length) % p.length];
}

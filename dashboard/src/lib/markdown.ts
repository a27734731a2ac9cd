// A small Markdown subset (headings, paragraphs, lists, **bold**, *italic*, `code`,
// [links](https://...)) rendered to Lit templates. Text is always bound as text, never
// parsed as HTML, so a note cannot inject markup or script.
import { html, type TemplateResult } from 'lit';

function inline(s: string): Array<TemplateResult | string> {
  const out: Array<TemplateResult | string> = [];
  const re = /(\*\*([^*]+)\*\*|\*([^*]+)\*|`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\))/g;
  let last = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m.index > last) out.push(s.slice(last, m.index));
    if (m[2] !== undefined) out.push(html`<b>${m[2]}</b>`);
    else if (m[3] !== undefined) out.push(html`<i>${m[3]}</i>`);
    else if (m[4] !== undefined) out.push(html`<code>${m[4]}</code>`);
    else if (/^(https?:\/\/|\/(?!\/)|#)/i.test(m[6])) out.push(html`<a href=${m[6]} target="_blank" rel="noopener noreferrer">${m[5]}</a>`);
    else out.push(m[5]);
    last = m.index + m[0].length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}

export function renderMarkdown(src: string): TemplateResult {
  const blocks: TemplateResult[] = [];
  const lines = src.replace(/\r\n?/g, '\n').split('\n');
  let para: string[] = [];
  let list: string[] = [];
  const flush = () => {
    if (para.length) { blocks.push(html`<p>${inline(para.join(' '))}</p>`); para = []; }
    if (list.length) { const items = list; blocks.push(html`<ul>${items.map((i) => html`<li>${inline(i)}</li>`)}</ul>`); list = []; }
  };
  for (const line of lines) {
    const h = /^(#{1,4})\s+(.*)$/.exec(line);
    const li = /^\s*[-*]\s+(.*)$/.exec(line);
    if (h) {
      flush();
      const t = inline(h[2]);
      blocks.push(h[1].length === 1 ? html`<h3>${t}</h3>` : html`<h4>${t}</h4>`);
    } else if (li) {
      if (para.length) { blocks.push(html`<p>${inline(para.join(' '))}</p>`); para = []; }
      list.push(li[1]);
    } else if (!line.trim()) flush();
    else { if (list.length) flush(); para.push(line.trim()); }
  }
  flush();
  return html`${blocks}`;
}

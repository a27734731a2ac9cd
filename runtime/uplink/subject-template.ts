// Subjects (NATS) and topics (MQTT) rendered from a template over the tag path:
//   {tag}      the whole tag path            hist.{tag} -> hist.acme.izmir.plant1.line2.pump3.flow
//   {tag:N}    its first N segments          hist.{tag:4} -> hist.acme.izmir.plant1.line2
//   {source}   the gateway id; {category} telemetry | event | alarm
// A batch is grouped by rendered subject: every group becomes one envelope, so a
// coarser template means fewer, larger messages.
import type { Sample } from '../model';
import type { Category } from '../buffer';

type Part = string | { kind: 'tag'; n: number } | { kind: 'source' } | { kind: 'category' };

export class TemplateError extends Error {
  constructor(message: string) { super(`template: ${message}`); this.name = 'TemplateError'; }
}

export function compileSubjectTemplate(template: string): (s: Sample, source: string, category: Category) => string {
  if (typeof template !== 'string' || !template.trim()) throw new TemplateError('must be a non-empty string such as "hist.{tag}"');
  const parts: Part[] = [];
  const re = /\{([^}]*)\}/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(template))) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    const p = m[1].trim();
    const tm = /^tag(?::(\d+))?$/.exec(p);
    if (tm) parts.push({ kind: 'tag', n: tm[1] ? Number(tm[1]) : 0 });
    else if (p === 'source') parts.push({ kind: 'source' });
    else if (p === 'category') parts.push({ kind: 'category' });
    else throw new TemplateError(`unknown placeholder {${p}}; use {tag}, {tag:N}, {source} or {category}`);
    last = re.lastIndex;
  }
  if (last < template.length) parts.push(template.slice(last));
  if (/[\s*>#+]/.test(parts.filter((p) => typeof p === 'string').join(''))) throw new TemplateError('must not contain spaces or wildcards (* > # +)');
  const cut = new Map<string, string>();
  const prefix = (tag: string, n: number): string => {
    const k = `${n}|${tag}`;
    let v = cut.get(k);
    if (v === undefined) {
      v = tag.split('.').slice(0, n).join('.');
      if (cut.size > 100_000) cut.clear();
      cut.set(k, v);
    }
    return v;
  };
  return (s, source, category) => {
    let out = '';
    for (const p of parts) {
      if (typeof p === 'string') out += p;
      else if (p.kind === 'tag') out += p.n ? prefix(s.tag, p.n) : s.tag;
      else if (p.kind === 'source') out += source;
      else out += category;
    }
    return out;
  };
}

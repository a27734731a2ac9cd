// A strict parser of the Prometheus text exposition format (version 0.0.4), used to
// prove /metrics is valid: every line must be a HELP, a TYPE or a well-formed sample.
export interface PromSample { name: string; labels: Record<string, string>; value: number }
export interface PromFamily { name: string; type: string; help: string; samples: PromSample[] }

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const SAMPLE_RE = new RegExp(`^(${NAME})(\\{(.*)\\})?\\s+(\\S+)(\\s+-?\\d+)?$`);
const LABEL_RE = new RegExp(`^(${LABEL})="((?:[^"\\\\\\n]|\\\\[\\\\"n])*)"(,|$)`);
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

// Prometheus parses values with Go's strconv.ParseFloat, which accepts NaN and Inf in any
// letter case (prom-client writes "Nan").
function parseValue(v: string, line: number): number {
  if (/^nan$/i.test(v)) return NaN;
  if (/^\+?inf$/i.test(v)) return Infinity;
  if (/^-inf$/i.test(v)) return -Infinity;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(v)) throw new Error(`line ${line}: bad value "${v}"`);
  return Number(v);
}

function familyOf(sample: string, families: Map<string, PromFamily>): PromFamily | undefined {
  if (families.has(sample)) return families.get(sample);
  const base = sample.replace(/_(bucket|sum|count|total|created)$/, '');
  return families.get(base);
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  const families = new Map<string, PromFamily>();
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    const n = i + 1;
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) return; // other comments are allowed
      const [, kind, name, rest] = m;
      if (!new RegExp(`^${NAME}$`).test(name)) throw new Error(`line ${n}: bad metric name "${name}"`);
      const fam = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${n}: bad type "${rest}"`);
        if (fam.samples.length) throw new Error(`line ${n}: TYPE after samples of ${name}`);
        fam.type = rest;
      } else fam.help = rest;
      families.set(name, fam);
      return;
    }
    const m = SAMPLE_RE.exec(line);
    if (!m) throw new Error(`line ${n}: not a valid sample: ${line}`);
    const [, name, , labelText, value] = m;
    const labels: Record<string, string> = {};
    let rest = labelText ?? '';
    while (rest.length) {
      const lm = LABEL_RE.exec(rest);
      if (!lm) throw new Error(`line ${n}: bad labels "${labelText}"`);
      if (lm[1] in labels) throw new Error(`line ${n}: duplicate label ${lm[1]}`);
      labels[lm[1]] = lm[2];
      rest = rest.slice(lm[0].length);
    }
    const fam = familyOf(name, families);
    if (!fam) throw new Error(`line ${n}: sample ${name} without a TYPE or HELP line`);
    fam.samples.push({ name, labels, value: parseValue(value, n) });
  });
  return families;
}

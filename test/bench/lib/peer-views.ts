// View client of the peer benchmark, run as its own small process:
//   node --import tsx peer-views.ts '<json: {target, url, token, tags, spans, strict, slowest}>'
// Times 1000-point views (p50/p99 per range, 3 untimed warm-up views each) from a process
// that holds nothing but the tag list. Timed from the benchmark process itself, the views
// included that process's own collections (it holds the data sets: traced, a mark-compact
// every ~0.3 s and scavenges up to 14 ms during the views), which landed in random views of
// either server. Prints one JSON line: {views, slowest}.
import { DAY, HOUR, rand } from './datasets';

export interface ViewStats { p50: number; p99: number; empty: number }
export interface SlowView { dt: number; range: string; i: number; tag: string; from: number; to: number; points: number }
interface Args { target: 'ours' | 'vm'; url: string; token: string; tags: string[]; spans: Array<[number, number]>; strict: boolean; slowest: boolean }

/** views per range whose p50/p99 are reported (with 100, a p99 was the second-slowest view and moved by 2× between runs) */
export const VIEWS = 300;
export const RANGES: Array<[string, number]> = [['1h', HOUR], ['1d', DAY], ['30d', 30 * DAY], ['1y', 365 * DAY], ['10y', 3652 * DAY]];

export async function getJson(url: string, token?: string): Promise<any> {
  const r = await fetch(url, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${url.slice(0, 200)}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

function pct(xs: number[], p: number): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
}

/** Points of one 1000-point min/max view (ours: kind=downsample; VictoriaMetrics: rollup() at range/1000 steps). */
function viewQuery(a: Args): (tag: string, from: number, to: number) => Promise<number> {
  if (a.target === 'ours') {
    return async (tag, from, to) => {
      const j = await getJson(`${a.url}/api/v1/query?kind=downsample&tag=${encodeURIComponent(tag)}&from=${from}&to=${to}&points=1000&mode=minmax`, a.token);
      return (j as { ts: number[] }).ts.length;
    };
  }
  return async (tag, from, to) => {
    const step = Math.max(1, Math.ceil((to - from) / 1000 / 1000));
    const sel = encodeURIComponent(`rollup({__name__="${tag}"}[${step}s])`);
    const j = await getJson(`${a.url}/api/v1/query_range?query=${sel}&start=${from / 1000}&end=${to / 1000}&step=${step}`);
    return j.data.result.reduce((n: number, s: { values: unknown[] }) => n + s.values.length, 0);
  };
}

async function run(a: Args): Promise<{ views: Record<string, ViewStats>; slowest: SlowView[] }> {
  const query = viewQuery(a);
  const views: Record<string, ViewStats> = {};
  const slowest: SlowView[] = [];
  const r = rand(19);
  for (const [name, range] of RANGES) {
    const ms: number[] = [];
    let empty = 0;
    for (let i = 0; i < VIEWS + 3; i++) {
      // a random tag, a random window inside that tag's data (ending at its last sample when the range is longer)
      const k = Math.floor(r() * a.tags.length);
      const tag = a.tags[k];
      const [lo, hi] = a.spans[k];
      const slack = Math.max(0, hi + 1 - lo - range);
      const to = hi + 1 - Math.floor(r() * slack);
      const t = performance.now();
      const points = await query(tag, to - range, to);
      const dt = performance.now() - t;
      // irregular series may have no sample in an hour or a day; a month never lacks one here.
      // (VictoriaMetrics aligns start and end to the step, which can leave out a short
      // series at the end of a 10-year window: its empty answers are counted, not fatal.)
      if (points === 0 && range >= 30 * DAY) {
        if (a.strict) throw new Error(`empty view of ${tag} over ${name} ending ${new Date(to).toISOString()}`);
        empty++;
      }
      if (i >= 3) ms.push(dt);
      if (i >= 3 && a.slowest) slowest.push({ dt, range: name, i, tag, from: to - range, to, points });
    }
    views[name] = { p50: pct(ms, 0.5), p99: pct(ms, 0.99), empty };
  }
  return { views, slowest: slowest.sort((x, y) => y.dt - x.dt).slice(0, 6) };
}

if (require.main === module) {
  run(JSON.parse(process.argv[2]) as Args).then((out) => console.log(JSON.stringify(out)), (e) => { console.error(e); process.exit(1); });
}

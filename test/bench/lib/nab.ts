// Loader for the NAB (Numenta Anomaly Benchmark) files in ../shared/datasets/nab, read in
// place: one series per CSV (`timestamp,value`, times in UTC without zone), mostly 5-minute
// cloud and machine metrics printed with float artefacts (51.846000000000004).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const NAB_DIR = resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'nab');

export interface NabSeries { name: string; ts: Float64Array; values: Float64Array }

export function nabFiles(): string[] {
  if (!existsSync(NAB_DIR)) throw new Error(`NAB data set not found at ${NAB_DIR}; it is expected in ../shared/datasets/nab next to the repository`);
  const out: string[] = [];
  for (const d of readdirSync(NAB_DIR, { withFileTypes: true })) {
    if (!d.isDirectory()) continue;
    for (const f of readdirSync(join(NAB_DIR, d.name)).sort()) if (f.endsWith('.csv')) out.push(`${d.name}/${f}`);
  }
  return out.sort();
}

export function readNab(name: string): NabSeries {
  const lines = readFileSync(join(NAB_DIR, name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const ts: number[] = [];
  const values: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].indexOf(',');
    const t = Date.parse(lines[i].slice(0, c).replace(' ', 'T') + 'Z');
    const v = Number(lines[i].slice(c + 1));
    if (!Number.isFinite(t) || !Number.isFinite(v)) throw new Error(`${name}:${i + 1}: unreadable row "${lines[i]}"`);
    if (ts.length && t <= ts[ts.length - 1]) continue; // a few files repeat a timestamp; the first is kept
    ts.push(t);
    values.push(v);
  }
  return { name, ts: Float64Array.from(ts), values: Float64Array.from(values) };
}

/** Every NAB series; `tag` turns the file name into a tag path. */
export function readAllNab(): NabSeries[] {
  return nabFiles().map(readNab);
}

export function nabTag(name: string): string {
  return 'nab.' + name.replace(/\.csv$/, '').replace(/[^A-Za-z0-9_/-]/g, '_').replace(/\//g, '.');
}

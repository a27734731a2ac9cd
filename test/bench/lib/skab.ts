// Loader for the SKAB benchmark files in ../shared/datasets/skab (read in place, never copied).
// Rows are one per second; `datetime` is local rig time without zone, read as UTC.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const SKAB_DIR = resolve(__dirname, '..', '..', '..', '..', 'shared', 'datasets', 'skab');

export const SKAB_CHANNELS = [
  'Accelerometer1RMS', 'Accelerometer2RMS', 'Current', 'Pressure',
  'Temperature', 'Thermocouple', 'Voltage', 'Volume Flow RateRMS',
] as const;

export interface SkabFile {
  /** path relative to the data set, e.g. "valve1/0.csv" */
  name: string;
  ts: number[];
  /** channel name -> values, in row order */
  channels: Record<string, number[]>;
  /** channel values as the raw text in the file (decimal digits as recorded) */
  text: Record<string, string[]>;
  anomaly: number[] | null;
  changepoint: number[] | null;
}

export function skabDir(): string {
  if (!existsSync(SKAB_DIR)) throw new Error(`SKAB data set not found at ${SKAB_DIR}; it is expected in ../shared/datasets/skab next to the repository`);
  return SKAB_DIR;
}

export function readSkab(name: string): SkabFile {
  const lines = readFileSync(join(skabDir(), name), 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = lines[0].split(';');
  const idx = (col: string) => header.indexOf(col);
  const channels: Record<string, number[]> = {};
  const text: Record<string, string[]> = {};
  for (const c of SKAB_CHANNELS) { channels[c] = []; text[c] = []; }
  const ts: number[] = [];
  const hasLabels = idx('anomaly') >= 0;
  const anomaly: number[] = [];
  const changepoint: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split(';');
    ts.push(Date.parse(f[idx('datetime')].replace(' ', 'T') + 'Z'));
    for (const c of SKAB_CHANNELS) {
      const s = f[idx(c)];
      text[c].push(s);
      channels[c].push(Number(s));
    }
    if (hasLabels) {
      anomaly.push(Number(f[idx('anomaly')]));
      changepoint.push(Number(f[idx('changepoint')]));
    }
  }
  return { name, ts, channels, text, anomaly: hasLabels ? anomaly : null, changepoint: hasLabels ? changepoint : null };
}

/** Every labelled experiment file: valve1/*.csv then valve2/*.csv, in numeric order. */
export function skabExperimentFiles(): string[] {
  const out: string[] = [];
  for (const d of ['valve1', 'valve2']) {
    const files = readdirSync(join(skabDir(), d)).filter((f) => f.endsWith('.csv'))
      .sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
    out.push(...files.map((f) => `${d}/${f}`));
  }
  return out;
}

/** Every file including anomaly-free.csv (for compression figures). */
export function skabAllFiles(): string[] {
  return ['anomaly-free.csv', ...skabExperimentFiles()];
}

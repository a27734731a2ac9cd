// The simulator's counters (totalizers, hour meters) kept in the data directory, so a
// redeploy or restart continues them instead of restarting from the seed. The file is
// written atomically (temp file, fsync, rename) when the simulator stops; on start the
// larger of the file and the store's latest values wins, which also covers a crash
// (the store holds what was acknowledged, the file what was emitted before the last stop).
// Format: {"version": 1, "savedAt": <epoch ms>, "counters": {"<tag>": <number>, ...}}
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform';
import type { PlantCounters } from './plant';

export function counterFile(dataDir: string, nodeId: string): string {
  return path.join(dataDir, 'sim', `${nodeId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`);
}

export function readCounters(file: string): PlantCounters {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw e;
  }
  const doc = JSON.parse(text) as { version?: number; counters?: Record<string, unknown> };
  if (doc.version !== 1 || !doc.counters || typeof doc.counters !== 'object') throw new Error(`${file}: not a simulator counter file (version 1)`);
  const out: PlantCounters = {};
  for (const [k, v] of Object.entries(doc.counters)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

export function writeCounters(file: string, counters: PlantCounters, now = Date.now()): void {
  writeFileAtomic(file, JSON.stringify({ version: 1, savedAt: now, counters }), { mkdir: true });
}

/** The larger value of each counter. */
export function maxCounters(...sets: PlantCounters[]): PlantCounters {
  const out: PlantCounters = {};
  for (const s of sets) for (const [k, v] of Object.entries(s)) if (!(k in out) || v > out[k]) out[k] = v;
  return out;
}

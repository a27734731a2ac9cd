// When the store was open, so a trend can tell "nothing was recorded because the historian
// was stopped" from "the value did not change". A slow or on-change tag legitimately has
// hours between samples, so the gap between two samples cannot say it; the store's own
// runs can. Each open starts a run; a heartbeat moves its end forward; close sets it.
// A crash leaves the run ending at its last heartbeat, so the stop it records lies at most
// one heartbeat before the real one. Format: FORMAT-uptime.md.
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../platform';

/** how often the current run's end is written */
export const HEARTBEAT_MS = 10_000;
/** runs kept: a restart a day for almost three years */
export const MAX_RUNS = 1000;
const FILE = 'uptime.json';

export type Run = [start: number, end: number];

export class UptimeLog {
  private timer: NodeJS.Timeout | null = null;

  private constructor(private readonly file: string, private readonly runs: Run[], private readonly clock: () => number, private readonly warn: (m: string) => void) {}

  /**
   * Reads the store's runs and starts a new one. A missing, unreadable or malformed file
   * starts the log afresh with a warning: the runs only annotate views, they never stop
   * the store from opening.
   */
  static open(dir: string, clock: () => number, warn: (m: string) => void): UptimeLog {
    const file = path.join(dir, FILE);
    let runs: Run[] = [];
    try {
      runs = parseRuns(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') warn(`tsdb ${dir}: ${FILE} unreadable (${(e as Error).message}); its record of when the store ran starts afresh`);
    }
    const now = clock();
    runs.push([now, now]);
    const log = new UptimeLog(file, runs.slice(-MAX_RUNS), clock, warn);
    log.save(true);
    log.timer = setInterval(() => log.beat(), HEARTBEAT_MS);
    log.timer.unref();
    return log;
  }

  /** Moves the current run's end to now. */
  beat(): void {
    const cur = this.runs[this.runs.length - 1];
    cur[1] = Math.max(cur[1], this.clock());
    this.save(false);
  }

  /** Ends the current run now (the store is closing). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const cur = this.runs[this.runs.length - 1];
    cur[1] = Math.max(cur[1], this.clock());
    this.save(true);
  }

  /**
   * The stretches in [from, to] when the store was not open, between two of its runs,
   * clipped to [from, to]. Before the first run recorded nothing is claimed.
   */
  downtime(from: number, to: number): Run[] {
    const out: Run[] = [];
    for (let i = 1; i < this.runs.length; i++) {
      const a = Math.max(from, this.runs[i - 1][1]);
      const b = Math.min(to, this.runs[i][0]);
      if (b > a) out.push([a, b]);
    }
    return out;
  }

  /** A heartbeat is not worth an fsync: losing one only moves a crash's recorded stop earlier. */
  private save(durable: boolean): void {
    try {
      writeFileAtomic(this.file, JSON.stringify({ version: 1, runs: this.runs }), { durable });
    } catch (e) {
      this.warn(`tsdb: ${this.file} not written: ${(e as Error).message}`);
    }
  }
}

function parseRuns(text: string): Run[] {
  const j = JSON.parse(text) as { version?: unknown; runs?: unknown };
  if (j.version !== 1 || !Array.isArray(j.runs)) throw new Error('not version 1 with runs');
  const runs: Run[] = [];
  let last = -Infinity;
  for (const r of j.runs) {
    if (!Array.isArray(r) || r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[1] < r[0]) throw new Error('a run is not [start, end]');
    // a clock set back makes a run start before the last one ended: the two overlap, no downtime
    runs.push([Math.max(r[0], last), Math.max(r[1], last)]);
    last = Math.max(last, r[1]);
  }
  return runs;
}

// Timestamps as ISO 8601 in a chosen IANA time zone, fast enough for a million rows:
// the zone offset comes from Intl once per quarter hour of data (offsets only change at
// such boundaries), the rest is Date arithmetic.

export class TimeZoneError extends Error {
  readonly field = 'tz';
  constructor(tz: string) { super(`tz: unknown time zone "${tz}" (use an IANA name such as UTC or Europe/Istanbul)`); }
}

/** Throws TimeZoneError for a zone Intl does not know; returns the canonical name. */
export function checkTimeZone(tz: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new TimeZoneError(tz);
  }
}

const QUARTER = 15 * 60_000;

export class ZonedTime {
  private readonly utc: boolean;
  private readonly fmt: Intl.DateTimeFormat | null;
  private cacheKey = NaN;
  private cacheOffset = 0;

  constructor(readonly tz = 'UTC') {
    const name = checkTimeZone(tz);
    this.utc = name === 'UTC' || name === 'Etc/UTC' || name === 'Etc/GMT';
    this.fmt = this.utc ? null : new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
  }

  /** Offset of the zone from UTC at `ts`, in ms (east positive). */
  offsetMs(ts: number): number {
    if (this.utc) return 0;
    const key = Math.floor(ts / QUARTER);
    if (key === this.cacheKey) return this.cacheOffset;
    const base = key * QUARTER;
    const p: Record<string, number> = {};
    for (const part of this.fmt!.formatToParts(new Date(base))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const local = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    this.cacheKey = key;
    this.cacheOffset = local - base;
    return this.cacheOffset;
  }

  /** `2026-03-01T12:00:00.000+03:00` (or `...Z` in UTC). */
  iso(ts: number): string {
    if (this.utc) return new Date(ts).toISOString();
    const off = this.offsetMs(ts);
    const s = new Date(ts + off).toISOString();
    const m = Math.abs(off) / 60_000;
    const hh = String(Math.floor(m / 60)).padStart(2, '0');
    const mm = String(m % 60).padStart(2, '0');
    return `${s.slice(0, 23)}${off < 0 ? '-' : '+'}${hh}:${mm}`;
  }

  /** Excel serial date (days since 1899-12-30) of the wall-clock time in the zone. */
  excelSerial(ts: number): number {
    return (ts + this.offsetMs(ts)) / 86_400_000 + 25569;
  }
}

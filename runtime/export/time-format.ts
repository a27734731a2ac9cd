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
const PAD = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

export class ZonedTime {
  private readonly utc: boolean;
  private readonly fmt: Intl.DateTimeFormat | null;
  private cacheKey = NaN;
  private cacheOffset = 0;
  private minuteKey = NaN;
  private minuteOff = NaN;
  private minutePrefix = '';
  private suffix = 'Z';

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
    // Date#toISOString costs most of a CSV export: the minute's text is cached and only
    // seconds and milliseconds are formatted per row.
    const off = this.offsetMs(ts);
    const local = ts + off;
    const minute = Math.floor(local / 60_000);
    if (minute !== this.minuteKey || off !== this.minuteOff) {
      this.minuteKey = minute;
      this.minuteOff = off;
      this.minutePrefix = new Date(minute * 60_000).toISOString().slice(0, 17);
      if (off === 0 && this.utc) this.suffix = 'Z';
      else {
        const m = Math.abs(off) / 60_000;
        this.suffix = `${off < 0 ? '-' : '+'}${PAD[Math.floor(m / 60)]}:${PAD[m % 60]}`;
      }
    }
    const inMinute = local - minute * 60_000;
    const sec = Math.floor(inMinute / 1000);
    return `${this.minutePrefix}${PAD[sec]}.${PAD3[inMinute - sec * 1000]}${this.suffix}`;
  }

  /** Excel serial date (days since 1899-12-30) of the wall-clock time in the zone. */
  excelSerial(ts: number): number {
    return (ts + this.offsetMs(ts)) / 86_400_000 + 25569;
  }
}

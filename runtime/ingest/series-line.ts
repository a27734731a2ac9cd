// The common columnar line of an ingest body, read from the body's bytes without JSON.parse:
//   {"tag":"a.b","timestamps":[1767225600000,...],"values":[21.5,...],"qualities":[0,...]}
// (keys in any order, `metric_name` for `tag`, `qualities` optional and as codes, whitespace
// between tokens allowed). Its numbers go straight into Float64Arrays: no string of the
// line, no object and no JS array per line for the garbage collector. Anything else a line
// may hold (labels, dedupe_id, a quality name or null, a string or boolean value, an escape,
// a bad tag, a timestamp that is not integer epoch milliseconds in range, arrays of
// different lengths, text it cannot prove valid JSON) makes the scan give up and return
// null; the caller then parses the line with JSON.parse and checks it with parseSeriesItem,
// so every refusal keeps its message. A line the scan accepts yields exactly what
// JSON.parse + parseSeriesItem would: a number whose digits make an integer m below 2^53
// is m / 10^k, which IEEE division rounds correctly because m and 10^k are both exact
// doubles (Clinger's fast path); a longer one (printed float artefacts have 16 or 17
// digits) or one with an exponent goes to Number() on its validated text.
import { isQualityCode, tagError } from '../model';
import type { ParsedSeriesItem } from './series-item';

// 1970 .. 2200 in ms; 1e9 .. 1e11 look like epoch seconds (as in series-item.ts)
const MAX_TS = 7_258_118_400_000;
// powers of ten a double holds exactly
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
// every integer up to 2^53 is an exact double
const EXACT = 9_007_199_254_740_992;

const QUOTE = 34, COMMA = 44, MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, COLON = 58;
const OPEN_SQ = 91, CLOSE_SQ = 93, OPEN_CURLY = 123, CLOSE_CURLY = 125, PLUS = 43;

// where the last read stopped
let pos = 0;

function skipSpace(s: Buffer, p: number, end: number): number {
  for (; p < end; p++) {
    const c = s[p];
    if (c !== 32 && c !== 9 && c !== 13 && c !== 10) break;
  }
  return p;
}

/**
 * Scans the lines of one body. The numbers of every line it accepts go into shared
 * Float64Arrays, the items' columns being views of them: a typed array of its own per line
 * would cost an allocation outside the JS heap each, which on lines of a few samples costs
 * more than the scan. One scanner per body (later bodies must not overwrite its views).
 */
export class SeriesLineScanner {
  private buf: Float64Array;
  private used = 0;

  /** `bodyBytes`: the body's length, to size the first buffer (a number takes at least 2 bytes with its comma, most take 5 or more) */
  constructor(bodyBytes: number) {
    this.buf = new Float64Array(Math.max(256, Math.min(1 << 20, bodyBytes >>> 3)));
  }

  /**
   * The columnar item on s[start, end) (one line), checked as parseSeriesItem checks it, or
   * null when the line is anything but the common shape with valid samples.
   */
  scan(s: Buffer, start: number, end: number, index: number): ParsedSeriesItem | null {
    const mark = this.used;
    const item = this.item(s, start, end, index);
    if (!item) this.used = mark;
    return item;
  }

  private item(s: Buffer, start: number, end: number, index: number): ParsedSeriesItem | null {
    let p = skipSpace(s, start, end);
    if (p >= end || s[p] !== OPEN_CURLY) return null;
    p = skipSpace(s, p + 1, end);
    let tag: string | null = null;
    let ts: Float64Array | null = null;
    let values: Float64Array | null = null;
    let quality: Float64Array | null = null;
    for (;;) {
      const key = readKey(s, p, end);
      if (key === NO_KEY) return null;
      p = skipSpace(s, pos, end);
      if (p >= end || s[p] !== COLON) return null;
      p = skipSpace(s, p + 1, end);
      if (key === TAG) {
        if (tag !== null) return null;
        tag = readPlainString(s, p, end);
        if (tag === null) return null;
        if (!lastKnown) {
          if (tagError(tag) !== null) return null;
          rememberTag(tag);
        }
      } else {
        if ((key === VALUES ? values : key === TIMESTAMPS ? ts : quality) !== null) return null;
        const col = this.readArray(s, p, end);
        if (col === null) return null;
        if (key === VALUES) values = col; else if (key === TIMESTAMPS) ts = col; else quality = col;
      }
      p = skipSpace(s, pos, end);
      if (p >= end) return null;
      const c = s[p];
      if (c === COMMA) { p = skipSpace(s, p + 1, end); continue; }
      if (c !== CLOSE_CURLY || skipSpace(s, p + 1, end) !== end) return null;
      break;
    }
    if (tag === null || ts === null || values === null || ts.length !== values.length || ts.length === 0) return null;
    for (let k = 0; k < ts.length; k++) {
      const t = ts[k];
      if (!(Number.isInteger(t) && t >= 0 && t <= MAX_TS && !(t >= 1e9 && t < 1e11))) return null;
    }
    // 1e400 is JSON, but not a value the store keeps: parseSeriesItem names it
    for (let k = 0; k < values.length; k++) if (!Number.isFinite(values[k])) return null;
    if (quality !== null) {
      if (quality.length !== ts.length) return null;
      for (let k = 0; k < quality.length; k++) if (!isQualityCode(quality[k])) return null;
    }
    return { index, tag, length: ts.length, ts, values, quality, at: null, dedupeId: null };
  }

  /**
   * Reads `[n, n, ...]` at s[p] into the buffer; sets pos past `]`. Null when the text is
   * not an array of plain JSON numbers.
   */
  private readArray(s: Buffer, p: number, end: number): Float64Array | null {
    if (p >= end || s[p] !== OPEN_SQ) return null;
    p = skipSpace(s, p + 1, end);
    let buf = this.buf;
    let first = this.used;
    let n = first;
    if (p < end && s[p] === CLOSE_SQ) { pos = p + 1; return buf.subarray(first, first); }
    while (p < end) {
      const from = p;
      let c = s[p];
      let neg = false;
      if (c === MINUS) { neg = true; if (++p === end) return null; c = s[p]; }
      if (c < ZERO || c > NINE) return null;
      let m = c - ZERO, frac = 0;
      // JSON allows no other digit after a leading zero
      if (c === ZERO) { if (++p < end) { c = s[p]; if (c >= ZERO && c <= NINE) return null; } }
      else {
        while (++p < end) { c = s[p]; if (c < ZERO || c > NINE) break; m = m * 10 + (c - ZERO); }
      }
      if (p < end && c === DOT) {
        if (++p === end) return null;
        c = s[p];
        if (c < ZERO || c > NINE) return null;
        do { m = m * 10 + (c - ZERO); frac++; if (++p === end) break; c = s[p]; } while (c >= ZERO && c <= NINE);
      }
      let v: number;
      if (c === 101 || c === 69) {
        // an exponent: the validated text goes to Number(), which rounds as JSON.parse does
        if (++p === end) return null;
        c = s[p];
        if (c === PLUS || c === MINUS) { if (++p === end) return null; c = s[p]; }
        if (c < ZERO || c > NINE) return null;
        do { if (++p === end) break; c = s[p]; } while (c >= ZERO && c <= NINE);
        v = Number(latin1(s, from, p));
      } else if (m > EXACT || frac >= POW10.length) {
        // more digits than a double holds exactly (printed float artefacts have 16 or 17)
        v = Number(latin1(s, from, p));
      } else {
        v = frac === 0 ? m : m / POW10[frac];
        if (neg) v = -v;
      }
      if (p === end) return null;
      if (n === buf.length) {
        // the array's numbers so far move to a buffer twice as large; earlier lines keep their views of the old one
        const grown = new Float64Array(buf.length * 2);
        grown.set(buf.subarray(first, n));
        n -= first;
        first = 0;
        this.buf = buf = grown;
      }
      buf[n++] = v;
      if (c === 32 || c === 9 || c === 13) { p = skipSpace(s, p, end); if (p === end) return null; c = s[p]; }
      if (c === COMMA) { p = skipSpace(s, p + 1, end); continue; }
      if (c === CLOSE_SQ) { pos = p + 1; this.used = n; return buf.subarray(first, n); }
      return null;
    }
    return null;
  }
}

const NO_KEY = 0, TAG = 1, VALUES = 2, TIMESTAMPS = 3, QUALITIES = 4;
const KEYS: [string, number][] = [['tag', TAG], ['metric_name', TAG], ['values', VALUES], ['timestamps', TIMESTAMPS], ['qualities', QUALITIES]];
const KEY_BYTES = KEYS.map(([k, code]) => [Buffer.from(`"${k}"`), code] as const);

/** Which of the keys the scan knows is at s[p] (quotes included); sets pos past it. */
function readKey(s: Buffer, p: number, end: number): number {
  for (const [k, code] of KEY_BYTES) {
    if (p + k.length > end) continue;
    let i = 0;
    while (i < k.length && s[p + i] === k[i]) i++;
    if (i === k.length) { pos = p + i; return code; }
  }
  return NO_KEY;
}

/**
 * Valid tags seen recently, by a hash of their bytes. A tag read from a body is otherwise a
 * new string each time, checked again, and hashed and compared again by every map on the
 * write path (the store's series, the tag registry, the head); the same string object
 * finds its entries by identity. Bounded: emptied when full.
 */
const TAG_CACHE_SIZE = 65_536;
const tagCache = new Map<number, string>();
// hash of the last string read, and whether it came from the cache
let lastHash = 0;
let lastKnown = false;

function rememberTag(tag: string): void {
  if (tagCache.size >= TAG_CACHE_SIZE) tagCache.clear();
  tagCache.set(lastHash, tag);
}

/** Reads `"..."` of tag characters at s[p]; sets pos past the closing quote. Null for anything else. */
function readPlainString(s: Buffer, p: number, end: number): string | null {
  if (p >= end || s[p] !== QUOTE) return null;
  const from = p + 1;
  let h = 0x811c9dc5;
  for (p = from; p < end; p++) {
    const c = s[p];
    if (c === QUOTE) {
      pos = p + 1;
      lastHash = h = (h ^ (p - from)) >>> 0;
      const known = tagCache.get(h);
      lastKnown = known !== undefined && sameText(known, s, from, p);
      return lastKnown ? known! : latin1(s, from, p);
    }
    // tags are [A-Za-z0-9_.-]: anything else (an escape, a control or non-ASCII character) is left to JSON.parse
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= ZERO && c <= NINE) || c === 95 || c === DOT || c === MINUS)) return null;
    h = Math.imul(h ^ c, 0x01000193);
  }
  return null;
}

function sameText(t: string, s: Buffer, from: number, to: number): boolean {
  if (t.length !== to - from) return false;
  for (let i = 0; i < t.length; i++) if (t.charCodeAt(i) !== s[from + i]) return false;
  return true;
}

function latin1(s: Buffer, from: number, to: number): string {
  return s.toString('latin1', from, to);
}


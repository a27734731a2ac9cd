// Cardinality limits of a store (README "Limits"): at most `maxTags` tags in total and at
// most `maxNewTagsPerMinute` tags created per minute (a token bucket refilled evenly, so a
// commissioning import of many tags proceeds at the limit instead of failing outright).
// One misconfigured gateway that puts a serial number in the tag path would otherwise
// create series until memory runs out and every other user of the historian suffers.
import type { Clock } from './types';

export interface TagLimitOptions {
  /** total tags a store holds at most (null: no limit) */
  maxTags: number | null;
  /** new tags a store creates per minute at most (null: no limit) */
  maxNewTagsPerMinute: number | null;
}

/** Safe defaults: well above a large plant, well below what exhausts a gateway's memory. */
export const DEFAULT_TAG_LIMITS: TagLimitOptions = { maxTags: 250_000, maxNewTagsPerMinute: 20_000 };

export class TagLimits {
  private tokens: number;
  private at: number;

  constructor(readonly o: TagLimitOptions, private readonly clock: Clock) {
    for (const [k, v] of Object.entries(o)) {
      if (v !== null && (!Number.isInteger(v) || v <= 0)) throw new Error(`${k}: must be a positive integer or null (got ${v})`);
    }
    this.tokens = o.maxNewTagsPerMinute ?? 0;
    this.at = clock();
  }

  /**
   * Asks to create one more tag when the store holds `current` tags; returns null when
   * allowed (and charges the per-minute budget), else the refusal naming the limit.
   */
  admit(tag: string, current: number): string | null {
    if (this.o.maxTags !== null && current >= this.o.maxTags) {
      return `tag: "${tag}" is a new tag and the store already holds ${current} tags (limit maxTags = ${this.o.maxTags}, HISTORIAN_MAX_TAGS)`;
    }
    const perMin = this.o.maxNewTagsPerMinute;
    if (perMin === null) return null;
    const now = this.clock();
    this.tokens = Math.min(perMin, this.tokens + ((now - this.at) / 60_000) * perMin);
    this.at = now;
    if (this.tokens < 1) {
      return `tag: "${tag}" is a new tag and more than ${perMin} new tags arrived in the last minute (limit maxNewTagsPerMinute = ${perMin}, HISTORIAN_MAX_NEW_TAGS_PER_MINUTE)`;
    }
    this.tokens -= 1;
    return null;
  }
}

// New tags per API token and minute over HTTP ingest (README "Limits"): the store's own
// limits protect the process; this one keeps one misbehaving gateway from spending the
// whole store's budget, so the other gateways can still add the tags they need.
export class TokenTagBudget {
  private buckets = new Map<string, { tokens: number; at: number }>();

  /** `perMinute` null: no limit. */
  constructor(readonly perMinute: number | null, private readonly clock: () => number = Date.now) {}

  /** Takes one new tag from `key`'s budget; null when allowed, else the refusal naming the limit. */
  take(key: string, tag: string): string | null {
    const per = this.perMinute;
    if (per === null) return null;
    const now = this.clock();
    let b = this.buckets.get(key);
    if (!b) { b = { tokens: per, at: now }; this.buckets.set(key, b); }
    b.tokens = Math.min(per, b.tokens + ((now - b.at) / 60_000) * per);
    b.at = now;
    if (b.tokens < 1) return `"${tag}" is a new tag and this client created more than ${per} new tags in the last minute (limit maxNewTagsPerTokenPerMinute = ${per}, HISTORIAN_MAX_NEW_TAGS_PER_TOKEN_PER_MINUTE)`;
    b.tokens -= 1;
    return null;
  }
}

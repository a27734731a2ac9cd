// Report-by-exception per tag: a new sample passes when its value moved more than the
// absolute deadband from the last one passed, or when its quality changed (a recovery from
// BAD is always reported, whatever the value did meanwhile).
export class DeadbandFilter {
  private last = new Map<string, { value: number; quality: number }>();

  /** True when the sample should be emitted; records it as the new reference when so. */
  pass(tag: string, value: number, quality: number, deadband: number): boolean {
    const prev = this.last.get(tag);
    if (prev && prev.quality === quality && (deadband > 0 ? Math.abs(value - prev.value) <= deadband : false)) return false;
    this.last.set(tag, { value, quality });
    return true;
  }

  lastValue(tag: string): number | undefined {
    return this.last.get(tag)?.value;
  }

  lastQuality(tag: string): number | undefined {
    return this.last.get(tag)?.quality;
  }

  clear(): void {
    this.last.clear();
  }
}

// Closed head chunks of every series of one head, back to back in shared pages. A buffer
// per series that doubles as it fills allocates, zero-fills and copies its whole content
// again at each doubling, and every allocation adds to the external memory that drives
// V8's garbage collections: with thousands of series that was most of the time spent
// closing chunks. Pages are never freed one by one; the head's pages go with the head
// once it is cut into a block (a query still reading one keeps it alive).

/** Largest page: a closed chunk (at most 18 bytes a sample) leaves at most its own size unused at a page's end. */
export const ARENA_PAGE_BYTES = 256 * 1024;
/** First page: a small head (tests, a few slow tags) stays small; each new page doubles the arena up to ARENA_PAGE_BYTES. */
const FIRST_PAGE_BYTES = 4096;

export class ChunkArena {
  private readonly pages: Uint8Array[] = [];
  /** the page being filled, its index and how much of it is used */
  private current: Uint8Array | null = null;
  private currentIndex = -1;
  private used = 0;
  /** bytes of every page (what the arena holds in memory) */
  capacity = 0;
  /** page of the last `place` */
  placedPage = -1;

  /**
   * Room for `len` bytes, 8-aligned when `align8` (raw columns are read in place as
   * Float64Arrays): returns the offset in page `placedPage`. A chunk larger than a page
   * gets a page of its size.
   */
  place(len: number, align8: boolean): number {
    let start = align8 ? (this.used + 7) & ~7 : this.used;
    if (!this.current || start + len > this.current.length) {
      const size = Math.max(len, Math.min(ARENA_PAGE_BYTES, Math.max(FIRST_PAGE_BYTES, this.capacity)));
      this.current = new Uint8Array(size);
      this.currentIndex = this.pages.push(this.current) - 1;
      this.capacity += size;
      start = 0;
    }
    this.used = start + len;
    this.placedPage = this.currentIndex;
    return start;
  }

  page(i: number): Uint8Array { return this.pages[i]; }
}

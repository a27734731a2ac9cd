// Scratch memory for encoding or decoding one chunk. A typed array of more than 64 bytes lives outside
// V8's heap, and making one costs ~0.6 µs (the allocation, the tracking of its buffer, its
// sweep later), whatever its size. Encoding a chunk makes about ten (the candidates' bit
// streams, the decimal integers, residuals, a dictionary's indexes), which for the short
// chunks of a head (128 samples) or of a slow tag's block was a large share of the encode.
// Inside `inScratch` such arrays are zeroed views of one reused buffer instead, all given
// back when the outermost call returns; anything that must outlive the call (the chunk, the
// decoded columns) is allocated normally. Outside `inScratch` these functions allocate
// normally too. Decoding a chunk makes its bit reader's words and, range coded, its
// adaptive models (~10 KB) the same way. Both are synchronous, so one scope never interleaves with another (a worker thread has
// its own module, and so its own buffer).

/** Enough for the temporaries of a chunk of a few thousand samples; larger ones allocate. */
const SLAB_BYTES = 256 * 1024;
let slab: ArrayBuffer | null = null;
let top = 0;
let depth = 0;

/** Runs `fn` with scratch allocation on; the scratch is reused once the outermost call returns. */
export function inScratch<T>(fn: () => T): T {
  depth++;
  try {
    return fn();
  } finally {
    if (--depth === 0) top = 0;
  }
}

/** Byte offset of a zeroed scratch block of `bytes`, or -1 when scratch is off or full. */
function take(bytes: number): number {
  if (depth === 0) return -1;
  const at = top;
  const end = at + ((bytes + 7) & ~7); // 8-byte aligned for Float64Array views
  if (end > SLAB_BYTES) return -1;
  slab ??= new ArrayBuffer(SLAB_BYTES);
  top = end;
  new Uint8Array(slab, at, bytes).fill(0);
  return at;
}

export function scratchF64(n: number): Float64Array {
  const at = take(n * 8);
  return at < 0 ? new Float64Array(n) : new Float64Array(slab!, at, n);
}

export function scratchU16(n: number): Uint16Array {
  const at = take(n * 2);
  return at < 0 ? new Uint16Array(n) : new Uint16Array(slab!, at, n);
}

export function scratchU8(n: number): Uint8Array {
  const at = take(n);
  return at < 0 ? new Uint8Array(n) : new Uint8Array(slab!, at, n);
}

export function scratchU32(n: number): Uint32Array {
  const at = take(n * 4);
  return at < 0 ? new Uint32Array(n) : new Uint32Array(slab!, at, n);
}

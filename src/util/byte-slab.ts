/**
 * Small immutable byte copies carved one after another out of shared chunks, instead of one
 * fresh ArrayBuffer each (a malloc'd backing store for all but the tiniest), which costs more
 * than the copy. Node's own Buffer pool does the same. Used for the server's replies (copied out
 * of reused writers; 8 KiB chunks, as Node's pool).
 *
 * Not here: reuse. A chunk is never written twice; it is freed by the GC once no copy in it is
 * referenced, so one copy held for long (a reply queued to a slow socket) keeps at most one
 * chunk alive. Copies over `copyBytesMax` get their own buffer so
 * that bound stays small. Invariant: a returned copy is never written to again by the slab.
 */
export class ByteSlab {
  private chunkBuffer: ArrayBuffer;
  private used = 0;

  constructor(private readonly chunkBytes = 8 * 1024, private readonly copyBytesMax = 1024) {
    this.chunkBuffer = new ArrayBuffer(chunkBytes);
  }

  /** A copy of `bytes` that stays valid (and unchanged) for as long as it is referenced. */
  copyOf(bytes: Uint8Array): Uint8Array {
    const length = bytes.length;
    const copy = this.place(length);
    copy.set(bytes);
    return copy;
  }

  /** Room for `length` bytes: the next spot in the current chunk, a new chunk, or a buffer of its own. */
  private place(length: number): Uint8Array {
    // Always a new buffer: `slice` of a Buffer (a file's bytes) is a view, which would keep it alive.
    if (length > this.copyBytesMax) return new Uint8Array(length);
    if (this.used + length > this.chunkBytes) {
      this.chunkBuffer = new ArrayBuffer(this.chunkBytes);
      this.used = 0;
    }
    // A view made by the constructor costs less than subarray (no species lookup).
    const copy = new Uint8Array(this.chunkBuffer, this.used, length);
    // 8-byte steps keep every copy aligned, as Node's pool does for its views.
    this.used += (length + 7) & ~7;
    return copy;
  }
}

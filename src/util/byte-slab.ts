/**
 * Small immutable byte copies carved one after another out of shared chunks, instead of one
 * fresh ArrayBuffer each: the server copies every reply out of its reused writer, and a
 * separate allocation per reply (a malloc'd backing store for all but the tiniest) costs more
 * than the copy. Node's own Buffer pool does the same, with the same sizes.
 *
 * Not here: reuse. A chunk is never written twice; it is freed by the GC once no copy in it is
 * referenced, so one copy held for long (a reply queued to a slow socket) keeps at most one
 * chunk alive. Copies over COPY_BYTES_MAX get their own buffer so that bound stays small.
 * Invariant: a returned copy is never written to again by the slab.
 */
const CHUNK_BYTES = 8 * 1024;
const COPY_BYTES_MAX = 1024;

export class ByteSlab {
  private chunk = new Uint8Array(CHUNK_BYTES);
  private used = 0;

  /** A copy of `bytes` that stays valid (and unchanged) for as long as it is referenced. */
  copyOf(bytes: Uint8Array): Uint8Array {
    const length = bytes.length;
    if (length > COPY_BYTES_MAX) return bytes.slice();
    if (this.used + length > CHUNK_BYTES) {
      this.chunk = new Uint8Array(CHUNK_BYTES);
      this.used = 0;
    }
    const copy = this.chunk.subarray(this.used, this.used + length);
    copy.set(bytes);
    // 8-byte steps keep every copy aligned, as Node's pool does for its views.
    this.used += (length + 7) & ~7;
    return copy;
  }
}

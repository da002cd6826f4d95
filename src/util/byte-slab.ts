/**
 * Small immutable byte copies carved one after another out of shared chunks, instead of one
 * fresh ArrayBuffer each (a malloc'd backing store for all but the tiniest), which costs more
 * than the copy. Node's own Buffer pool does the same. Used for the server's replies (copied out
 * of reused writers; 8 KiB chunks, as Node's pool) and for node data while a data dir loads
 * (copied out of the snapshot or log file, which a view would keep alive whole; 256 KiB chunks).
 *
 * Not here: reuse. A chunk is never written twice; it is freed by the GC once no copy in it is
 * referenced, so one copy held for long (a reply queued to a slow socket, a znode never
 * changed) keeps at most one chunk alive. Copies over `copyBytesMax` get their own buffer so
 * that bound stays small. Invariant: a returned copy is never written to again by the slab.
 */
export class ByteSlab {
  private chunkBuffer: ArrayBuffer;
  /** A DataView of the chunk, for copyOfRange's word copies. */
  private chunkView: DataView;
  private used = 0;

  constructor(private readonly chunkBytes = 8 * 1024, private readonly copyBytesMax = 1024) {
    this.chunkBuffer = new ArrayBuffer(chunkBytes);
    this.chunkView = new DataView(this.chunkBuffer);
  }

  /** A copy of `bytes` that stays valid (and unchanged) for as long as it is referenced. */
  copyOf(bytes: Uint8Array): Uint8Array {
    const length = bytes.length;
    const copy = this.place(length);
    copy.set(bytes);
    return copy;
  }

  /**
   * A copy of `bytes[start, end)` (within bounds, not checked), as copyOf(bytes.subarray(start,
   * end)) but cheaper: the one typed array made is the copy. With `view` (a DataView of
   * `bytes`, which the caller keeps for its own reads) the bytes go over four at a time;
   * without, through a plain Uint8Array view to `set` (a Buffer's subarray constructs a Buffer,
   * several times the cost). Both beat a loop over single bytes.
   */
  copyOfRange(bytes: Uint8Array, start: number, end: number, view?: DataView): Uint8Array {
    const length = end - start;
    if (view !== undefined && length <= this.copyBytesMax && length <= WORD_COPY_MAX) {
      const copy = this.place(length);
      const into = this.chunkView;
      const at = copy.byteOffset;
      let index = 0;
      for (; index + 4 <= length; index += 4) into.setInt32(at + index, view.getInt32(start + index));
      for (; index < length; index++) into.setUint8(at + index, view.getUint8(start + index));
      return copy;
    }
    const copy = this.place(length);
    copy.set(new Uint8Array(bytes.buffer, bytes.byteOffset + start, length));
    return copy;
  }

  /** Room for `length` bytes: the next spot in the current chunk, a new chunk, or a buffer of its own. */
  private place(length: number): Uint8Array {
    // Always a new buffer: `slice` of a Buffer (a file's bytes) is a view, which would keep it alive.
    if (length > this.copyBytesMax) return new Uint8Array(length);
    if (this.used + length > this.chunkBytes) {
      this.chunkBuffer = new ArrayBuffer(this.chunkBytes);
      this.chunkView = new DataView(this.chunkBuffer);
      this.used = 0;
    }
    // A view made by the constructor costs less than subarray (no species lookup).
    const copy = new Uint8Array(this.chunkBuffer, this.used, length);
    // 8-byte steps keep every copy aligned, as Node's pool does for its views.
    this.used += (length + 7) & ~7;
    return copy;
  }
}

/** Up to this length copyOfRange with a DataView copies word by word; past it `set` is faster. */
const WORD_COPY_MAX = 512;

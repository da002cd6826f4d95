/**
 * Incremental frame decoder for the client port: each frame is an int32 big-endian length
 * followed by that many bytes. Bytes may arrive split anywhere, down to one at a time.
 *
 * Not here: what the frames mean. Invariant: a frame longer than `frameBytesMax` (or a negative
 * length) is reported once as an error and the decoder stops; it never buffers an oversized frame.
 */

export type FrameEvent =
  | { readonly kind: 'frame'; readonly payload: Uint8Array }
  | { readonly kind: 'error'; readonly reason: string; readonly length: number };

export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  /**
   * Bytes of chunks[0] already consumed. Kept as an offset rather than by re-slicing the chunk:
   * a subarray of a node Buffer is a new Buffer object, and a pipelined read holds dozens of frames.
   */
  private offset = 0;
  private buffered = 0;
  private failed = false;

  constructor(private readonly frameBytesMax: number) {}

  /** The first 4 buffered bytes (the start of the next frame), if that many are buffered. */
  peekHead(): Uint8Array | undefined {
    if (this.buffered < 4) return undefined;
    return this.take(4, false);
  }

  push(bytes: Uint8Array): FrameEvent[] {
    if (this.failed) return [];
    if (bytes.length > 0) {
      this.chunks.push(bytes);
      this.buffered += bytes.length;
    }
    const out: FrameEvent[] = [];
    while (this.buffered >= 4) {
      const length = this.headLength();
      if (length < 0 || length > this.frameBytesMax) {
        this.failed = true;
        this.chunks = [];
        this.offset = 0;
        this.buffered = 0;
        out.push({ kind: 'error', reason: `Len error ${length}`, length });
        break;
      }
      if (this.buffered < 4 + length) break;
      this.skip(4);
      out.push({ kind: 'frame', payload: this.take(length, true) });
    }
    return out;
  }

  /** The int32 at the front (at least 4 bytes are buffered), read in place when it lies in one chunk. */
  private headLength(): number {
    const first = this.chunks[0]!;
    const at = this.offset;
    const head = first.length - at >= 4 ? first : this.take(4, false);
    const from = head === first ? at : 0;
    return ((head[from]! << 24) | (head[from + 1]! << 16) | (head[from + 2]! << 8) | head[from + 3]!) | 0;
  }

  /** Copies (or slices, when it lies in one chunk) `count` bytes from the front. */
  private take(count: number, consume: boolean): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length - this.offset >= count) {
      // A plain Uint8Array view even of a node Buffer (a frame spanning chunks is a plain copy
      // anyway): every subarray the decoding takes of it is then a plain one too, which is
      // cheaper than a Buffer's (a subclass constructor per string and buffer decoded).
      out = new Uint8Array(first.buffer, first.byteOffset + this.offset, count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      for (let index = 0; filled < count; index++) {
        const chunk = this.chunks[index]!;
        const start = index === 0 ? this.offset : 0;
        const part = Math.min(chunk.length - start, count - filled);
        out.set(chunk.subarray(start, start + part), filled);
        filled += part;
      }
    }
    if (consume) this.skip(count);
    return out;
  }

  /** Drops `count` buffered bytes from the front. */
  private skip(count: number): void {
    let left = count;
    while (left > 0) {
      const available = this.chunks[0]!.length - this.offset;
      if (available <= left) {
        left -= available;
        this.chunks.shift();
        this.offset = 0;
      } else {
        this.offset += left;
        left = 0;
      }
    }
    this.buffered -= count;
  }
}

/** Prefixes a payload with its int32 length. */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

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
      const head = this.take(4, false);
      const length = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) | 0;
      if (length < 0 || length > this.frameBytesMax) {
        this.failed = true;
        this.chunks = [];
        this.buffered = 0;
        out.push({ kind: 'error', reason: `Len error ${length}`, length });
        break;
      }
      if (this.buffered < 4 + length) break;
      this.take(4, true);
      out.push({ kind: 'frame', payload: this.take(length, true) });
    }
    return out;
  }

  /** Copies (or slices, when it lies in one chunk) `count` bytes from the front. */
  private take(count: number, consume: boolean): Uint8Array {
    if (count === 0) return new Uint8Array(0);
    const first = this.chunks[0]!;
    let out: Uint8Array;
    if (first.length >= count) {
      out = first.subarray(0, count);
    } else {
      out = new Uint8Array(count);
      let filled = 0;
      for (const chunk of this.chunks) {
        const part = Math.min(chunk.length, count - filled);
        out.set(chunk.subarray(0, part), filled);
        filled += part;
        if (filled === count) break;
      }
    }
    if (consume) {
      let left = count;
      while (left > 0) {
        const chunk = this.chunks[0]!;
        if (chunk.length <= left) {
          left -= chunk.length;
          this.chunks.shift();
        } else {
          this.chunks[0] = chunk.subarray(left);
          left = 0;
        }
      }
      this.buffered -= count;
    }
    return out;
  }
}

/** Prefixes a payload with its int32 length. */
export function frame(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + 4);
  new DataView(out.buffer).setInt32(0, payload.length);
  out.set(payload, 4);
  return out;
}

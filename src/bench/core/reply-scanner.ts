/**
 * Reads server frames (int32 length, then ReplyHeader { xid, zxid, err } and a body) out of
 * socket chunks without allocating per frame: each frame is handed to the sink as offsets into
 * the chunk it arrived in. Only a frame split across chunks is copied, once, into a carry buffer.
 *
 * This is the bench's hot path, which is why it does not use jute/frame-decoder.ts (an event
 * object and a view per frame) or decode bodies: the bench needs the xid and err of each reply,
 * and the few callers that want a body read it in place with JuteReader.
 * Not here: the handshake's ConnectResponse (no ReplyHeader; the session reads it first).
 * Invariant: after a bad length the scanner reports the error once and ignores all later bytes.
 */

/** int32 xid + int64 zxid + int32 err. */
export const replyHeaderBytes = 16;

export interface ReplySink {
  /** `body` is `bytes[bodyStart, frameEnd)`; it may be overwritten after this call returns. */
  onReply(xid: number, err: number, bytes: Uint8Array, bodyStart: number, frameEnd: number): void;
}

function readInt(bytes: Uint8Array, at: number): number {
  return (bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!;
}

export class ReplyScanner {
  private carry: Uint8Array | undefined;
  private failure: string | undefined;

  constructor(private readonly frameBytesMax: number) {}

  /** Why the stream was refused, if it was. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Hands every complete frame in `chunk` (and any carried over) to `sink`; false once refused. */
  push(chunk: Uint8Array, sink: ReplySink): boolean {
    if (this.failure !== undefined) return false;
    let position = 0;
    if (this.carry !== undefined) {
      position = this.completeCarry(chunk, sink);
      if (position < 0) return this.failure === undefined;
    }
    const end = chunk.length;
    while (position + 4 <= end) {
      const length = readInt(chunk, position);
      if (!this.lengthOk(length)) return false;
      const frameEnd = position + 4 + length;
      if (frameEnd > end) break;
      sink.onReply(readInt(chunk, position + 4), readInt(chunk, position + 16), chunk, position + 4 + replyHeaderBytes, frameEnd);
      position = frameEnd;
    }
    if (position < end) this.carry = chunk.slice(position);
    return true;
  }

  private lengthOk(length: number): boolean {
    if (length >= replyHeaderBytes && length <= this.frameBytesMax) return true;
    this.failure = `bad reply frame length ${length} (expected ${replyHeaderBytes}..${this.frameBytesMax})`;
    this.carry = undefined;
    return false;
  }

  /**
   * Adds the head of `chunk` to the carried partial frame; returns where the rest of `chunk`
   * starts once the carried frame is complete and delivered, or -1 if `chunk` did not complete it.
   */
  private completeCarry(chunk: Uint8Array, sink: ReplySink): number {
    let carry = this.carry!;
    let used = 0;
    if (carry.length < 4) {
      used = Math.min(4 - carry.length, chunk.length);
      carry = concat(carry, chunk.subarray(0, used));
      if (carry.length < 4) {
        this.carry = carry;
        return -1;
      }
    }
    const length = readInt(carry, 0);
    if (!this.lengthOk(length)) return -1;
    const take = Math.min(4 + length - carry.length, chunk.length - used);
    carry = concat(carry, chunk.subarray(used, used + take));
    used += take;
    if (carry.length < 4 + length) {
      this.carry = carry;
      return -1;
    }
    this.carry = undefined;
    sink.onReply(readInt(carry, 4), readInt(carry, 16), carry, 4 + replyHeaderBytes, carry.length);
    return used;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

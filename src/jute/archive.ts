/**
 * Jute binary archive primitives: a bounds-checked reader and a growable writer.
 *
 * Encoding (org.apache.jute.BinaryOutputArchive): int = 4 bytes big-endian signed, long = 8 bytes
 * big-endian signed (a bigint here, never a JS number), boolean = 1 byte, buffer and ustring =
 * int32 length then bytes (-1 = null), vector = int32 count (-1 = null) then elements.
 * Not here: record layouts (records.ts) and framing (frame-decoder.ts).
 * Invariant: a reader never reads past its end; it throws JuteError instead.
 */

import { isAscii } from '../util/ascii.js';
import { writeLatin1 } from '../util/latin1.js';

export class JuteError extends Error {
  override readonly name = 'JuteError';
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: false });

type Latin1Slice = (this: Uint8Array, start: number, end: number) => string;
/**
 * Node's native one-byte decoder (what Buffer#toString('latin1') calls), which takes any
 * Uint8Array as `this`: for ASCII bytes it gives the same string as UTF-8 decoding, in one call
 * and without a view of the bytes. Missing outside Node; then String.fromCharCode is used.
 */
const latin1Slice = (globalThis as { Buffer?: { prototype: { latin1Slice?: Latin1Slice } } }).Buffer?.prototype.latin1Slice;

/** Whether every byte of `bytes[start, end)` is below 0x80. */
export function isAsciiBytes(bytes: Uint8Array, start: number, end: number): boolean {
  let seen = 0;
  for (let at = start; at < end; at++) seen |= bytes[at]!;
  return seen < 0x80;
}

/**
 * `bytes[start, end)` (within bounds, not checked) decoded as UTF-8 the way readUstring does it:
 * invalid sequences become U+FFFD, as Java's decoder does too.
 */
export function decodeUtf8(bytes: Uint8Array, start: number, end: number): string {
  // Paths are mostly short ASCII: those without a decoder call or a view of the bytes.
  return isAsciiBytes(bytes, start, end) ? decodeAscii(bytes, start, end) : utf8Decoder.decode(bytes.subarray(start, end));
}

/** decodeUtf8 for bytes the caller knows are ASCII (isAsciiBytes), which it then need not check again. */
export function decodeAscii(bytes: Uint8Array, start: number, end: number): string {
  if (latin1Slice !== undefined) return latin1Slice.call(bytes, start, end);
  if (end - start > 1024) return utf8Decoder.decode(bytes.subarray(start, end));
  return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
}

export class JuteReader {
  private offset: number;
  private readonly end: number;
  private view: DataView | undefined;

  constructor(private readonly bytes: Uint8Array, start = 0, end = bytes.length) {
    this.offset = start;
    this.end = end;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(count: number, what: string): void {
    if (count < 0 || this.offset + count > this.end) {
      throw new JuteError(`short read: ${what} needs ${count} bytes at offset ${this.offset}, ${this.end - this.offset} left`);
    }
  }

  readInt(): number {
    this.need(4, 'int');
    const b = this.bytes;
    const o = this.offset;
    this.offset = o + 4;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) | 0;
  }

  readLong(): bigint {
    this.need(8, 'long');
    // One DataView read makes one bigint; composing it from two ints would make four.
    const view = this.view ?? (this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength));
    const value = view.getBigInt64(this.offset);
    this.offset += 8;
    return value;
  }

  /** Moves past `count` bytes the caller has already looked at (within bounds). */
  skip(count: number): void {
    this.need(count, 'skip');
    this.offset += count;
  }

  readBoolean(): boolean {
    this.need(1, 'boolean');
    return this.bytes[this.offset++] !== 0;
  }

  readBuffer(): Uint8Array | null {
    const length = this.readInt();
    if (length === -1) return null;
    if (length < -1) throw new JuteError(`negative buffer length ${length}`);
    this.need(length, 'buffer');
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  readUstring(): string {
    const length = this.readInt();
    if (length === -1) return '';
    if (length < -1) throw new JuteError(`negative string length ${length}`);
    this.need(length, 'ustring');
    const start = this.offset;
    this.offset += length;
    return decodeUtf8(this.bytes, start, start + length);
  }

  /** Vector count: -1 (null) reads as 0 elements. A count that cannot fit is rejected early. */
  readVectorCount(minElementBytes: number): number {
    const count = this.readInt();
    if (count === -1) return 0;
    if (count < -1) throw new JuteError(`negative vector count ${count}`);
    if (count * minElementBytes > this.remaining) {
      throw new JuteError(`vector count ${count} exceeds the ${this.remaining} bytes left`);
    }
    return count;
  }
}

const utf8Encoder = new TextEncoder();
/** Strings up to this long are copied char by char when ASCII (paths); longer ones go to encodeInto. */
const ASCII_COPY_MAX = 256;

/** Copies `value`'s char codes into `bytes` from `at` (room checked by the caller); returns them OR-ed, so above 0x7f means not ASCII. */
function copyChars(bytes: Uint8Array, at: number, value: string): number {
  let seen = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    seen |= code;
    bytes[at + i] = code;
  }
  return seen;
}

export class JuteWriter {
  private bytes: Uint8Array;
  private view: DataView;
  private offset = 0;

  constructor(initialBytes = 256) {
    this.bytes = new Uint8Array(initialBytes);
    this.view = new DataView(this.bytes.buffer);
  }

  get length(): number {
    return this.offset;
  }

  private ensure(count: number): void {
    const needed = this.offset + count;
    if (needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.offset));
    this.bytes = grown;
    this.view = new DataView(grown.buffer);
  }

  writeInt(value: number): void {
    this.ensure(4);
    this.view.setInt32(this.offset, value);
    this.offset += 4;
  }

  writeLong(value: bigint): void {
    this.ensure(8);
    // setBigInt64 wraps modulo 2^64 by itself (as BigInt.asIntN would, without a new bigint).
    this.view.setBigInt64(this.offset, value);
    this.offset += 8;
  }

  writeBoolean(value: boolean): void {
    this.ensure(1);
    this.bytes[this.offset++] = value ? 1 : 0;
  }

  writeBuffer(value: Uint8Array | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    this.writeInt(value.length);
    this.writeRaw(value);
  }

  /** A jute buffer whose bytes are `value`'s chars (a Latin-1 string, as the tree keeps node data). */
  writeLatin1Buffer(value: string | null): void {
    if (value === null) {
      this.writeInt(-1);
      return;
    }
    this.ensure(4 + value.length);
    this.view.setInt32(this.offset, value.length);
    this.offset += 4 + writeLatin1(this.bytes, value, this.offset + 4);
  }

  writeUstring(value: string): void {
    // Encode straight into the buffer: a UTF-8 string takes at most 3 bytes per UTF-16 unit.
    const count = value.length;
    this.ensure(4 + count * 3);
    const bytes = this.bytes;
    const at = this.offset + 4;
    // Short strings' char codes are copied as bytes while checking they are ASCII; any other
    // string is encoded over them.
    const length = count <= ASCII_COPY_MAX && copyChars(bytes, at, value) <= 0x7f ? count : utf8Encoder.encodeInto(value, bytes.subarray(at)).written;
    this.view.setInt32(this.offset, length);
    this.offset = at + length;
  }

  /**
   * The ustring `dir + '/' + name` (just `'/' + name` when dir is "/"), without joining the two
   * into one string first: a snapshot writes every node's path, and its parent's is at hand.
   */
  writeUstringPath(dir: string, name: string): void {
    const prefix = dir === '/' ? '' : dir;
    const count = prefix.length + 1 + name.length;
    if (count <= ASCII_COPY_MAX) {
      this.ensure(4 + count);
      const bytes = this.bytes;
      const at = this.offset + 4;
      bytes[at + prefix.length] = 0x2f;
      if ((copyChars(bytes, at, prefix) | copyChars(bytes, at + prefix.length + 1, name)) <= 0x7f) {
        this.view.setInt32(this.offset, count);
        this.offset = at + count;
        return;
      }
    }
    this.writeUstring(`${prefix}/${name}`);
  }

  writeRaw(value: Uint8Array): void {
    this.ensure(value.length);
    this.bytes.set(value, this.offset);
    this.offset += value.length;
  }

  /** Overwrites an int already written, e.g. a length prefix back-patched after the body. */
  patchInt(at: number, value: number): void {
    this.view.setInt32(at, value);
  }

  /** A copy of the bytes written so far (safe to keep after the writer is reused). */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.offset);
  }

  /** Drops everything written after `length` bytes. */
  truncate(length: number): void {
    if (length < 0 || length > this.offset) throw new RangeError(`truncate to ${length} of ${this.offset} bytes`);
    this.offset = length;
  }

  /**
   * A DataView of the writer's own buffer (its first `length` bytes are what was written): valid
   * only until the next write, which may move to a larger buffer. For hashing bytes just written
   * without a view per call.
   */
  get dataView(): DataView {
    return this.view;
  }

  /** Makes room for `count` more bytes at once, so that a run of writes does not grow the buffer. */
  reserve(count: number): void {
    this.ensure(count);
  }

  /** The bytes written so far, not copied: valid only until the next write or reset. */
  peek(): Uint8Array {
    return this.bytes.subarray(0, this.offset);
  }

  reset(): void {
    this.offset = 0;
  }
}

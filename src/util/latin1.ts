/**
 * Bytes as a Latin-1 string and back: one char per byte, every byte value 0–255 kept as is
 * (Node's 'latin1' encoding; TextDecoder's 'latin1' is windows-1252 and would change 0x80–0x9f).
 * The tree keeps node data this way (DataNode.data). Converting copies the bytes, so a string
 * made from a view into a file's buffer does not keep that buffer alive. Uses the global Buffer
 * (no I/O: the pure cores may).
 */
const slice = Buffer.prototype.latin1Slice;
const write = Buffer.prototype.latin1Write;

export function latin1Of(bytes: Uint8Array | null): string | null;
export function latin1Of(bytes: Uint8Array, start: number, end: number): string;
export function latin1Of(bytes: Uint8Array | null, start = 0, end = bytes?.length ?? 0): string | null {
  return bytes === null ? null : slice.call(bytes, start, end);
}

export function bytesOfLatin1(text: string): Uint8Array {
  return Buffer.from(text, 'latin1');
}

/** Writes `text`'s chars as bytes into `target` at `offset` (which must have room); returns the count. */
export function writeLatin1(target: Uint8Array, text: string, offset: number): number {
  return write.call(target, text, offset, text.length);
}

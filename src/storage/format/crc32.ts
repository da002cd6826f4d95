/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) with the semantics of
 * java.util.zip.CRC32. ZooKeeper uses it for the per-node digests whose sum is the tree digest
 * written into txn log entries (TxnDigest) and snapshots (DigestCalculator).
 *
 * Incremental like java.util.zip.CRC32: `update` may be called with any split of the input.
 * Not here: what is hashed (digest.ts). Pure: no I/O.
 */

const TABLE: Uint32Array = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export class Crc32 {
  /** The register, kept pre-inverted as zlib does; `value` undoes the inversion. */
  private register = 0xffffffff;

  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let c = this.register;
    for (let at = start; at < end; at++) c = TABLE[(c ^ bytes[at]!) & 0xff]! ^ (c >>> 8);
    this.register = c >>> 0;
    return this;
  }

  /** Adds the UTF-8 bytes of an ASCII string (every char code below 0x80), without encoding it first. */
  updateAscii(text: string): this {
    let c = this.register;
    for (let at = 0; at < text.length; at++) c = TABLE[(c ^ text.charCodeAt(at)) & 0xff]! ^ (c >>> 8);
    this.register = c >>> 0;
    return this;
  }

  reset(): this {
    this.register = 0xffffffff;
    return this;
  }

  /** The CRC so far, as java.util.zip.CRC32.getValue() returns it (0 ≤ value < 2^32). */
  get value(): number {
    return (this.register ^ 0xffffffff) >>> 0;
  }
}

export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return new Crc32().update(bytes, start, end).value;
}

/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320) with the semantics of
 * java.util.zip.CRC32. ZooKeeper uses it for the per-node digests whose sum is the tree digest
 * written into txn log entries (TxnDigest) and snapshots (DigestCalculator).
 *
 * Incremental like java.util.zip.CRC32: `update` may be called with any split of the input.
 * Not here: what is hashed (digest.ts). Pure: no I/O.
 */

/**
 * Slicing-by-8 tables: TABLES[k * 256 + n] is the CRC register step for byte n followed by k zero
 * bytes, so eight bytes cost eight lookups and one register update instead of eight dependent
 * steps. The per-node digest hashes every node's data on every snapshot, which made the
 * byte-at-a-time loop a third of a snapshot's cost per node.
 */
const TABLES: Uint32Array = (() => {
  const tables = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c >>> 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let n = 0; n < 256; n++) {
      const previous = tables[(k - 1) * 256 + n]!;
      tables[k * 256 + n] = (previous >>> 8) ^ tables[previous & 0xff]!;
    }
  }
  return tables;
})();
const TABLE = TABLES.subarray(0, 256);
/** The same tables as 32-bit signed entries: XOR works on int32 anyway, and no entry reads as a double. */
const TABLES_SIGNED = new Int32Array(TABLES.buffer);

/**
 * Feeds `bytes[start, end)` to a CRC register (pre-inverted, as Crc32 keeps it: start from
 * CRC32_INITIAL, finish with crc32Final) and returns the new register. A plain function, for
 * callers that hash several byte ranges per record without an object per record (digest.ts).
 */
export function crc32Update(register: number, bytes: Uint8Array, start: number, end: number): number {
  const t = TABLES;
  let c = register;
  let at = start;
  for (; at + 8 <= end; at += 8) {
    // The register absorbs bytes little-endian (the polynomial is reflected).
    const low = c ^ (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24));
    const high = bytes[at + 4]! | (bytes[at + 5]! << 8) | (bytes[at + 6]! << 16) | (bytes[at + 7]! << 24);
    c = t[1792 + (low & 0xff)]! ^ t[1536 + ((low >>> 8) & 0xff)]! ^ t[1280 + ((low >>> 16) & 0xff)]! ^ t[1024 + (low >>> 24)]!
      ^ t[768 + (high & 0xff)]! ^ t[512 + ((high >>> 8) & 0xff)]! ^ t[256 + ((high >>> 16) & 0xff)]! ^ t[high >>> 24]!;
  }
  if (at + 4 <= end) {
    const low = c ^ (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24));
    c = t[768 + (low & 0xff)]! ^ t[512 + ((low >>> 8) & 0xff)]! ^ t[256 + ((low >>> 16) & 0xff)]! ^ t[low >>> 24]!;
    at += 4;
  }
  for (; at < end; at++) c = t[(c ^ bytes[at]!) & 0xff]! ^ (c >>> 8);
  return c;
}

/**
 * crc32Update over `view`'s bytes `[start, end)`: the same register steps, reading four bytes
 * per bounds check (getInt32, little-endian, as the reflected register absorbs them), about a
 * third faster than byte loads. For callers that hash many ranges of one buffer and so make the
 * DataView once (the node records of a snapshot, recordDigest).
 */
export function crc32UpdateView(register: number, view: DataView, start: number, end: number): number {
  const t = TABLES_SIGNED;
  let c = register;
  let at = start;
  for (; at + 8 <= end; at += 8) {
    const low = c ^ view.getInt32(at, true);
    const high = view.getInt32(at + 4, true);
    c = t[1792 + (low & 0xff)]! ^ t[1536 + ((low >>> 8) & 0xff)]! ^ t[1280 + ((low >>> 16) & 0xff)]! ^ t[1024 + (low >>> 24)]!
      ^ t[768 + (high & 0xff)]! ^ t[512 + ((high >>> 8) & 0xff)]! ^ t[256 + ((high >>> 16) & 0xff)]! ^ t[high >>> 24]!;
  }
  if (at + 4 <= end) {
    const low = c ^ view.getInt32(at, true);
    c = t[768 + (low & 0xff)]! ^ t[512 + ((low >>> 8) & 0xff)]! ^ t[256 + ((low >>> 16) & 0xff)]! ^ t[low >>> 24]!;
    at += 4;
  }
  for (; at < end; at++) c = t[(c ^ view.getUint8(at)) & 0xff]! ^ (c >>> 8);
  return c;
}

/** The register before any byte (crc32Update). */
export const CRC32_INITIAL = 0xffffffff;

/** The CRC of what a register (crc32Update) has absorbed, as java.util.zip.CRC32.getValue() returns it. */
export function crc32Final(register: number): number {
  return (register ^ 0xffffffff) >>> 0;
}

export class Crc32 {
  /** The register, kept pre-inverted as zlib does; `value` undoes the inversion. */
  private register = CRC32_INITIAL;

  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    this.register = crc32Update(this.register, bytes, start, end) >>> 0;
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

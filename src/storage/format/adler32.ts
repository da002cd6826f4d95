/**
 * Adler-32 with the semantics of java.util.zip.Adler32, the checksum ZooKeeper puts in front of
 * every txn log entry (FileTxnLog) and at the end of every snapshot section (SnapStream).
 *
 * RFC 1950 §8.2: a = 1 + sum of bytes, b = sum of the running a values, both mod 65521; the
 * value is b·65536 + a, an unsigned 32-bit number (Java widens it to a long with the high half 0).
 * Incremental: feeding bytes in any split gives the same value as feeding them at once.
 * Not here: what the checksum covers (txn-log.ts, snapshot.ts). Pure: no I/O.
 */

const MODULUS = 65521;
/**
 * The most bytes that can be summed before reducing mod 65521 without b passing 2^32
 * (zlib's NMAX); JavaScript numbers would allow more, but this keeps every intermediate exact
 * and small.
 */
const BYTES_PER_REDUCTION = 5552;

export class Adler32 {
  private a = 1;
  private b = 0;

  /** Adds `bytes[start, end)` to the running checksum. */
  update(bytes: Uint8Array, start = 0, end = bytes.length): this {
    let a = this.a;
    let b = this.b;
    let at = start;
    while (at < end) {
      const stop = Math.min(end, at + BYTES_PER_REDUCTION);
      for (; at < stop; at++) {
        a += bytes[at]!;
        b += a;
      }
      a %= MODULUS;
      b %= MODULUS;
    }
    this.a = a;
    this.b = b;
    return this;
  }

  /** The checksum so far, as java.util.zip.Adler32.getValue() returns it (0 ≤ value < 2^32). */
  get value(): number {
    return this.b * 65536 + this.a;
  }

  reset(): void {
    this.a = 1;
    this.b = 0;
  }
}

/** The Adler-32 of `bytes[start, end)` in one call. */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return new Adler32().update(bytes, start, end).value;
}

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
 * The most bytes summed before reducing mod 65521. zlib's NMAX (5552) keeps b below 2^32;
 * this keeps it below 2^31, so every intermediate stays a 32-bit integer for the JIT (doubles
 * would be exact too, only slower).
 */
const BYTES_PER_REDUCTION = 3792;
/** Below this many bytes the plain loop is as fast as the 16-byte step and needs no DataView. */
const WIDE_MIN_BYTES = 64;

/** The sum of the four bytes of a 32-bit word, two lanes at a time. */
function byteSum(word: number): number {
  const pairs = (word & 0x00ff00ff) + ((word >>> 8) & 0x00ff00ff);
  return (pairs & 0xffff) + (pairs >>> 16);
}

export class Adler32 {
  private a = 1;
  private b = 0;

  /**
   * Adds `bytes[start, end)` to the running checksum. Large inputs go 16 bytes a step: with
   * bytes x0…x15, b grows by 16·a + Σ (16 − i)·xi and a by Σ xi, read as four big-endian words
   * (a snapshot is checked whole on load, 200 MB for a million nodes). `over`, if given, is a
   * DataView that starts where `bytes` starts and covers it: a caller hashing its own buffer
   * over and over passes one instead of having one made per call.
   */
  update(bytes: Uint8Array, start = 0, end = bytes.length, over?: DataView): this {
    let a = this.a;
    let b = this.b;
    let at = start;
    const view = end - start < WIDE_MIN_BYTES ? undefined : over ?? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    while (at < end) {
      const stop = Math.min(end, at + BYTES_PER_REDUCTION);
      if (view !== undefined) {
        for (; at + 16 <= stop; at += 16) {
          const w0 = view.getUint32(at);
          const w1 = view.getUint32(at + 4);
          const w2 = view.getUint32(at + 8);
          const w3 = view.getUint32(at + 12);
          const s0 = byteSum(w0);
          const s1 = byteSum(w1);
          const s2 = byteSum(w2);
          const s3 = byteSum(w3);
          // Σ (4 − k)·byte k of each word; the words' positions add 12, 8, 4 and 0 times their sums.
          const weighted = 3 * (w0 >>> 24) + 2 * ((w0 >>> 16) & 0xff) + ((w0 >>> 8) & 0xff)
            + 3 * (w1 >>> 24) + 2 * ((w1 >>> 16) & 0xff) + ((w1 >>> 8) & 0xff)
            + 3 * (w2 >>> 24) + 2 * ((w2 >>> 16) & 0xff) + ((w2 >>> 8) & 0xff)
            + 3 * (w3 >>> 24) + 2 * ((w3 >>> 16) & 0xff) + ((w3 >>> 8) & 0xff);
          b += 16 * a + 13 * s0 + 9 * s1 + 5 * s2 + s3 + weighted;
          a += s0 + s1 + s2 + s3;
        }
      }
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
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length, over?: DataView): number {
  return new Adler32().update(bytes, start, end, over).value;
}

/**
 * Standard base64 (RFC 4648 §4, with padding), as java.util.Base64.getEncoder() writes it, for
 * pure modules that cannot reach for node:buffer.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64Encode(bytes: Uint8Array): string {
  const out: string[] = [];
  let at = 0;
  for (; at + 3 <= bytes.length; at += 3) {
    const n = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    out.push(ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!);
  }
  const left = bytes.length - at;
  if (left === 1) {
    const n = bytes[at]! << 16;
    out.push(`${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}==`);
  } else if (left === 2) {
    const n = (bytes[at]! << 16) | (bytes[at + 1]! << 8);
    out.push(`${ALPHABET[n >> 18]!}${ALPHABET[(n >> 12) & 63]!}${ALPHABET[(n >> 6) & 63]!}=`);
  }
  return out.join('');
}

/** True when every UTF-16 unit of `text` is ASCII, so its UTF-8 bytes are its char codes. */
export function isAscii(text: string): boolean {
  for (let at = 0; at < text.length; at++) if (text.charCodeAt(at) > 0x7f) return false;
  return true;
}

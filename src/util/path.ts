/**
 * znode path validation with ZooKeeper's rules (PathUtils.validatePath): absolute, no trailing
 * slash except the root, no empty, "." or ".." segment, no NUL, and none of the characters
 * ZooKeeper rejects (U+0001–U+001F, U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF).
 */

const SLASH = 0x2f;
const DOT = 0x2e;

/**
 * What is wrong with `path`, or undefined. With `suffixed`, `path` is what a sequential create
 * asked for, and the verdict is the one for it with ZooKeeper's sequence suffix appended (ten
 * digits, or '-' and nine): such a path never ends in '/' or in a '.' segment. That spares
 * validating the concatenation, a string V8 must first flatten.
 */
export function pathError(path: string, suffixed = false): string | undefined {
  // Char codes only: one-char strings per position made this a visible share of a create.
  const length = path.length;
  if (length === 0) return 'Path length must be > 0';
  if (path.charCodeAt(0) !== SLASH) return 'Path must start with / character';
  if (length === 1) return undefined;
  if (!suffixed && path.charCodeAt(length - 1) === SLASH) return 'Path must not end with / character';
  // Past the end comes the suffix when there is one, and no segment ends there.
  const end = suffixed ? -1 : length;
  let previous = SLASH;
  for (let i = 1; i < length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0) return `null character not allowed @${i}`;
    if (c === SLASH && previous === SLASH) return `empty node name specified @${i}`;
    if (c === DOT && previous === DOT) {
      if (path.charCodeAt(i - 2) === SLASH && (i + 1 === end || path.charCodeAt(i + 1) === SLASH)) return `relative paths not allowed @${i}`;
    } else if (c === DOT) {
      if (previous === SLASH && (i + 1 === end || path.charCodeAt(i + 1) === SLASH)) return `relative paths not allowed @${i}`;
    } else if ((c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
    previous = c;
  }
  return undefined;
}

export function isValidPath(path: string): boolean {
  return pathError(path) === undefined;
}

/** The path of `parent`'s child `name` ("/" has no trailing slash to add; "" is the root's parent, so ("", "") is "/"). */
export function childPath(parent: string, name: string): string {
  return parent === '/' ? `/${name}` : `${parent}/${name}`;
}

/**
 * znode path validation with ZooKeeper's rules (PathUtils.validatePath): absolute, no trailing
 * slash except the root, no empty, "." or ".." segment, no NUL, and none of the characters
 * ZooKeeper rejects (U+0001–U+001F, U+007F–U+009F, U+D800–U+F8FF, U+FFF0–U+FFFF).
 */

export function pathError(path: string): string | undefined {
  if (path.length === 0) return 'Path length must be > 0';
  if (path[0] !== '/') return 'Path must start with / character';
  if (path.length === 1) return undefined;
  if (path[path.length - 1] === '/') return 'Path must not end with / character';
  let previous = '/';
  for (let i = 1; i < path.length; i++) {
    const c = path.charCodeAt(i);
    const ch = path[i]!;
    if (c === 0) return `null character not allowed @${i}`;
    if (ch === '/' && previous === '/') return `empty node name specified @${i}`;
    if (ch === '.' && previous === '.') {
      if (path[i - 2] === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if (ch === '.') {
      if (previous === '/' && (i + 1 === path.length || path[i + 1] === '/')) return `relative paths not allowed @${i}`;
    } else if ((c > 0x00 && c <= 0x1f) || (c >= 0x7f && c <= 0x9f) || (c >= 0xd800 && c <= 0xf8ff) || (c >= 0xfff0 && c <= 0xffff)) {
      return `invalid character @${i}`;
    }
    previous = ch;
  }
  return undefined;
}

export function isValidPath(path: string): boolean {
  return pathError(path) === undefined;
}

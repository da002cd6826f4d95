/**
 * The java.util.Properties text format that zoo.cfg uses: `key=value`, `key: value` or
 * `key value`, `#`/`!` comments, backslash line continuations and escapes, whitespace trimmed as
 * Properties.load trims it. Not here: what the keys mean (config.ts).
 */
import { ConfigError } from './config-error.js';


/** One logical `key=value` line, trimmed as ZooKeeper trims; `line` is its first physical line. */
export interface PropertyLine {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

const isPropertiesSpace = (c: string) => c === ' ' || c === '\t' || c === '\f';

/** Java's String.trim: strips every code unit <= U+0020 at both ends. */
export function javaTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text.charCodeAt(start) <= 0x20) start++;
  while (end > start && text.charCodeAt(end - 1) <= 0x20) end--;
  return text.slice(start, end);
}

/** Properties.loadConvert: `\t \n \r \f \uXXXX` are escapes, any other `\x` is just `x`. */
function unescape(text: string, where: { file: string; line: number }): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c !== '\\' || i + 1 >= text.length) { out += c; continue; }
    const next = text[++i]!;
    if (next === 'u') {
      const hex = text.slice(i + 1, i + 5);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new ConfigError('malformed \\uxxxx escape', where);
      out += String.fromCharCode(parseInt(hex, 16));
      i += 4;
    } else {
      out += next === 't' ? '\t' : next === 'n' ? '\n' : next === 'r' ? '\r' : next === 'f' ? '\f' : next;
    }
  }
  return out;
}

function endsWithOddBackslashes(text: string): boolean {
  let count = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) count++;
  return count % 2 === 1;
}

/** Splits one logical line at the first unescaped `=`, `:` or run of whitespace. */
function splitKeyValue(logical: string): { key: string; value: string } {
  let keyEnd = logical.length;
  let valueStart = logical.length;
  for (let i = 0; i < logical.length; i++) {
    const c = logical[i]!;
    if (c === '\\') { i++; continue; }
    if (c === '=' || c === ':') { keyEnd = i; valueStart = i + 1; break; }
    if (isPropertiesSpace(c)) {
      keyEnd = i;
      let j = i;
      while (j < logical.length && isPropertiesSpace(logical[j]!)) j++;
      // "key = value": the whitespace and one following separator together end the key.
      if (j < logical.length && (logical[j] === '=' || logical[j] === ':')) j++;
      valueStart = j;
      break;
    }
  }
  let v = valueStart;
  while (v < logical.length && isPropertiesSpace(logical[v]!)) v++;
  return { key: logical.slice(0, keyEnd), value: logical.slice(v) };
}

/** java.util.Properties.load as ZooKeeper sees it (keys and values then trimmed), in file order. */
export function parseProperties(text: string, fileName: string): PropertyLine[] {
  const physical = text.split(/\r\n|\r|\n/);
  const out: PropertyLine[] = [];
  for (let i = 0; i < physical.length; i++) {
    let current = physical[i]!.replace(/^[ \t\f]+/, '');
    const firstLine = i + 1;
    if (current === '' || current.startsWith('#') || current.startsWith('!')) continue;
    let logical = '';
    // A continuation joins the next line without its leading whitespace; an empty next line
    // ends the logical line (Properties' LineReader does the same). Bounded by the line count.
    while (endsWithOddBackslashes(current)) {
      logical += current.slice(0, -1);
      if (i + 1 >= physical.length) { current = ''; break; }
      current = physical[++i]!.replace(/^[ \t\f]+/, '');
      if (current === '') break;
    }
    logical += current;
    const { key, value } = splitKeyValue(logical);
    const where = { file: fileName, line: firstLine };
    out.push({ key: javaTrim(unescape(key, where)), value: javaTrim(unescape(value, where)), line: firstLine });
  }
  return out;
}

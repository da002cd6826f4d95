/**
 * JSON as ZooKeeper's AdminServer writes it: Jackson's ObjectMapper with its DefaultPrettyPrinter.
 * Objects put each field on its own line, indented two spaces per enclosing object (arrays do
 * not indent), as `"key" : value`; arrays stay on one line as `[ a, b ]`; empty ones are `{ }`
 * and `[ ]`; no newline at the end. Strings are quoted as Jackson quotes them.
 *
 * Values: integers (number or bigint, Java longs print as their digits), JavaDouble for Java
 * doubles (Double.toString: `0.0`, `4.2581`), strings, booleans, null, arrays, and objects as
 * Maps or plain records (in insertion order). Pure.
 */
import { formatJavaDouble, jacksonQuoteAsString } from './java-format.js';

/** A Java double: printed as Double.toString prints it, so 0 is `0.0`. */
export class JavaDouble {
  constructor(readonly value: number) {}
}

export type JsonValue = null | boolean | number | bigint | string | JavaDouble | readonly JsonValue[] | JsonObject;
export type JsonObject = ReadonlyMap<string, JsonValue> | { readonly [key: string]: JsonValue };

function entriesOf(object: JsonObject): [string, JsonValue][] {
  return object instanceof Map ? [...object] : Object.entries(object as { readonly [key: string]: JsonValue });
}

function write(value: JsonValue, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean': return String(value);
    case 'bigint': return value.toString();
    case 'number':
      if (!Number.isInteger(value)) throw new TypeError(`${value} is not an integer: pass a JavaDouble`);
      return String(value);
    case 'string': return `"${jacksonQuoteAsString(value)}"`;
    default: break;
  }
  if (value instanceof JavaDouble) return formatJavaDouble(value.value);
  if (Array.isArray(value)) {
    const items = value as readonly JsonValue[];
    return items.length === 0 ? '[ ]' : `[ ${items.map((item) => write(item, depth)).join(', ')} ]`;
  }
  const fields = entriesOf(value as JsonObject);
  if (fields.length === 0) return '{ }';
  const indent = '  '.repeat(depth + 1);
  return `{\n${fields.map(([key, field]) => `${indent}"${jacksonQuoteAsString(key)}" : ${write(field, depth + 1)}`).join(',\n')}\n${'  '.repeat(depth)}}`;
}

/** `value` as ZooKeeper's admin commands print it. */
export function jacksonPretty(value: JsonValue): string {
  return write(value, 0);
}

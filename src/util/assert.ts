/** `assertNever(x)` at the end of a switch over a union: a compile error when a case is missing. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

/**
 * Assertions for the pure cores (DESIGN.md §3.4): a failed one is a bug, so it throws and the
 * caller crashes rather than limping on.
 */

/** The default branch of a switch over a union that the compiler knows is exhaustive. */
export function assertNever(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}`);
}

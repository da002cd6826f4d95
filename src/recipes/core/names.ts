/**
 * Names of the nodes the recipes create, PURE (no I/O, no clock, no randomness: GUIDs come in).
 *
 * Two conventions, both from ZooKeeper's "Recipes and Solutions" and Curator's documented
 * behaviour:
 * - Sequential nodes: the server appends a 10-digit, zero-padded counter that is unique and
 *   increasing per parent, so sorting children by it gives arrival order.
 * - Protected names: a create whose reply is lost (ConnectionLoss) may or may not have happened.
 *   The name starts with `_c_<guid>-`, a GUID generated for that one create, so after the
 *   reconnect the creator finds its node among the children instead of creating a second one
 *   (which, for a lock, would wait behind the first forever). Curator names nodes the same way,
 *   so its tools recognise ours.
 *
 * Not here: creating nodes (zk-ops.ts). Limits: a parent's counter is a signed 32-bit int on the
 * server; past 2^31 creates under one parent names get a '-' and sort wrongly (as in ZooKeeper).
 */

export const sequenceDigits = 10;
const protectedTag = '_c_';
const guidPattern = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const guidOnly = new RegExp(`^${guidPattern}$`);
const sequentialPattern = new RegExp(`^(?:${protectedTag}(${guidPattern})-)?(.*?)(\\d{${sequenceDigits}})$`);

/** A child name of a sequential node, taken apart. */
export interface SequentialNode {
  /** The child name as the server returned it. */
  readonly name: string;
  /** The name the creator asked for, without the protected prefix and the counter ('lock-'). */
  readonly base: string;
  readonly sequence: number;
  /** The GUID of the protected prefix, if there is one. */
  readonly guid: string | undefined;
}

/** `_c_<guid>-<name>`: the name to create when a lost reply must be recoverable. */
export function protectedName(guid: string, name: string): string {
  if (!guidOnly.test(guid)) throw new RangeError(`not a GUID: '${guid}'`);
  return `${protectedTag}${guid}-${name}`;
}

/** True when `child` was created under `guid`'s protected prefix. */
export function hasGuid(child: string, guid: string): boolean {
  return child.startsWith(`${protectedTag}${guid}-`);
}

/** The child created under `guid`, if any (the recovery step after a lost create reply). */
export function findByGuid(children: readonly string[], guid: string): string | undefined {
  return children.find((child) => hasGuid(child, guid));
}

/** Parses a sequential child name; undefined for names without the 10-digit suffix. */
export function parseSequential(name: string): SequentialNode | undefined {
  const match = sequentialPattern.exec(name);
  if (match === null) return undefined;
  return { name, guid: match[1], base: match[2] ?? '', sequence: Number(match[3]) };
}

/**
 * The sequential children whose base is one of `bases` (all when omitted), in server order:
 * by sequence, then by name (only equal when different parents' names were mixed).
 */
export function sortSequential(children: readonly string[], bases?: readonly string[]): SequentialNode[] {
  const nodes: SequentialNode[] = [];
  for (const child of children) {
    const node = parseSequential(child);
    if (node !== undefined && (bases === undefined || bases.includes(node.base))) nodes.push(node);
  }
  return nodes.sort((a, b) => a.sequence - b.sequence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** `parent/child`, for a parent that may be the root. */
export function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** The last component of a path. */
export function nameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

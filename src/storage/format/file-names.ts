/**
 * Names of ZooKeeper's data files (persistence/Util.makeLogName, makeSnapshotName,
 * getZxidFromName): `log.<zxid>` named after the first txn it holds and `snapshot.<zxid>`
 * named after the last zxid applied when it was started, the zxid in lowercase hex without
 * padding (Java's Long.toHexString), optionally followed by a compression suffix (".gz",
 * ".snappy") on snapshots. Both live in `<dir>/version-2/`.
 *
 * Parsing follows getZxidFromName: split on '.', the second part is hex, anything after it is a
 * suffix. Unlike Long.parseLong we accept only hex digits (no sign) and reject values that do
 * not fit a signed long, where ZooKeeper would return -1 ("not one of ours").
 * Pure: no I/O.
 */

export const VERSION_DIR = 'version-2';
export const LOG_FILE_PREFIX = 'log';
export const SNAPSHOT_FILE_PREFIX = 'snapshot';

const LONG_MAX = (1n << 63n) - 1n;

/** Long.toHexString: two's complement for negative values, as ZooKeeper would print them. */
function javaHex(zxid: bigint): string {
  return BigInt.asUintN(64, zxid).toString(16);
}

export function formatLogName(zxid: bigint): string {
  return `${LOG_FILE_PREFIX}.${javaHex(zxid)}`;
}

export function formatSnapshotName(zxid: bigint): string {
  return `${SNAPSHOT_FILE_PREFIX}.${javaHex(zxid)}`;
}

export interface ParsedFileName {
  readonly zxid: bigint;
  /** What followed the zxid, e.g. "gz" or "snappy" for compressed snapshots; "" if nothing. */
  readonly suffix: string;
}

function parseName(name: string, prefix: string): ParsedFileName | undefined {
  const parts = name.split('.');
  if (parts.length < 2 || parts[0] !== prefix || !/^[0-9a-fA-F]{1,16}$/.test(parts[1]!)) return undefined;
  const zxid = BigInt(`0x${parts[1]}`);
  if (zxid > LONG_MAX) return undefined;
  return { zxid, suffix: parts.slice(2).join('.') };
}

export function parseLogName(name: string): ParsedFileName | undefined {
  return parseName(name, LOG_FILE_PREFIX);
}

export function parseSnapshotName(name: string): ParsedFileName | undefined {
  return parseName(name, SNAPSHOT_FILE_PREFIX);
}

/**
 * The zxid ZooKeeper itself reads from a data file's name (Util.getZxidFromName), which is what
 * its purge and tools go by: split on '.', the first part must be `prefix`, the second is parsed
 * by Long.parseLong(part, 16) — an optional sign, then hex digits, within a signed long — and
 * anything else gives -1. So "snapshot.1a.gz" is 0x1a, "log.-5" is -5, "log.x" is -1.
 */
export function zooKeeperZxidFromName(name: string, prefix: string): bigint {
  // String.split drops trailing empty parts: "log." is one part, so not a log.
  const parts = name.split('.');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length < 2 || parts[0] !== prefix) return -1n;
  const match = /^([+-]?)([0-9a-fA-F]+)$/.exec(parts[1]!);
  if (match === null) return -1n;
  const magnitude = BigInt(`0x${match[2]}`);
  const value = match[1] === '-' ? -magnitude : magnitude;
  return value > LONG_MAX || value < -LONG_MAX - 1n ? -1n : value;
}

/**
 * zkCli.sh's output formats, so that scripts written against `zkCli.sh` read `zkts shell` the
 * same way: the Stat block (`cZxid = 0x...`), getAcl's `'scheme,'id` / `: perms` pairs, child
 * lists as Java prints a List (`[a, b]`), watch events as `WatchedEvent state:... type:...
 * path:...`, and the one-line error messages zkCli prints for each ZooKeeper error. The formats
 * were read off a live zkCli.sh 3.8 against ZooKeeper 3.8 (facts, not code).
 *
 * Also the ACL text zkCli accepts (`scheme:id:perms[,...]`) and its permission letters.
 * PURE: no I/O; times are formatted in the zone passed in.
 */
import { javaDateString, javaHex } from '../../admin/four-letter.js';
import { Perms } from '../../protocol/codes.js';
import { ErrorCode } from '../../protocol/codes.js';
import type { ACL, ClientInfo, Stat } from '../../client/index.js';

/** The Stat block of `stat`, `get -s`, `ls -s`, `set -s`, in zkCli's field order and names. */
export function formatStat(stat: Stat, timeZone?: string): string[] {
  return [
    `cZxid = 0x${javaHex(stat.czxid)}`,
    `ctime = ${javaDateString(stat.ctime, timeZone)}`,
    `mZxid = 0x${javaHex(stat.mzxid)}`,
    `mtime = ${javaDateString(stat.mtime, timeZone)}`,
    `pZxid = 0x${javaHex(stat.pzxid)}`,
    `cversion = ${stat.cversion}`,
    `dataVersion = ${stat.version}`,
    `aclVersion = ${stat.aversion}`,
    `ephemeralOwner = 0x${javaHex(stat.ephemeralOwner)}`,
    `dataLength = ${stat.dataLength}`,
    `numChildren = ${stat.numChildren}`,
  ];
}

/** Java's `List.toString`: `[a, b]`. */
export function javaList(items: readonly string[]): string {
  return `[${items.join(', ')}]`;
}

/** `ls`: children sorted (zkCli sorts; the server returns them in hash order). */
export function formatChildren(children: readonly string[]): string {
  return javaList([...children].sort());
}

// zkCli prints permissions in this letter order, whatever order they were given in.
const permLetters: readonly (readonly [string, number])[] = [
  ['c', Perms.CREATE], ['d', Perms.DELETE], ['r', Perms.READ], ['w', Perms.WRITE], ['a', Perms.ADMIN],
];

export function permString(perms: number): string {
  return permLetters.filter(([, bit]) => (perms & bit) !== 0).map(([letter]) => letter).join('');
}

/** getAcl: two lines per entry. */
export function formatAcl(acl: readonly ACL[]): string[] {
  return acl.flatMap((entry) => [`'${entry.id.scheme},'${entry.id.id}`, `: ${permString(entry.perms)}`]);
}

export interface ParsedAcl {
  readonly acl: ACL[];
  /** zkCli warns about unknown permission letters and ignores them. */
  readonly warnings: string[];
}

/**
 * `scheme:id:perms[,scheme:id:perms...]`. The id is everything between the first and the last
 * colon, so digest ids (`digest:user:hash:cdrwa`) keep their own colon. Throws AclTextError for
 * an entry without two colons, with zkCli's message.
 */
export function parseAcl(text: string): ParsedAcl {
  const acl: ACL[] = [];
  const warnings: string[] = [];
  for (const entry of text.split(',')) {
    const first = entry.indexOf(':');
    const last = entry.lastIndexOf(':');
    if (first === -1 || first === last) throw new AclTextError(`${entry} does not have the form scheme:id:perm`);
    let perms = 0;
    for (const letter of entry.slice(last + 1)) {
      const bit = permLetters.find(([candidate]) => candidate === letter)?.[1];
      if (bit === undefined) warnings.push(`Unknown perm type: ${letter}`);
      else perms |= bit;
    }
    acl.push({ perms, id: { scheme: entry.slice(0, first), id: entry.slice(first + 1, last) } });
  }
  return { acl, warnings };
}

export class AclTextError extends Error {
  override readonly name = 'AclTextError';
}

/** whoami: `Auth scheme: User`, then `scheme: user` per identity. */
export function formatWhoAmI(identities: readonly ClientInfo[]): string[] {
  return ['Auth scheme: User', ...identities.map((info) => `${info.authScheme}: ${info.user}`)];
}

/** The keeper states a Java client reports in a WatchedEvent (Watcher.Event.KeeperState). */
export type KeeperStateName = 'SyncConnected' | 'Disconnected' | 'Expired' | 'AuthFailed' | 'ConnectedReadOnly' | 'Closed';

/** `WatchedEvent.toString` of ZooKeeper 3.8; `path` null for connection-state events. */
export function formatWatchedEvent(state: KeeperStateName, type: string, path: string | null): string {
  return `WatchedEvent state:${state} type:${type} path:${path ?? 'null'}`;
}

/** What zkCli's default watcher prints for every event: a blank line before each of two lines. */
export function watcherBlock(event: string): string {
  return `\nWATCHER::\n\n${event}\n`;
}

/** zkCli's prompt: `[zk: host:port(CONNECTED) 3] `. */
export function prompt(connectString: string, state: string, commandNumber: number): string {
  return `[zk: ${connectString}(${state}) ${commandNumber}] `;
}

// KeeperException.getMessage's code names, as a 3.8 client prints them.
const codeMessages = new Map<number, string>([
  [ErrorCode.SYSTEMERROR, 'SystemError'],
  [ErrorCode.RUNTIMEINCONSISTENCY, 'RuntimeInconsistency'],
  [ErrorCode.DATAINCONSISTENCY, 'DataInconsistency'],
  [ErrorCode.CONNECTIONLOSS, 'ConnectionLoss'],
  [ErrorCode.MARSHALLINGERROR, 'MarshallingError'],
  [ErrorCode.UNIMPLEMENTED, 'Unimplemented'],
  [ErrorCode.OPERATIONTIMEOUT, 'OperationTimeout'],
  [ErrorCode.BADARGUMENTS, 'BadArguments'],
  [ErrorCode.NEWCONFIGNOQUORUM, 'NewConfigNoQuorum'],
  [ErrorCode.RECONFIGINPROGRESS, 'ReconfigInProgress'],
  [ErrorCode.NONODE, 'NoNode'],
  [ErrorCode.NOAUTH, 'NoAuth'],
  [ErrorCode.BADVERSION, 'BadVersion'],
  [ErrorCode.NOCHILDRENFOREPHEMERALS, 'NoChildrenForEphemerals'],
  [ErrorCode.NODEEXISTS, 'NodeExists'],
  [ErrorCode.NOTEMPTY, 'Directory not empty'],
  [ErrorCode.SESSIONEXPIRED, 'Session expired'],
  [ErrorCode.INVALIDCALLBACK, 'Invalid callback'],
  [ErrorCode.INVALIDACL, 'InvalidACL'],
  [ErrorCode.AUTHFAILED, 'AuthFailed'],
  [ErrorCode.SESSIONMOVED, 'Session moved'],
  [ErrorCode.NOTREADONLY, 'Not a read-only call'],
  [ErrorCode.EPHEMERALONLOCALSESSION, 'Ephemeral node on local session'],
  [ErrorCode.NOWATCHER, 'No such watcher'],
  // Java has no name for -122 and prints "Unknown error REQUESTTIMEOUT"; this one reads better.
  [ErrorCode.REQUESTTIMEOUT, 'RequestTimeout'],
  [ErrorCode.RECONFIGDISABLED, 'Reconfig is disabled'],
  [ErrorCode.SESSIONCLOSEDREQUIRESASLAUTH, 'Session closed because client failed to authenticate'],
  [ErrorCode.QUOTAEXCEEDED, 'Quota has exceeded'],
  [ErrorCode.THROTTLEDOP, 'Op throttled due to high load'],
]);

// The errors zkCli's commands catch and reword (its CliWrapperException), keyed by code.
const friendlyMessages = new Map<number, string>([
  [ErrorCode.NONODE, 'Node does not exist: '],
  [ErrorCode.NOCHILDRENFOREPHEMERALS, 'Ephemerals cannot have children: '],
  [ErrorCode.NODEEXISTS, 'Node already exists: '],
  [ErrorCode.NOTEMPTY, 'Node not empty: '],
  [ErrorCode.NOTREADONLY, 'Not a read-only call: '],
  [ErrorCode.INVALIDACL, 'Acl is not valid : '],
  [ErrorCode.NOAUTH, 'Insufficient permission : '],
  [ErrorCode.BADARGUMENTS, 'Arguments are not valid : '],
  [ErrorCode.BADVERSION, 'version No is not valid : '],
]);

/**
 * The line zkCli prints for a ZooKeeper error `code` on `path`: its reworded form for the common
 * errors, else KeeperException's `KeeperErrorCode = <name> for <path>`.
 */
export function errorLine(code: number, path: string | undefined): string {
  const friendly = friendlyMessages.get(code);
  if (friendly !== undefined && path !== undefined) return friendly + path;
  const name = codeMessages.get(code) ?? `Unknown error ${code}`;
  return path === undefined ? `KeeperErrorCode = ${name}` : `KeeperErrorCode = ${name} for ${path}`;
}

/** `history`: the command being run and up to ten before it, numbered. */
export function formatHistory(entries: readonly string[]): string[] {
  const last = entries.length - 1;
  const lines: string[] = [];
  for (let i = Math.max(0, last - 10); i <= last; i++) lines.push(`${i} - ${entries[i]}`);
  return lines;
}

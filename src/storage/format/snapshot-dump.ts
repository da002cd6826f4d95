/**
 * A parsed snapshot as text: the layout of ZooKeeper's SnapshotFormatter (zkSnapShotToolkit.sh),
 * plain, with `-d` (data as base64) or as `-json` (ncdu's JSON export format), plus an optional
 * ACL table of our own. Observed from ZooKeeper 3.8 and checked byte for byte against it in
 * test/interop/storage-format.test.ts:
 *
 *   ZNode Details (count=<nodes + 1>):         -- ZooKeeper's map holds the root as "" and "/"
 *   ----
 *   <path>                                     -- per node, pre-order from "/"
 *     cZxid = %#016x / ctime = Date.toString() / mZxid / mtime / pZxid
 *     cversion / dataVersion / aclVersion = decimal, ephemeralOwner = %#016x
 *     dataLength = <n>          or, with -d:   data = <base64, empty for null>
 *   ----
 *   ----
 *   Session Details (sid, timeout, ephemeralCount):
 *   %#016x, <timeout>, <ephemerals owned>      -- per session
 *   ----
 *   Last zxid: 0x<max(zxid in the file name, every node's mzxid and pzxid)>
 *
 * Order is ZooKeeper's: children in the iteration order of the HashSet(8) that loading fills in
 * file order, sessions in that of the HashMap<Long, Integer> the loader fills (util/
 * java-hash-order.ts), so the output matches SnapshotFormatter's for any snapshot, ours or theirs.
 * The cversion shown is the stored one (creates only), not the one clients see. Each quota's
 * zookeeper_stats shows the recount that loading does (see recountQuotaStats), not the stored data.
 *
 * Our addition, `acls`: each node's ACL reference and an "ACL Details" table before the last
 * "----", ACL entries written as zkCli's scheme:id:perms (perms as "cdrwa").
 * Not here: reading or decompressing the file (cli/commands/snapshot-dump.ts). Pure.
 */
import type { ACLT } from '../../jute/records.js';
import { Perms } from '../../protocol/codes.js';
import { base64Encode } from '../../util/base64.js';
import { javaDateToString, javaHex016, javaLongHex, jacksonQuoteAsString } from '../../util/java-format.js';
import { javaHashMapLongKeyOrder, javaHashSetOrder } from '../../util/java-hash-order.js';
import { bytesOfLatin1 } from '../../util/latin1.js';
import { LIMIT_NODE, QUOTA_ROOT, STAT_NODE, statsText } from '../../tree/quotas.js';
import { SNAPSHOT_FILE_PREFIX, zooKeeperZxidFromName } from './file-names.js';
import { OPEN_ACL_UNSAFE_ID, SnapshotError, type SnapshotContents, type SnapshotNode } from './snapshot.js';

export interface SnapshotDumpOptions {
  /** The file's name (not path): its zxid counts towards "Last zxid". */
  readonly fileName: string;
  /** IANA zone for ctime/mtime (a JVM prints in its default zone). */
  readonly timeZone: string;
  /** `-d`: each node's data as base64 instead of its length. */
  readonly data?: boolean;
  /** Our addition: each node's ACL id and the ACL table. */
  readonly acls?: boolean;
}

/** DataNode's children set starts with this capacity. */
const CHILDREN_SET_CAPACITY = 8;

interface LoadedTree {
  /** Every node by its stored path (the root as ""), quota stats recounted. */
  readonly byPath: ReadonlyMap<string, SnapshotNode>;
  /** Children names of each path, in the order ZooKeeper's loaded tree iterates them. */
  readonly children: ReadonlyMap<string, readonly string[]>;
}

/** The parent as ZooKeeper's loader finds it: everything before the last '/', so "/a" → "" (the root). */
function storedParent(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** Links the stored nodes as ZooKeeper's DataTree.deserialize does; throws SnapshotError on an orphan. */
function loadTree(contents: SnapshotContents): LoadedTree {
  const byPath = new Map<string, SnapshotNode>();
  const inserted = new Map<string, string[]>();
  for (const node of contents.nodes) {
    byPath.set(node.path, node);
    if (node.path === '') continue;
    const parent = storedParent(node.path);
    if (!byPath.has(parent)) throw new SnapshotError('invalid-tree', `snapshot: ${node.path} comes before its parent ${parent || '/'}`);
    let names = inserted.get(parent);
    if (names === undefined) inserted.set(parent, (names = []));
    const name = node.path.slice(parent.length + 1);
    if (!names.includes(name)) names.push(name);
  }
  if (!byPath.has('')) throw new SnapshotError('invalid-tree', 'snapshot: no root node');
  const children = new Map<string, readonly string[]>();
  for (const [parent, names] of inserted) children.set(parent, javaHashSetOrder(names, CHILDREN_SET_CAPACITY));
  recountQuotaStats(byPath, children);
  return { byPath, children };
}

/**
 * DataTree.setupQuota, which runs once a snapshot is loaded: a fuzzy snapshot stores each
 * zookeeper_stats as it was when the walk passed it, which can be before or after changes in its
 * subtree, so ZooKeeper recounts them and SnapshotFormatter prints the recount. Its walk: pre-order
 * from /zookeeper/quota in iteration order; each childless node whose path ends in
 * "/zookeeper_limits" is a quota on the path between the two (the first such suffix); if that
 * quota's zookeeper_stats exists, it becomes "count=<nodes>,bytes=<data bytes>" of the subtree as
 * it stands at that moment (0 and 0 when the subtree is gone).
 */
function recountQuotaStats(byPath: Map<string, SnapshotNode>, children: ReadonlyMap<string, readonly string[]>): void {
  const limitSuffix = `/${LIMIT_NODE}`;
  const subtreeCounts = (root: string) => {
    let count = 0;
    let bytes = 0;
    const stack = [root];
    while (stack.length > 0) {
      const path = stack.pop()!;
      const node = byPath.get(path);
      if (node === undefined) continue;
      count++;
      bytes += node.data?.length ?? 0;
      for (const name of children.get(path) ?? []) stack.push(`${path}/${name}`);
    }
    return { count, bytes };
  };
  if (!byPath.has(QUOTA_ROOT)) return;
  const stack = [QUOTA_ROOT];
  while (stack.length > 0) {
    const path = stack.pop()!;
    const names = children.get(path) ?? [];
    for (let index = names.length - 1; index >= 0; index--) stack.push(`${path}/${names[index]!}`);
    if (names.length > 0 || !path.endsWith(limitSuffix)) continue;
    const dirEnd = path.indexOf(limitSuffix);
    const statsPath = `${path.slice(0, dirEnd)}/${STAT_NODE}`;
    const stats = byPath.get(statsPath);
    if (stats === undefined) continue;
    const { count, bytes } = subtreeCounts(path.slice(QUOTA_ROOT.length, dirEnd));
    byPath.set(statsPath, { ...stats, data: bytesOfLatin1(statsText(count, bytes)) });
  }
}

/** Pre-order from the root, as [the path SnapshotFormatter prints, node]. */
function* walk(tree: LoadedTree): Generator<[string, SnapshotNode]> {
  const stack = [''];
  while (stack.length > 0) {
    const path = stack.pop()!;
    yield [path === '' ? '/' : path, tree.byPath.get(path)!];
    const names = tree.children.get(path) ?? [];
    for (let index = names.length - 1; index >= 0; index--) stack.push(`${path}/${names[index]!}`);
  }
}

const PERM_LETTERS: readonly [number, string][] = [[Perms.CREATE, 'c'], [Perms.DELETE, 'd'], [Perms.READ, 'r'], [Perms.WRITE, 'w'], [Perms.ADMIN, 'a']];

/** zkCli's ACL syntax, e.g. "world:anyone:cdrwa,digest:u:hash=:r". */
export function aclText(acl: readonly ACLT[]): string {
  return acl.map((entry) => `${entry.id.scheme}:${entry.id.id}:${PERM_LETTERS.filter(([bit]) => (entry.perms & bit) !== 0).map(([, letter]) => letter).join('')}`).join(',');
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

export function formatSnapshotDump(contents: SnapshotContents, options: SnapshotDumpOptions): string {
  const tree = loadTree(contents);
  const out: string[] = [`ZNode Details (count=${tree.byPath.size + 1}):`];
  let lastZxid = zooKeeperZxidFromName(options.fileName, SNAPSHOT_FILE_PREFIX);
  const aclUse = new Map<bigint, number>();
  for (const [path, node] of walk(tree)) {
    const { stat } = node;
    out.push('----', path,
      `  cZxid = ${javaHex016(stat.czxid)}`, `  ctime = ${javaDateToString(stat.ctime, options.timeZone)}`,
      `  mZxid = ${javaHex016(stat.mzxid)}`, `  mtime = ${javaDateToString(stat.mtime, options.timeZone)}`,
      `  pZxid = ${javaHex016(stat.pzxid)}`, `  cversion = ${stat.cversion}`, `  dataVersion = ${stat.version}`,
      `  aclVersion = ${stat.aversion}`, `  ephemeralOwner = ${javaHex016(stat.ephemeralOwner)}`);
    if (options.acls === true) out.push(`  acl = ${node.aclId}`);
    out.push(options.data === true ? `  data = ${node.data === null ? '' : base64Encode(node.data)}` : `  dataLength = ${node.data?.length ?? 0}`);
    lastZxid = maxBig(lastZxid, maxBig(stat.mzxid, stat.pzxid));
    aclUse.set(node.aclId, (aclUse.get(node.aclId) ?? 0) + 1);
  }
  out.push('----', 'Session Details (sid, timeout, ephemeralCount):');
  const timeouts = new Map<bigint, number>();
  for (const session of contents.sessions) timeouts.set(session.sessionId, session.timeoutMs);
  for (const sessionId of javaHashMapLongKeyOrder([...timeouts.keys()])) {
    const owned = contents.nodes.filter((node) => node.stat.ephemeralOwner === sessionId).length;
    out.push(`${javaHex016(sessionId)}, ${timeouts.get(sessionId)!}, ${owned}`);
  }
  if (options.acls === true) {
    out.push('ACL Details (id, nodes, acl):');
    const ids = [...(aclUse.has(OPEN_ACL_UNSAFE_ID) ? [OPEN_ACL_UNSAFE_ID] : []), ...contents.acls.keys()];
    for (const id of ids) {
      const acl = id === OPEN_ACL_UNSAFE_ID ? [{ perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }] : contents.acls.get(id)!;
      out.push(`${id}, ${aclUse.get(id) ?? 0}, ${aclText(acl)}`);
    }
  }
  out.push('----', `Last zxid: 0x${javaLongHex(lastZxid)}`);
  return `${out.join('\n')}\n`;
}

/** INODE_IDX's start: ncdu wants a unique inode per entry, SnapshotFormatter counts from 1001. */
const FIRST_INODE = 1001;

/**
 * SnapshotFormatter -json: ncdu's export format (https://dev.yorhel.nl/ncdu/jsonfmt), each znode
 * a "file" of its data's size, no trailing newline. `nowMs` is the header's timestamp.
 */
export function formatSnapshotJson(contents: SnapshotContents, nowMs: number): string {
  const tree = loadTree(contents);
  let inode = FIRST_INODE;
  let out = `[1,0,{"progname":"SnapshotFormatter.java","progver":"0.01","timestamp":${nowMs}}`;
  // Depth-first with explicit frames so deep trees cannot overflow the call stack.
  const stack: ({ path: string } | 'close')[] = [{ path: '' }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    if (frame === 'close') {
      out += ']';
      continue;
    }
    const node = tree.byPath.get(frame.path)!;
    const name = frame.path === '' ? '/' : frame.path.slice(frame.path.lastIndexOf('/') + 1);
    const size = node.data?.length ?? 0;
    const entry = `{"name":"${jacksonQuoteAsString(name)}","asize":${size},"dsize":${size},"dev":0,"ino":${inode++}}`;
    const names = tree.children.get(frame.path) ?? [];
    if (names.length === 0) {
      out += `,${entry}`;
      continue;
    }
    out += `,[${entry}`;
    stack.push('close');
    for (let index = names.length - 1; index >= 0; index--) stack.push({ path: `${frame.path}/${names[index]!}` });
  }
  return `${out}]`;
}
